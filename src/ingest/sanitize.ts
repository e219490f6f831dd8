// The one home of sanitize-html (DESIGN.md §2). Feed HTML is hostile until proven otherwise:
// an allow-list of elements and attributes, http(s) URLs only (made absolute against the
// item's base by the one URL policy, urls.ts), no styles, no scripts, iframes only from known
// video players and always sandboxed, tracking pixels dropped, lazy-load attributes promoted so
// images survive.
import sanitize from 'sanitize-html';
import { createUrlPolicy, type UrlPolicy } from './urls.js';

const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'code',
  'em', 'strong', 'b', 'i', 'u', 's', 'sub', 'sup', 'small', 'mark', 'abbr', 'cite', 'q',
  'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'a', 'img', 'figure', 'figcaption', 'picture', 'source',
  'audio', 'video', 'track', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption',
  'colgroup', 'col', 'span', 'div', 'time', 'details', 'summary', 'iframe',
];

const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  '*': ['lang', 'dir'],
  a: ['href', 'title', 'rel'],
  img: ['src', 'srcset', 'sizes', 'alt', 'title', 'width', 'height'],
  source: ['src', 'srcset', 'sizes', 'type', 'media'],
  audio: ['src', 'controls', 'preload', 'loop', 'muted'],
  video: ['src', 'poster', 'controls', 'preload', 'loop', 'muted', 'playsinline', 'width', 'height'],
  track: ['src', 'kind', 'srclang', 'label', 'default'],
  iframe: ['src', 'width', 'height', 'title', 'allowfullscreen', 'sandbox'],
  td: ['colspan', 'rowspan', 'headers'],
  th: ['colspan', 'rowspan', 'headers', 'scope'],
  col: ['span'],
  colgroup: ['span'],
  time: ['datetime'],
  abbr: ['title'],
  blockquote: ['cite'],
  q: ['cite'],
  ol: ['start', 'reversed', 'type'],
  li: ['value'],
  details: ['open'],
};

/** Embeds we trust enough to show, sandboxed. */
const IFRAME_HOSTS = [
  'www.youtube.com',
  'youtube.com',
  'www.youtube-nocookie.com',
  'player.vimeo.com',
  'www.dailymotion.com',
  'w.soundcloud.com',
  'open.spotify.com',
];

const IFRAME_SANDBOX = 'allow-scripts allow-same-origin allow-presentation';

/** Hosts/paths that only serve tracking pixels (FeedBurner, WordPress stats, analytics). */
const TRACKER_PATTERNS = [
  /^https?:\/\/feeds\.feedburner\.com\/~r\//i,
  /^https?:\/\/feeds\.feedburner\.com\/~ff\//i,
  /^https?:\/\/[^/]*feedsportal\.com\//i,
  /^https?:\/\/pixel\.wp\.com\//i,
  /^https?:\/\/stats\.wordpress\.com\//i,
  /^https?:\/\/(www\.)?google-analytics\.com\//i,
  /^https?:\/\/pixel\.quantserve\.com\//i,
  /^https?:\/\/[^/]*feedblitz\.com\/.*\.(gif|png)/i,
  /^https?:\/\/[^/]*\.doubleclick\.net\//i,
];

const URL_ATTRIBUTES = ['href', 'src', 'poster', 'cite'];
const LAZY_SRC = ['data-src', 'data-lazy-src', 'data-original', 'data-lazy'];
const LAZY_SRCSET = ['data-srcset', 'data-lazy-srcset'];

function isHttpUrl(u: string | undefined): boolean {
  return !!u && /^https?:\/\//i.test(u);
}

/** Makes every candidate of a srcset absolute; drops candidates that are not http(s). */
function absoluteSrcset(value: string, baseUrl: string, urls: UrlPolicy): string | undefined {
  const out: string[] = [];
  // Candidates are "url [descriptor]" separated by commas (HTML §4.8.4.2.2); a comma inside a
  // URL is legal but rare in feeds, so a comma followed by whitespace or a URL start splits.
  for (const candidate of value.split(/,(?=\s|[^\s,]*(?:\/|\.))/)) {
    const [url, ...descriptor] = candidate.trim().split(/\s+/);
    if (!url) continue;
    const abs = urls.check(url, baseUrl);
    if (!abs?.ok) continue;
    out.push([abs.url, ...descriptor].join(' '));
  }
  return out.length ? out.join(', ') : undefined;
}

function isPlaceholderSrc(src: string | undefined): boolean {
  return !src || /^data:/i.test(src.trim()) || /(?:blank|spacer|placeholder|transparent|pixel)\.(gif|png|svg)/i.test(src);
}

function isTrackingPixel(attribs: Record<string, string>): boolean {
  const src = attribs.src ?? '';
  if (TRACKER_PATTERNS.some((re) => re.test(src))) return true;
  const w = attribs.width?.trim();
  const h = attribs.height?.trim();
  return (w === '1' || w === '0') && (h === '1' || h === '0');
}

/** The first lazy-load attribute with a non-blank value, as written. */
function firstNonBlank(attribs: Record<string, string>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const v = attribs[name];
    if (v && v.trim()) return v;
  }
  return undefined;
}

function transformAll(baseUrl: string, urls: UrlPolicy) {
  // htmlparser2 hands every tag a fresh attribute object that sanitize-html replaces with the
  // one returned here, so it is edited in place rather than copied (same key order either way).
  return (tagName: string, attribs: Record<string, string>): { tagName: string; attribs: Record<string, string> } => {
    let hasAttributes = false;
    for (const _ in attribs) {
      hasAttributes = true;
      break;
    }
    if (hasAttributes) {
      const lazySrc = firstNonBlank(attribs, LAZY_SRC);
      if (lazySrc && isPlaceholderSrc(attribs.src)) attribs.src = lazySrc;
      const lazySrcset = firstNonBlank(attribs, LAZY_SRCSET);
      if (lazySrcset && !attribs.srcset) attribs.srcset = lazySrcset;
      for (const name of URL_ATTRIBUTES) {
        const v = attribs[name];
        if (v === undefined) continue;
        // Fragment-only links point inside the article; resolving them against the feed URL
        // would send readers to the feed, so they are left as they are.
        if (name === 'href' && v.trim().startsWith('#')) continue;
        // A link may be a mailbox; what is loaded (src, poster) and cited must be http(s).
        const abs = urls.check(v, baseUrl, tagName === 'a' && name === 'href' ? 'contact' : 'link');
        if (abs?.ok) attribs[name] = abs.url;
        else delete attribs[name];
      }
      if (attribs.srcset !== undefined) {
        const s = absoluteSrcset(attribs.srcset, baseUrl, urls);
        if (s === undefined) delete attribs.srcset;
        else attribs.srcset = s;
      }
    }
    if (tagName === 'a') attribs.rel = 'noopener noreferrer';
    if (tagName === 'iframe') attribs.sandbox = IFRAME_SANDBOX;
    return { tagName, attribs };
  };
}

/** Everything but the URL base: pure configuration, built once. */
const SANITIZE_OPTIONS: sanitize.IOptions = {
  allowedTags: ALLOWED_TAGS,
  allowedAttributes: ALLOWED_ATTRIBUTES,
  allowedSchemes: ['http', 'https'],
  allowedSchemesByTag: { a: ['http', 'https', 'mailto'] },
  allowedSchemesAppliedToAttributes: ['href', 'src', 'cite', 'poster'],
  allowProtocolRelative: false,
  allowedIframeHostnames: IFRAME_HOSTS,
  allowIframeRelativeUrls: false,
  disallowedTagsMode: 'discard',
  // HTML void elements: written as <x />, never with a closing tag.
  selfClosing: ['img', 'br', 'hr', 'source', 'track', 'col', 'wbr'],
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'template', 'svg', 'math', 'object', 'embed', 'applet', 'select', 'button'],
  parseStyleAttributes: false,
  exclusiveFilter(frame) {
    const a = frame.attribs;
    if (frame.tag === 'img') return !isHttpUrl(a.src) || isTrackingPixel(a);
    if (frame.tag === 'iframe') return !isHttpUrl(a.src);
    if (frame.tag === 'source' || frame.tag === 'track') return !isHttpUrl(a.src) && !a.srcset;
    return false;
  },
};

export interface HtmlSanitizer {
  /**
   * Sanitizes feed HTML with an allow-list and makes every URL in it absolute against
   * `baseUrl` (the item's xml:base or the document URL) by the URL policy.
   */
  sanitize(html: string, baseUrl: string): string;
}

/** A sanitizer for one document (or one worker): it keeps the options of the last base it saw. */
export function createHtmlSanitizer(urls: UrlPolicy = createUrlPolicy()): HtmlSanitizer {
  // A document's items share one base: its options are made once, not per body.
  let last: { baseUrl: string; options: sanitize.IOptions } | undefined;
  const optionsFor = (baseUrl: string): sanitize.IOptions => {
    if (last?.baseUrl !== baseUrl) last = { baseUrl, options: { ...SANITIZE_OPTIONS, transformTags: { '*': transformAll(baseUrl, urls) } } };
    return last.options;
  };
  return {
    sanitize(html, baseUrl) {
      if (!html) return '';
      return sanitize(html, optionsFor(baseUrl)).trim();
    },
  };
}

// Block-level boundaries become spaces so "<p>a</p><p>b</p>" reads "a b", not "ab".
const BLOCK_BOUNDARY = /<\/?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|tr|td|th|table|blockquote|pre|figure|figcaption|section|article|header|footer|aside|nav|details|summary)\b[^>]*>/gi;

const SANITIZED_ESCAPE = /&(amp|lt|gt|quot);/g;

/**
 * htmlToRawText for HTML that sanitizeHtml produced: its text escapes exactly &, < and >, its
 * attribute values also " (so no ">" inside a tag), and it holds no comments, scripts or other
 * non-text elements, so stripping tags and inverting those four escapes gives the same text as
 * a second full parse, several times faster (ingest spent ~10% of its time re-parsing bodies).
 * A block tag becomes the two spaces " $& " would leave once stripped; replacements without a
 * callback stay in native code.
 */
export function sanitizedHtmlToRawText(html: string): string {
  if (!html) return '';
  const text = html.replace(BLOCK_BOUNDARY, '  ').replace(/<[^>]*>/g, '');
  if (!text.includes('&')) return text;
  return text.replace(SANITIZED_ESCAPE, (_m, e: string) => (e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : '"'));
}

/**
 * HTML → text with entities decoded and no markup left; whitespace is not collapsed here
 * (text.ts does it). Script/style bodies are dropped, not shown as text. A stray `<title>` in
 * a feed title or summary is markup around text, as feedparser reads it, not a document head
 * swallowing everything after it.
 */
export function htmlToRawText(html: string): string {
  if (!html) return '';
  // Without "<" or "&" there is neither markup nor a reference: the parse would return the text as it is.
  if (!html.includes('<') && !html.includes('&')) return html;
  const escaped = sanitize(html.replace(BLOCK_BOUNDARY, ' $& '), {
    allowedTags: [],
    allowedAttributes: {},
    disallowedTagsMode: 'discard',
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'template', 'head'],
  });
  // Invert sanitize-html's own text escaping (it escapes exactly &, < and > in text).
  return escaped.replace(/&(amp|lt|gt);/g, (_m, e: string) => (e === 'amp' ? '&' : e === 'lt' ? '<' : '>'));
}
