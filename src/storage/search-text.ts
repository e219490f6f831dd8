// What the full-text index and category matching see, shared by the migrations (as SQL
// functions) and the repositories, so a backfill and a live write index exactly the same text.

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/giu, (all, ent: string) => {
    if (ent[0] === '#') {
      const code = ent[1] === 'x' || ent[1] === 'X' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
    }
    return NAMED_ENTITIES[ent.toLowerCase()] ?? all;
  });
}

/**
 * Index text of stored (sanitized) HTML, for the full-text index only: tag names and attribute
 * values (href, src) would otherwise match searches such as "img" or "https". Unlike the
 * display text (ingest/html-text.ts) every tag is a word boundary, so "a<b>b</b>" indexes two
 * tokens; changing it would make new rows tokenize differently from rows already indexed.
 */
export function indexText(html: string | null | undefined): string {
  if (!html) return '';
  const text = html
    .replace(/<!--[\s\S]*?-->/gu, ' ')
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/giu, ' ')
    .replace(/<[^>]*>/gu, ' ');
  return decodeEntities(text).replace(/\s+/gu, ' ').trim();
}

/** The form categories are matched in: case-insensitive for every script, not just ASCII. */
export function foldCategory(term: string): string {
  return term.normalize('NFC').trim().toLowerCase();
}
