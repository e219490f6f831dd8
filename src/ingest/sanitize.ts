// The one home of sanitize-html (DESIGN.md §2): the sanitizer, and its text-only mode for
// html-text.ts. Feed HTML is hostile until proven otherwise:
// an allow-list of elements and attributes, http(s) URLs only (made absolute against the
// item's base by the one URL policy, urls.ts), no styles, no scripts, iframes only from known
// video players and always sandboxed, tracking pixels dropped, lazy-load attributes promoted so
// images survive.
import sanitize from 'sanitize-html';
import { createUrlPolicy, isHttpUrl, type UrlPolicy } from './urls.js';

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
        const s = urls.srcset(attribs.srcset, baseUrl);
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

/** What makes sanitize-html's output differ from its input text. */
const MARKUP_CHARS = /[<>&]/;

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
      // Text with no tag, reference or '>' comes out of sanitize-html as it went in (it escapes
      // exactly &, < and > in text), without a parse and the per-call set-up of its options.
      if (!MARKUP_CHARS.test(html)) return html.trim();
      return sanitize(html, optionsFor(baseUrl)).trim();
    },
  };
}

/** Text-only mode: every tag discarded, the bodies of non-text elements dropped. */
const TEXT_ONLY: sanitize.IOptions = {
  allowedTags: [],
  allowedAttributes: {},
  disallowedTagsMode: 'discard',
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'template', 'head'],
};

/**
 * The text content of an HTML fragment, entities decoded, whitespace as written. Script/style
 * bodies are dropped, not shown as text. A stray `<title>` is markup around text, as feedparser
 * reads it, not a document head swallowing everything after it. Word boundaries are the
 * caller's business (html-text.ts).
 */
export function htmlTextContent(html: string): string {
  // Invert sanitize-html's own text escaping (it escapes exactly &, < and > in text).
  return sanitize(html, TEXT_ONLY).replace(/&(amp|lt|gt);/g, (_m, e: string) => (e === 'amp' ? '&' : e === 'lt' ? '<' : '>'));
}
