// HTML → plain text, the one htmlToText (DESIGN.md §3): feed titles, summaries and captions
// are stored as text. Parsing is sanitize.ts's text-only mode; sanitizer output takes a
// faster path because its escaping is known.
import { collapseWhitespace } from './plain-text.js';
import { htmlTextContent } from './sanitize.js';

// Block-level boundaries become spaces so "<p>a</p><p>b</p>" reads "a b", not "ab".
const BLOCK_BOUNDARY = /<\/?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|tr|td|th|table|blockquote|pre|figure|figcaption|section|article|header|footer|aside|nav|details|summary)\b[^>]*>/gi;

const SANITIZED_ESCAPE = /&(amp|lt|gt|quot);/g;

const TAG = /<\/?[a-z][a-z0-9:-]*(?:\s[^<>]*)?\/?>/i;
const ENTITY = /&(?:#\d+|#x[0-9a-f]+|[a-z][a-z0-9]*);/i;

/** True when the string contains an element tag (not a stray "<" in prose). */
export function hasMarkup(s: string): boolean {
  return TAG.test(s);
}

/** True when treating the string as HTML would change it (tags or character references). */
export function mayContainHtml(s: string): boolean {
  return TAG.test(s) || ENTITY.test(s);
}

/** HTML → text with entities decoded and no markup left; whitespace not yet collapsed. */
function htmlToRawText(html: string): string {
  if (!html) return '';
  // Without "<" or "&" there is neither markup nor a reference: the parse would return the text as it is.
  if (!html.includes('<') && !html.includes('&')) return html;
  return htmlTextContent(html.replace(BLOCK_BOUNDARY, ' $& '));
}

/**
 * htmlToRawText for HTML that the sanitizer produced: its text escapes exactly &, < and >, its
 * attribute values also " (so no ">" inside a tag), and it holds no comments, scripts or other
 * non-text elements, so stripping tags and inverting those four escapes gives the same text as
 * a second full parse, several times faster (ingest spent ~10% of its time re-parsing bodies).
 * A block tag becomes the two spaces " $& " would leave once stripped; replacements without a
 * callback stay in native code.
 */
function sanitizedHtmlToRawText(html: string): string {
  if (!html) return '';
  const text = html.replace(BLOCK_BOUNDARY, '  ').replace(/<[^>]*>/g, '');
  if (!text.includes('&')) return text;
  return text.replace(SANITIZED_ESCAPE, (_m, e: string) => (e === 'amp' ? '&' : e === 'lt' ? '<' : e === 'gt' ? '>' : '"'));
}

/** HTML fragment → plain text: tags stripped, entities decoded, whitespace collapsed. */
export function htmlToText(html: string): string {
  return collapseWhitespace(htmlToRawText(html));
}

/** htmlToText for the output of the sanitizer (no second parse). */
export function sanitizedHtmlToText(html: string): string {
  return collapseWhitespace(sanitizedHtmlToRawText(html));
}

/**
 * A field that may or may not be HTML (RSS titles, JSON Feed titles): decoded as HTML only
 * when it carries markup or character references, so "a < b" stays as written.
 */
export function maybeHtmlToText(s: string): string {
  return mayContainHtml(s) ? htmlToText(s) : collapseWhitespace(s);
}
