// The `q` search, parsed once for every backend: whitespace-separated words, all required
// (AND), a trailing "*" asks for a prefix match. Each backend renders the terms into its own
// grammar (sqlite/fts-query.ts: an FTS5 MATCH expression; PostgreSQL: a tsquery), so both
// answer the same question. Quotes and other operator characters never reach a query grammar:
// they are dropped or stay inside a word.
import { ValidationError } from '../errors.js';

/** More terms than this is not a search, it is a paste; refuse it rather than run it. */
export const MAX_QUERY_TERMS = 32;

const HAS_WORD = /[\p{L}\p{N}]/u;

export interface SearchTerm {
  /** The word as typed, without quotes or "*" (still holds other punctuation). */
  word: string;
  /** A trailing "*": match words starting with `word`. */
  prefix: boolean;
}

function parseTerms(q: string): SearchTerm[] {
  const terms: SearchTerm[] = [];
  for (const chunk of q.split(/\s+/u)) {
    // Quotes would end an FTS5 string early, and "*" means prefix only at the end of a word.
    const bare = chunk.replace(/"/gu, '');
    const prefix = bare.endsWith('*');
    const word = bare.replace(/\*/gu, '');
    if (!HAS_WORD.test(word)) continue;
    terms.push({ word, prefix });
  }
  return terms;
}

/**
 * What makes `q` unusable as a search ("must contain …"), or undefined. The one rule for the
 * `q` parameter and for a channel's stored query, so a channel can never be saved with a query
 * that every request would then refuse.
 */
export function searchTextProblem(q: string): string | undefined {
  const n = parseTerms(q).length;
  if (n === 0) return 'must contain at least one letter or digit';
  if (n > MAX_QUERY_TERMS) return `has ${n} words; at most ${MAX_QUERY_TERMS} are allowed`;
  return undefined;
}

/** The terms of a usable `q`; throws ValidationError(400, 'invalid_query') otherwise. */
export function searchTerms(q: string): SearchTerm[] {
  const problem = searchTextProblem(q);
  if (problem) throw new ValidationError('invalid_query', `query: q ${problem}`, 400);
  return parseTerms(q);
}
