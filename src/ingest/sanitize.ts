// The one home of sanitize-html (DESIGN.md §2). Feed HTML is hostile until proven otherwise:
// an allow-list of elements and attributes, http(s) URLs only (made absolute against the
// item's base), no styles, no scripts, iframes only from known video players and always
// sandboxed, tracking pixels dropped, lazy-load attributes promoted so images survive.
import sanitize from 'sanitize-html';

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

/** Resolves `value` against `baseUrl`; undefined when it cannot be resolved. */
export function absoluteUrl(value: string, baseUrl: string | undefined): string | undefined {
  const v = value.trim();
  if (!v) return undefined;
  try {
    return baseUrl ? new URL(v, baseUrl).href : new URL(v).href;
  } catch {
    return undefined;
  }
}

function isHttpUrl(u: string | undefined): boolean {
  return !!u && /^https?:\/\//i.test(u);
}

/** Makes every candidate of a srcset absolute; drops candidates that are not http(s). */
function absoluteSrcset(value: string, baseUrl: string): string | undefined {
  const out: string[] = [];
  // Candidates are "url [descriptor]" separated by commas (HTML §4.8.4.2.2); a comma inside a
  // URL is legal but rare in feeds, so a comma followed by whitespace or a URL start splits.
  for (const candidate of value.split(/,(?=\s|[^\s,]*(?:\/|\.))/)) {
    const [url, ...descriptor] = candidate.trim().split(/\s+/);
    if (!url) continue;
    const abs = absoluteUrl(url, baseUrl);
    if (!isHttpUrl(abs)) continue;
    out.push([abs, ...descriptor].join(' '));
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

function transformAll(baseUrl: string) {
  return (tagName: string, input: Record<string, string>): { tagName: string; attribs: Record<string, string> } => {
    const attribs: Record<string, string> = { ...input };
    const lazySrc = LAZY_SRC.map((a) => attribs[a]).find((v) => v && v.trim());
    if (lazySrc && isPlaceholderSrc(attribs.src)) attribs.src = lazySrc;
    const lazySrcset = LAZY_SRCSET.map((a) => attribs[a]).find((v) => v && v.trim());
    if (lazySrcset && !attribs.srcset) attribs.srcset = lazySrcset;
    for (const name of URL_ATTRIBUTES) {
      const v = attribs[name];
      if (v === undefined) continue;
      // Fragment-only links point inside the article; resolving them against the feed URL
      // would send readers to the feed, so they are left as they are.
      if (name === 'href' && v.trim().startsWith('#')) continue;
      const abs = absoluteUrl(v, baseUrl);
      if (abs === undefined) delete attribs[name];
      else attribs[name] = abs;
    }
    if (attribs.srcset !== undefined) {
      const s = absoluteSrcset(attribs.srcset, baseUrl);
      if (s === undefined) delete attribs.srcset;
      else attribs.srcset = s;
    }
    if (tagName === 'a') attribs.rel = 'noopener noreferrer';
    if (tagName === 'iframe') attribs.sandbox = IFRAME_SANDBOX;
    return { tagName, attribs };
  };
}

/**
 * Sanitizes feed HTML with an allow-list and makes every URL in it absolute against
 * `baseUrl` (the item's xml:base or the document URL).
 */
export function sanitizeHtml(html: string, baseUrl: string): string {
  if (!html) return '';
  return sanitize(html, {
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
    transformTags: { '*': transformAll(baseUrl) },
    exclusiveFilter(frame) {
      const a = frame.attribs;
      if (frame.tag === 'img') return !isHttpUrl(a.src) || isTrackingPixel(a);
      if (frame.tag === 'iframe') return !isHttpUrl(a.src);
      if (frame.tag === 'source' || frame.tag === 'track') return !isHttpUrl(a.src) && !a.srcset;
      return false;
    },
  }).trim();
}

// Block-level boundaries become spaces so "<p>a</p><p>b</p>" reads "a b", not "ab".
const BLOCK_BOUNDARY = /<\/?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|tr|td|th|table|blockquote|pre|figure|figcaption|section|article|header|footer|aside|nav|details|summary)\b[^>]*>/gi;

/**
 * htmlToRawText for HTML that sanitizeHtml produced: its text escapes exactly &, < and >, its
 * attribute values also " (so no ">" inside a tag), and it holds no comments, scripts or other
 * non-text elements, so stripping tags and inverting those four escapes gives the same text as
 * a second full parse, several times faster (ingest spent ~10% of its time re-parsing bodies).
 */
export function sanitizedHtmlToRawText(html: string): string {
  if (!html) return '';
  return html
    .replace(BLOCK_BOUNDARY, ' $& ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|quot);/g, (_m, e: string) => (e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : '"'));
}

/**
 * HTML → text with entities decoded and no markup left; whitespace is not collapsed here
 * (text.ts does it). Script/style bodies are dropped, not shown as text.
 */
export function htmlToRawText(html: string): string {
  if (!html) return '';
  const escaped = sanitize(html.replace(BLOCK_BOUNDARY, ' $& '), {
    allowedTags: [],
    allowedAttributes: {},
    disallowedTagsMode: 'discard',
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'template', 'head'],
  });
  // Invert sanitize-html's own text escaping (it escapes exactly &, < and > in text).
  return escaped.replace(/&(amp|lt|gt);/g, (_m, e: string) => (e === 'amp' ? '&' : e === 'lt' ? '<' : '>'));
}
