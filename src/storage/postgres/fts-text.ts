// Full text on PostgreSQL with SQLite's semantics. to_tsvector would not do: PostgreSQL's
// parser keeps hosts, e-mail addresses, file paths and hyphenated words whole where SQLite's
// FTS5 unicode61 tokenizer splits them, so "example" would find "example.com" on one backend
// and not on the other. Instead the text is tokenized here exactly as unicode61 with
// remove_diacritics 2 does (https://www.sqlite.org/fts5.html#unicode61_tokenizer), and the
// tokens are handed to PostgreSQL as tsvector / tsquery literals, which it stores and matches
// without parsing them again. A GIN index on the tsvector serves `@@`, prefixes included.
//
// Known approximations (PostgreSQL limits, far beyond real articles): positions above 16,383
// are stored as 16,383 and at most 256 positions are kept per word (phrase matches that far
// into one text may differ); a word longer than 2,046 bytes is compared on its first 2,046.

/** Combining marks that unicode61 treats as word characters and drops (remove_diacritics). */
const DIACRITICS = new Set([
  0x300, 0x301, 0x302, 0x303, 0x304, 0x306, 0x307, 0x308, 0x309, 0x30a, 0x30b, 0x30c, 0x30f, 0x311, 0x31b, 0x323, 0x324, 0x325,
  0x326, 0x327, 0x328, 0x32d, 0x32e, 0x330, 0x331,
]);
const WORD_CHAR = /^[\p{L}\p{N}\p{Co}\p{Cn}]$/u;
const ASCII_LETTER = /^[a-z]$/;

const MAX_POSITION = 16_383;
const MAX_POSITIONS_PER_WORD = 256;
const MAX_WORD_BYTES = 2_046;

/** Folded code points of one call (a document or a query): letters repeat, folding is not cheap. */
type FoldCache = Map<number, string>;

/**
 * One code point as unicode61 indexes it: '' for a diacritic, otherwise lower-cased by simple
 * (one-to-one) case folding, and with remove_diacritics 2 an ASCII letter carrying only
 * diacritics becomes the bare letter (é → e, ộ → o; ø and ß stay).
 */
function foldCodePoint(cp: number, foldCache: FoldCache): string {
  if (cp < 128) return cp >= 65 && cp <= 90 ? String.fromCharCode(cp + 32) : String.fromCharCode(cp);
  let out = foldCache.get(cp);
  if (out !== undefined) return out;
  const ch = String.fromCodePoint(cp);
  if (DIACRITICS.has(cp)) out = '';
  else if (cp < 0x10000) {
    // Upper then lower approximates Unicode case folding (µ → μ, ς → σ, ſ → s); the dotless ı
    // has no folding of its own.
    const lower = cp === 0x131 ? ch : ch.toUpperCase().toLowerCase();
    const parts = [...lower.normalize('NFD')];
    if (parts.length > 1 && ASCII_LETTER.test(parts[0]!) && parts.slice(1).every((p) => DIACRITICS.has(p.codePointAt(0)!))) out = parts[0]!;
    else out = [...lower].length === 1 ? lower : ch;
  } else if (cp >= 0x10400 && cp < 0x10428) {
    out = String.fromCodePoint(cp + 40); // Deseret: the only case pairs unicode61 folds beyond the BMP
  } else out = ch;
  foldCache.set(cp, out);
  return out;
}

function isWordCodePoint(cp: number): boolean {
  if (cp < 128) return (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122);
  return DIACRITICS.has(cp) || WORD_CHAR.test(String.fromCodePoint(cp));
}

/** The words of `text` as FTS5 unicode61 (remove_diacritics 2) indexes them, in order. */
export function ftsTokens(text: string): string[] {
  return tokensOf(text, new Map());
}

function tokensOf(text: string, foldCache: FoldCache): string[] {
  const out: string[] = [];
  let word = '';
  let inWord = false;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (isWordCodePoint(cp)) {
      word += foldCodePoint(cp, foldCache);
      inWord = true;
    } else if (inWord) {
      if (word !== '') out.push(word);
      word = '';
      inWord = false;
    }
  }
  if (word !== '') out.push(word);
  return out;
}

function clip(word: string): string {
  if (Buffer.byteLength(word) <= MAX_WORD_BYTES) return word;
  let out = '';
  let bytes = 0;
  for (const ch of word) {
    bytes += Buffer.byteLength(ch);
    if (bytes > MAX_WORD_BYTES) break;
    out += ch;
  }
  return out;
}

/** A lexeme quoted for tsvector/tsquery input (our words hold no quote or backslash, but be exact). */
function quote(word: string): string {
  return `'${clip(word).replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * The tsvector literal (cast with ::tsvector) for an article's indexed fields. Fields are
 * separate columns in SQLite, so a phrase cannot span two: here one unused position between
 * fields keeps `<->` from joining the end of one to the start of the next.
 */
export function ftsDocument(fields: readonly string[]): string {
  const positions = new Map<string, number[]>();
  const foldCache: FoldCache = new Map();
  let pos = 0;
  for (const field of fields) {
    for (const word of tokensOf(field, foldCache)) {
      pos++;
      const key = clip(word);
      let list = positions.get(key);
      if (!list) positions.set(key, (list = []));
      if (list.length < MAX_POSITIONS_PER_WORD) list.push(Math.min(pos, MAX_POSITION));
    }
    pos++;
  }
  const parts: string[] = [];
  for (const [word, list] of positions) parts.push(`${quote(word)}:${[...new Set(list)].join(',')}`);
  return parts.join(' ');
}

/** One search term: a word as typed (quotes removed), and whether it ended in `*`. */
export interface SearchTerm {
  word: string;
  prefix: boolean;
}

/**
 * The tsquery literal (cast with ::tsquery) for terms AND-ed, as FTS5 matches `"w1" "w2"*`:
 * each term is a phrase of its tokens (foo.bar → foo <-> bar), the last one a prefix when the
 * term ended in `*`. Undefined when no term has a word left: such a query matches nothing.
 */
export function ftsQuery(terms: readonly SearchTerm[]): string | undefined {
  const phrases: string[] = [];
  const foldCache: FoldCache = new Map();
  for (const t of terms) {
    const tokens = tokensOf(t.word, foldCache);
    if (tokens.length === 0) continue;
    const quoted = tokens.map(quote);
    if (t.prefix) quoted[quoted.length - 1] += ':*';
    phrases.push(quoted.length > 1 ? `(${quoted.join(' <-> ')})` : quoted[0]!);
  }
  return phrases.length ? phrases.join(' & ') : undefined;
}
