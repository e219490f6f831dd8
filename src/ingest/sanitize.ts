// The HTML sanitizer (DESIGN.md §3), on htmlparser2's streaming tokenizer (markup-scan.ts):
// what it keeps is sanitize-policy.ts; how it writes is sanitize-html's discard mode, event for
// event, and test/sanitize-differential.test.ts holds it to sanitize-html's output over every
// HTML body in the fixtures and a table of attacks. Written by hand because sanitize-html
// rebuilds its options, closures and lookup lists on every call and per element, which cost
// ≈ 45 % of ingest's CPU (README "Why the sanitizer is hand-written"). Also the text-only
// reading used by html-text.ts.
import { escapeHtml } from '../html-escape.js';
import { scanHtml } from './markup-scan.js';
import {
  ALLOWED_ATTRIBUTES,
  ALLOWED_TAGS,
  EMPTY_VALUE_ATTRIBUTES,
  IFRAME_HOSTS,
  NON_TEXT_TAGS,
  SELF_CLOSING,
  TEXT_NON_TEXT_TAGS,
  URL_ATTRIBUTES,
  dropsElement,
  rewriteAttributes,
} from './sanitize-policy.js';
import { canonicalSrcset } from './srcset-candidates.js';
import { createUrlPolicy, isUnsafeHref, type UrlPolicy } from './urls.js';

const TAGS = new Set(ALLOWED_TAGS);
const GLOBAL_ATTRIBUTES = new Set(ALLOWED_ATTRIBUTES['*']);
const ATTRIBUTES = new Map(Object.entries(ALLOWED_ATTRIBUTES).map(([tag, names]) => [tag, new Set([...names, ...(ALLOWED_ATTRIBUTES['*'] ?? [])])]));
const EMPTY_OK = new Set(EMPTY_VALUE_ATTRIBUTES);
const URL_ATTRS = new Set(URL_ATTRIBUTES);
const VOID = new Set(SELF_CLOSING);
const NON_TEXT = new Set(NON_TEXT_TAGS);
const TEXT_NON_TEXT = new Set(TEXT_NON_TEXT_TAGS);
const IFRAMES = new Set(IFRAME_HOSTS);
const LINK_SCHEMES = ['http', 'https', 'mailto'];
const LOAD_SCHEMES = ['http', 'https'];

/**
 * Text as HTML: exactly &, < and > escaped, as sanitize-html wrote it (html-text.ts's fast path
 * inverts this). Attribute values go through escapeHtml, which also escapes ".
 */
function escapeText(s: string): string {
  if (!/[&<>]/.test(s)) return s;
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/**
 * An iframe's src must name one of IFRAME_HOSTS: read by the WHATWG parser after folding a
 * backslash or spaced "//" (as browsers do), a relative or unreadable src is refused.
 */
function isAllowedIframeSrc(src: string): boolean {
  const v = src.replace(/^(\w+:)?\s*[\\/]\s*[\\/]/, '$1//');
  if (v.startsWith('relative:')) return false;
  try {
    const u = new URL(v, 'relative://relative-site/');
    if (u.protocol === 'relative:' && u.hostname === 'relative-site') return false;
    return IFRAMES.has(u.hostname);
  } catch {
    return false;
  }
}

interface Frame {
  tag: string;
  attribs: Record<string, string>;
  /** Where the element's start tag begins in the output. */
  at: number;
  /** Disallowed: neither its tags nor (for NON_TEXT_TAGS) its content are written. */
  skip: boolean;
}

/**
 * Writes an allowed start tag with the attributes the policy keeps, deleting the others from
 * `attribs` so that dropsElement judges what was written.
 */
function startTag(tag: string, attribs: Record<string, string>): string {
  const allowed = ATTRIBUTES.get(tag) ?? GLOBAL_ATTRIBUTES;
  let out = '<' + tag;
  for (const name in attribs) {
    let value = attribs[name]!;
    if (!allowed.has(name) || (value === '' && !EMPTY_OK.has(name))) {
      delete attribs[name];
      continue;
    }
    if (URL_ATTRS.has(name) && isUnsafeHref(value, tag === 'a' ? LINK_SCHEMES : LOAD_SCHEMES)) {
      delete attribs[name];
      continue;
    }
    if (tag === 'iframe' && name === 'src' && !isAllowedIframeSrc(value)) {
      delete attribs[name];
      continue;
    }
    if (name === 'srcset') {
      const canonical = canonicalSrcset(value);
      if (canonical === undefined) {
        delete attribs[name];
        continue;
      }
      value = attribs[name] = canonical;
    }
    out += value ? ` ${name}="${escapeHtml(value)}"` : name === 'alt' ? ' alt=""' : ' ' + name;
  }
  return out + (VOID.has(tag) ? ' />' : '>');
}

export interface HtmlSanitizer {
  /**
   * Sanitizes feed HTML with an allow-list and makes every URL in it absolute against
   * `baseUrl` (the item's xml:base or the document URL) by the URL policy.
   */
  sanitize(html: string, baseUrl: string): string;
}

/** A sanitizer for one document (or one worker), sharing the URL policy's base cache. */
export function createHtmlSanitizer(urls: UrlPolicy = createUrlPolicy()): HtmlSanitizer {
  return {
    sanitize(html, baseUrl) {
      if (!html) return '';
      // Text with no tag, reference or '>' comes out as it went in (only &, < and > are escaped).
      if (!/[<>&]/.test(html)) return html.trim();
      let out = '';
      const stack: Frame[] = [];
      // Open elements inside a dropped non-text element, itself included: nothing is written.
      let hidden = 0;
      scanHtml(html, {
        onopentag(tag, attribs) {
          if (hidden > 0) {
            hidden++;
            return;
          }
          const skip = !TAGS.has(tag);
          stack.push({ tag, attribs, at: out.length, skip });
          if (skip) {
            if (NON_TEXT.has(tag)) hidden = 1;
            return;
          }
          rewriteAttributes(tag, attribs, baseUrl, urls);
          out += startTag(tag, attribs);
        },
        ontext(text) {
          if (hidden === 0) out += escapeText(text);
        },
        onclosetag(tag) {
          if (hidden > 0 && --hidden > 0) return;
          const frame = stack.pop();
          if (!frame) return;
          // An end tag that closes something else (bad markup) leaves the element open.
          if (frame.tag !== tag) {
            stack.push(frame);
            return;
          }
          if (frame.skip) return;
          if (dropsElement(tag, frame.attribs)) out = out.slice(0, frame.at);
          else if (!VOID.has(tag)) out += `</${tag}>`;
        },
      });
      return out.trim();
    },
  };
}

/**
 * The text content of an HTML fragment, entities decoded, whitespace as written. Script/style
 * bodies are dropped, not shown as text (TEXT_NON_TEXT_TAGS). Word boundaries are the caller's
 * business (html-text.ts).
 */
export function htmlTextContent(html: string): string {
  let out = '';
  let hidden = 0;
  scanHtml(html, {
    onopentag(tag) {
      if (hidden > 0) hidden++;
      else if (TEXT_NON_TEXT.has(tag)) hidden = 1;
    },
    ontext(text) {
      if (hidden === 0) out += text;
    },
    onclosetag() {
      if (hidden > 0) hidden--;
    },
  });
  return out;
}
