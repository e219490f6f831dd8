// Plain-text string helpers (no HTML parsing): whitespace, truncation, text → HTML paragraphs.
// Titles and summaries are stored as text, never markup (DESIGN.md §3).
import { escapeHtml } from '../html-escape.js';

/** Collapses runs of whitespace (including NBSP and line breaks) to one space and trims. */
export function collapseWhitespace(s: string): string {
  // \s covers NBSP, U+2028 and U+2029. A run that is already one plain space is left alone
  // (most runs in prose): matching it would only replace it with itself.
  return s.replace(/\s{2,}|[^\S ]/g, ' ').trim();
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
