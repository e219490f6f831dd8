// The one URL policy (DESIGN.md §9). Every URL a source gives us (item link, enclosure,
// media:content and thumbnail, author URL, image, category scheme, feed links, and the URLs
// inside HTML bodies) passes through here at normalize time:
//   1. resolve against the base (xml:base, else the document URL) exactly as the WHATWG URL
//      parser does, which is also how a browser would read the value: case, surrounding
//      whitespace, tabs and newlines inside the scheme are all folded before the scheme is known;
//   2. keep only http: and https: (mailto: where a contact belongs); anything else
//      (javascript:, vbscript:, data:, file:, …) is dropped and counted as `unsafe_url`;
//   3. write an RFC 3986 URI (hence an RFC 3987 IRI): characters that may not appear (space,
//      < > " { } | \ ^ `, controls, non-ASCII) percent-encoded, a "%" that starts no escape
//      encoded as %25; an unparsable or over-long value is dropped and counted as `bad_url`.
// The sanitizer's srcset handling lives here too, so sanitize.ts holds no URL code.
// No module state: the per-document base cache belongs to the object createUrlPolicy returns.

/** Longer values are refused: no reader follows them and they are a cheap way to bloat output. */
export const MAX_URL_CHARS = 4096;

/** What a URL field is for, which decides the schemes it may carry. */
export type UrlPurpose =
  /** A link a reader follows or fetches: http(s) only. */
  | 'link'
  /** A person's or mailbox's address (author URL, `<a href>`): http(s) or mailto. */
  | 'contact';

export type UrlVerdict = { ok: true; url: string } | { ok: false; reason: 'unsafe_url' | 'bad_url' };

// Most feed URLs are already canonical absolute http(s) URLs or root-relative paths, for which
// the WHATWG parser (several µs per call, base re-parsed every time) returns the input as it
// is. These patterns accept only text the parser provably leaves unchanged: lowercase scheme
// and host, a host whose last label starts with a letter (no IPv4 forms), no port, userinfo,
// backslash, whitespace, control or non-ASCII characters, no characters the parser
// percent-encodes, no punycode, no dot segments (also no "%2e"), a path that starts with "/".
// Anything else, including every javascript:/data: form however obfuscated, takes the full
// parser. "%" must start an escape, so what passes is also a valid RFC 3986 URI.
const SAFE_PATH = "(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@/]|%(?!2[eE])[0-9A-Fa-f]{2})*";
const SAFE_QUERY = "(?:\\?(?:[A-Za-z0-9\\-._~!$&()*+,;=:@/?]|%[0-9A-Fa-f]{2})*)?(?:#(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@/?#]|%[0-9A-Fa-f]{2})*)?";
const CANONICAL_ABSOLUTE = new RegExp(`^https?://(?:[a-z0-9-]+\\.)*[a-z][a-z0-9-]*(?=/)${SAFE_PATH}${SAFE_QUERY}$`);
const CANONICAL_ROOT_RELATIVE = new RegExp(`^/(?![/\\\\])${SAFE_PATH}${SAFE_QUERY}$`);
/** "." or ".." as a whole path segment (the path ends at "?" or "#"). */
const DOT_SEGMENT = /\/\.\.?(?:[/?#]|$)/;

function pathHasDotSegment(url: string, from: number): boolean {
  const end = url.search(/[?#]/);
  return DOT_SEGMENT.test(end < 0 ? url.slice(from) : url.slice(from, end));
}

/**
 * Characters RFC 3986 never allows in a URI: controls, space, non-ASCII, < > " { } | \ ^ `,
 * and a "%" that does not start a %XX escape. WHATWG's href leaves some of them in place
 * (| ^ in paths, { } | in queries, "%zz"), so they are encoded after resolution.
 */
// eslint-disable-next-line no-control-regex
const NOT_URI_CHAR = /[^\x21-\x7E]|[<>"{}|\\^`]|%(?![0-9A-Fa-f]{2})/;
// eslint-disable-next-line no-control-regex
const NOT_URI_CHAR_G = /[^\x21-\x7E]|[<>"{}|\\^`]|%(?![0-9A-Fa-f]{2})/gu;

/** Percent-encodes (as UTF-8) every character an RFC 3986 URI may not hold; lone surrogates are removed. */
export function toUriString(s: string): string {
  if (!NOT_URI_CHAR.test(s)) return s;
  return s.replace(NOT_URI_CHAR_G, (c) => (c.isWellFormed() ? encodeURIComponent(c) : ''));
}

/** True for a string an RFC 3986 URI reference may be (nothing left to encode). */
export function isUriString(s: string): boolean {
  return !NOT_URI_CHAR.test(s);
}

/** What WHATWG strips before parsing: leading/trailing C0 controls and spaces, tabs and newlines anywhere. */
function whatwgClean(v: string): string {
  // eslint-disable-next-line no-control-regex
  return v.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/**
 * Schemes a browser executes, or resolves to local or embedded content, when a reader follows
 * the value. Only identifiers (category schemes) consult this list; links allow http(s) alone.
 */
const ACTIVE_SCHEMES = new Set(['javascript', 'vbscript', 'livescript', 'data', 'file', 'blob', 'filesystem', 'about', 'view-source', 'jar', 'mhtml', 'ms-its', 'res', 'chrome', 'resource', 'intent']);

interface BaseInfo {
  base: string;
  /** False when the WHATWG parser rejects the base (then every resolution fails). */
  valid: boolean;
  /** "scheme://[userinfo@]host[:port]" of an http(s) base: what a root-relative path is appended to. */
  origin?: string;
}

export interface UrlPolicy {
  /** `new URL(value, base).href` (fast where provably equal); undefined when it cannot be resolved. No scheme check. */
  resolve(value: string, base: string | undefined): string | undefined;
  /** resolve's fast path alone (undefined = "ask the parser"), exposed for its equivalence test. */
  resolveWithoutParsing(value: string, base: string | undefined): string | undefined;
  /** Undefined for a blank value; otherwise the policy's verdict on it (see the header). */
  check(value: string | undefined, base: string | undefined, purpose?: UrlPurpose): UrlVerdict | undefined;
  /**
   * A category scheme / domain: an identifier, not a link. http(s) values follow the link
   * policy; other absolute identifiers (tag:, urn:, a publisher's own "acme:sections") are
   * kept unless their scheme runs or loads something when followed (ACTIVE_SCHEMES); a bare
   * taxonomy name ("dmoz", "Sports") is kept as written, never resolved into a link. All URI-encoded.
   */
  identifier(value: string | undefined): UrlVerdict | undefined;
  /** A srcset with every candidate checked as a link and made absolute; undefined when none survives. */
  srcset(value: string, base: string): string | undefined;
}

// The sanitizer's last check on a URL it writes out (sanitize.ts, srcset-candidates.ts), after
// the policy above has made it absolute: a second, independent reading of its scheme.
/** A scheme at the start of a URL once the characters browsers skip are removed (launder's reading, as sanitize-html applies it). */
const LAUNDER_SCHEME = /^([a-zA-Z][a-zA-Z0-9.\-+]*):/;

/**
 * True when `href` must not be kept where only `schemes` may appear: it names another scheme
 * or is protocol-relative. Characters up to U+0020 and `<!-- -->` comments are removed first,
 * as browsers ignore them inside URLs (OWASP XSS filter evasion: embedded tab, newline).
 */
export function isUnsafeHref(href: string, schemes: readonly string[]): boolean {
  // eslint-disable-next-line no-control-regex
  let s = href.replace(/[\x00-\x20]+/g, '');
  for (let open = s.indexOf('<!--'); open !== -1; open = s.indexOf('<!--')) {
    const close = s.indexOf('-->', open + 4);
    if (close === -1) break;
    s = s.slice(0, open) + s.slice(close + 3);
  }
  const m = LAUNDER_SCHEME.exec(s);
  if (!m) return /^[/\\]{2}/.test(s);
  return !schemes.includes(m[1]!.toLowerCase());
}

/** True for a value that already names the http(s) scheme (what an allowed src looks like after checking). */
export function isHttpUrl(u: string | undefined): boolean {
  return !!u && /^https?:\/\//i.test(u);
}

/** A policy with its own small cache (one document's items share one base). */
export function createUrlPolicy(): UrlPolicy {
  let lastBase: BaseInfo | undefined;

  function baseInfo(base: string): BaseInfo {
    if (lastBase?.base === base) return lastBase;
    let info: BaseInfo;
    try {
      const root = new URL('/', base);
      info = { base, valid: true, ...(root.protocol === 'http:' || root.protocol === 'https:' ? { origin: root.href.slice(0, -1) } : {}) };
    } catch {
      info = { base, valid: false };
    }
    lastBase = info;
    return info;
  }

  function resolveWithoutParsing(v: string, baseUrl: string | undefined): string | undefined {
    const first = v.charCodeAt(0);
    if (first === 0x68 /* h */) {
      if (!CANONICAL_ABSOLUTE.test(v) || v.includes('xn--')) return undefined;
      if (baseUrl && !baseInfo(baseUrl).valid) return undefined;
      const pathStart = v.indexOf('/', v.indexOf('//') + 2);
      return pathHasDotSegment(v, pathStart) ? undefined : v;
    }
    if (first === 0x2f /* / */ && baseUrl) {
      const origin = baseInfo(baseUrl).origin;
      if (origin === undefined || !CANONICAL_ROOT_RELATIVE.test(v) || pathHasDotSegment(v, 0)) return undefined;
      return origin + v;
    }
    return undefined;
  }

  function resolve(value: string, baseUrl: string | undefined): string | undefined {
    const v = value.trim();
    if (!v) return undefined;
    const fast = resolveWithoutParsing(v, baseUrl);
    if (fast !== undefined) return fast;
    try {
      return baseUrl ? new URL(v, baseUrl).href : new URL(v).href;
    } catch {
      return undefined;
    }
  }

  function check(value: string | undefined, base: string | undefined, purpose: UrlPurpose = 'link'): UrlVerdict | undefined {
    if (value === undefined || !value.trim()) return undefined;
    if (value.length > MAX_URL_CHARS) return { ok: false, reason: 'bad_url' };
    const href = resolve(value, base);
    if (href === undefined) {
      // Unresolvable, but if it names a scheme we refuse anyway, say so: that is the finding.
      const scheme = SCHEME.exec(whatwgClean(value))?.[1]?.toLowerCase();
      return { ok: false, reason: scheme && scheme !== 'http' && scheme !== 'https' ? 'unsafe_url' : 'bad_url' };
    }
    // href comes from the WHATWG serializer, so the scheme is lowercase and ends at the first ":".
    const allowed = href.startsWith('https:') || href.startsWith('http:') || (purpose === 'contact' && href.startsWith('mailto:'));
    if (!allowed) return { ok: false, reason: 'unsafe_url' };
    const url = toUriString(href);
    return url.length > MAX_URL_CHARS ? { ok: false, reason: 'bad_url' } : { ok: true, url };
  }

  function identifier(value: string | undefined): UrlVerdict | undefined {
    if (value === undefined || !value.trim()) return undefined;
    if (value.length > MAX_URL_CHARS) return { ok: false, reason: 'bad_url' };
    const clean = whatwgClean(value);
    const scheme = SCHEME.exec(clean)?.[1]?.toLowerCase();
    if (scheme === undefined) {
      // A bare name. A ":" in its first segment would read as a scheme (RFC 3986 §4.2).
      if (/^[^/?#]*:/.test(clean)) return { ok: false, reason: 'unsafe_url' };
      return { ok: true, url: toUriString(value.trim()) };
    }
    if (scheme === 'http' || scheme === 'https') return check(clean, undefined, 'link');
    return ACTIVE_SCHEMES.has(scheme) ? { ok: false, reason: 'unsafe_url' } : { ok: true, url: toUriString(clean) };
  }

  function srcset(value: string, base: string): string | undefined {
    const out: string[] = [];
    // Candidates are "url [descriptor]" separated by commas (HTML §4.8.4.2.2); a comma inside a
    // URL is legal but rare in feeds, so a comma followed by whitespace or a URL start splits.
    for (const candidate of value.split(/,(?=\s|[^\s,]*(?:\/|\.))/)) {
      const [url, ...descriptor] = candidate.trim().split(/\s+/);
      if (!url) continue;
      const abs = check(url, base);
      if (!abs?.ok) continue;
      out.push([abs.url, ...descriptor].join(' '));
    }
    return out.length ? out.join(', ') : undefined;
  }

  return { resolve, resolveWithoutParsing, check, identifier, srcset };
}
