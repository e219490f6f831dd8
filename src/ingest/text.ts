// Plain-text helpers: titles and summaries are stored as text, never markup (DESIGN.md §3).
import { htmlToRawText, sanitizedHtmlToRawText } from './sanitize.js';

/** Collapses runs of whitespace (including NBSP and line breaks) to one space and trims. */
export function collapseWhitespace(s: string): string {
  // \s covers NBSP, U+2028 and U+2029. A run that is already one plain space is left alone
  // (most runs in prose): matching it would only replace it with itself.
  return s.replace(/\s{2,}|[^\S ]/g, ' ').trim();
}

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

/** HTML fragment → plain text: tags stripped, entities decoded, whitespace collapsed. */
export function htmlToText(html: string): string {
  return collapseWhitespace(htmlToRawText(html));
}

/** htmlToText for the output of sanitizeHtml (no second parse). */
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

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Plain text → HTML paragraphs: blank lines split paragraphs, single newlines become <br>. */
export function textToHtml(text: string): string {
  return text
    .split(/\r?\n\s*\r?\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${escapeHtml(p).replace(/\r?\n/g, '<br>')}</p>`)
    .join('\n');
}

/**
 * Shortens text to at most `max` characters at a sentence or word boundary, adding "…" when
 * it cut. Never returns an empty string for non-empty input.
 */
export function truncateText(text: string, max: number): string {
  const t = collapseWhitespace(text);
  if (t.length <= max) return t;
  const head = t.slice(0, max);
  const sentence = head.search(/[.!?…](?=\s[^.!?…]*$)/);
  if (sentence >= max * 0.5) return head.slice(0, sentence + 1);
  const space = head.lastIndexOf(' ');
  const cut = space >= max * 0.5 ? head.slice(0, space) : head.slice(0, max - 1);
  return cut.replace(/[\s,;:–—-]+$/, '') + '…';
}

