// Turns free text typed by a person into a safe FTS5 MATCH expression. FTS5 has its own
// grammar (quotes, AND/OR/NOT, NEAR, column filters "col:", parentheses, "^", "*"); passing
// user text straight through turns a stray quote into an SQLite syntax error, so every word
// is quoted and the words are AND-ed by juxtaposition. A trailing "*" keeps prefix search.
import { ValidationError } from '../errors.js';

/** More terms than this is not a search, it is a paste; refuse it rather than run it. */
export const MAX_QUERY_TERMS = 32;

const HAS_WORD = /[\p{L}\p{N}]/u;

function ftsTerms(q: string): string[] {
  const terms: string[] = [];
  for (const chunk of q.split(/\s+/u)) {
    // Quotes would end the FTS5 string early, and "*" means prefix only outside one.
    const bare = chunk.replace(/"/gu, '');
    const prefix = bare.endsWith('*');
    const word = bare.replace(/\*/gu, '');
    if (!HAS_WORD.test(word)) continue;
    terms.push(`"${word}"${prefix ? '*' : ''}`);
  }
  return terms;
}

/**
 * What makes `q` unusable as a search ("must contain …"), or undefined. The one rule for the
 * `q` parameter and for a channel's stored query, so a channel can never be saved with a query
 * that every request would then refuse.
 */
export function searchTextProblem(q: string): string | undefined {
  const n = ftsTerms(q).length;
  if (n === 0) return 'must contain at least one letter or digit';
  if (n > MAX_QUERY_TERMS) return `has ${n} words; at most ${MAX_QUERY_TERMS} are allowed`;
  return undefined;
}

export function toFtsQuery(q: string): string {
  const problem = searchTextProblem(q);
  if (problem) throw new ValidationError('invalid_query', `query: q ${problem}`, 400);
  return ftsTerms(q).join(' ');
}
