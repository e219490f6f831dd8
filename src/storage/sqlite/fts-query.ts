// Renders the `q` search terms (storage/search-terms.ts) as an FTS5 MATCH expression. FTS5 has
// its own grammar (quotes, AND/OR/NOT, NEAR, column filters "col:", parentheses, "^", "*");
// every word is quoted, so none of it applies, and the words are AND-ed by juxtaposition.
// A trailing "*" outside the quotes keeps prefix search.
import { searchTerms } from '../search-terms.js';

export function toFtsQuery(q: string): string {
  return searchTerms(q)
    .map((t) => `"${t.word}"${t.prefix ? '*' : ''}`)
    .join(' ');
}
