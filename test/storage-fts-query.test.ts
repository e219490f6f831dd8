import assert from 'node:assert/strict';
import { ValidationError } from '../src/errors.js';
import { toFtsQuery } from '../src/storage/sqlite/fts-query.js';

describe('toFtsQuery', () => {
  const cases: { name: string; input: string; want: string }[] = [
    { name: 'one word', input: 'climate', want: '"climate"' },
    { name: 'words are AND-ed by juxtaposition', input: 'climate  summit', want: '"climate" "summit"' },
    { name: 'trailing star keeps prefix search', input: 'clim*', want: '"clim"*' },
    { name: 'star inside a word is dropped', input: 'cl*im', want: '"clim"' },
    { name: 'quotes are removed, not passed through', input: '"unterminated', want: '"unterminated"' },
    { name: 'operators become plain words', input: 'cats AND OR NOT dogs', want: '"cats" "AND" "OR" "NOT" "dogs"' },
    { name: 'column filter syntax is quoted', input: 'title:secret', want: '"title:secret"' },
    { name: 'parentheses stay inside the string', input: '(a OR b)', want: '"(a" "OR" "b)"' },
    { name: 'punctuation-only chunks are dropped', input: 'news : ( ) ^ -', want: '"news"' },
    { name: 'non-latin scripts are words', input: 'Москва 東京', want: '"Москва" "東京"' },
    { name: 'idempotent on its own output', input: '"clim"* "summit"', want: '"clim"* "summit"' },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(toFtsQuery(c.input), c.want));
  }

  const invalid: { name: string; input: string }[] = [
    { name: 'empty', input: '' },
    { name: 'whitespace', input: '   \t' },
    { name: 'only punctuation', input: '" * : ( ) ^' },
    { name: 'too many words', input: Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ') },
  ];
  for (const c of invalid) {
    it(`refuses ${c.name} with a 400 ValidationError`, () => {
      assert.throws(
        () => toFtsQuery(c.input),
        (err: unknown) => err instanceof ValidationError && err.code === 'invalid_query' && err.status === 400,
      );
    });
  }
});
