// What the HTML sanitizer lets through (DESIGN.md §3): the allow-lists and the per-element
// rules, as data and pure functions. The sanitizer (sanitize.ts) applies them; its differential
// test applies the same rules through sanitize-html and compares the two outputs.
// Feed HTML is hostile until proven otherwise: an allow-list of elements and attributes,
// http(s) URLs only (made absolute against the item's base by the one URL policy, urls.ts),
// no styles, no scripts, iframes only from known video players and always sandboxed, tracking
// pixels dropped, lazy-load attributes promoted so images survive.
import { isHttpUrl, type UrlPolicy } from './urls.js';

export const ALLOWED_TAGS: readonly string[] = [
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'pre', 'code',
  'em', 'strong', 'b', 'i', 'u', 's', 'sub', 'sup', 'small', 'mark', 'abbr', 'cite', 'q',
  'ul', 'ol', 'li', 'dl', 'dt', 'dd', 'a', 'img', 'figure', 'figcaption', 'picture', 'source',
  'audio', 'video', 'track', 'table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption',
  'colgroup', 'col', 'span', 'div', 'time', 'details', 'summary', 'iframe',
];

/** Attributes kept per element; '*' lists those kept on every allowed element. */
export const ALLOWED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
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

/**
 * Allowed attributes that mean something when present without a value (HTML boolean
 * attributes), plus `alt`, whose empty value marks a decorative image. Any other allowed
 * attribute with an empty value is dropped.
 */
export const EMPTY_VALUE_ATTRIBUTES: readonly string[] = ['alt', 'controls', 'loop', 'muted', 'playsinline', 'default', 'allowfullscreen', 'reversed', 'open'];

/** Attributes holding a URL: http(s) only (mailto also for a link's href). */
export const URL_ATTRIBUTES: readonly string[] = ['href', 'src', 'cite', 'poster'];

/** HTML void elements: written as <x />, never with a closing tag. */
export const SELF_CLOSING: readonly string[] = ['img', 'br', 'hr', 'source', 'track', 'col', 'wbr'];

/** Elements dropped with everything inside them (their text is not prose). */
export const NON_TEXT_TAGS: readonly string[] = ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'template', 'svg', 'math', 'object', 'embed', 'applet', 'select', 'button'];

/**
 * The same for text extraction (html-text.ts): a stray `<title>` is markup around text, as
 * feedparser reads it, not a document head swallowing everything after it.
 */
export const TEXT_NON_TEXT_TAGS: readonly string[] = ['script', 'style', 'textarea', 'option', 'noscript', 'template', 'head'];

/** Embeds we trust enough to show, sandboxed. */
export const IFRAME_HOSTS: readonly string[] = [
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

const LAZY_SRC = ['data-src', 'data-lazy-src', 'data-original', 'data-lazy'];
const LAZY_SRCSET = ['data-srcset', 'data-lazy-srcset'];

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

/**
 * Rewrites an element's attributes in place before the allow-list sees them: lazy-load
 * sources promoted, every URL made absolute by the URL policy (or removed), links given
 * rel="noopener noreferrer", iframes the fixed sandbox. In place because the parser hands
 * every element a fresh attribute object (and a new key goes last, as it would in a copy).
 */
export function rewriteAttributes(tagName: string, attribs: Record<string, string>, baseUrl: string, urls: UrlPolicy): void {
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
      const s = urls.srcset(attribs.srcset, baseUrl);
      if (s === undefined) delete attribs.srcset;
      else attribs.srcset = s;
    }
  }
  if (tagName === 'a') attribs.rel = 'noopener noreferrer';
  if (tagName === 'iframe') attribs.sandbox = IFRAME_SANDBOX;
}

/**
 * True when an allowed element must go with everything inside it, judged on its attributes
 * as they were written out: an image that loads nothing or only tracks, an iframe or a media
 * source with nothing to load.
 */
export function dropsElement(tagName: string, attribs: Record<string, string>): boolean {
  if (tagName === 'img') return !isHttpUrl(attribs.src) || isTrackingPixel(attribs);
  if (tagName === 'iframe') return !isHttpUrl(attribs.src);
  if (tagName === 'source' || tagName === 'track') return !isHttpUrl(attribs.src) && !attribs.srcset;
  return false;
}
