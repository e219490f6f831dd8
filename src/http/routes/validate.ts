// Request body/query validation with the input schemas (services/inputs.ts); failures become ValidationError so the one error
// handler answers them (422 for a well-formed body with bad fields).
import { ValidationError } from '../../errors.js';
import { parseInput, type InputOf, type InputSchema } from '../../services/inputs.js';
import { queryInteger, queryText as readText } from '../../services/query-values.js';

export function parseBody<S extends InputSchema>(schema: S, body: unknown): InputOf<S> {
  if (body === undefined) {
    throw new ValidationError('invalid_body', 'request: a JSON body (Content-Type: application/json) is required', 400);
  }
  return parseInput(schema, body, 'request');
}

/** A query-string integer in [min, max], or the default; anything else is a 400. */
export function queryInt(value: unknown, name: string, min: number, max: number, dflt: number | undefined): number | undefined {
  return queryInteger(value, name, min, max) ?? dflt;
}

/** A query-string text value given at most once, or undefined (blank too). */
export function queryText(value: unknown, name: string): string | undefined {
  return readText(value, name, { empty: 'absent' });
}

/** Route `:id` of a source: numeric id or slug. */
export function idOrSlug(param: unknown): number | string {
  const s = String(param);
  return /^\d{1,15}$/.test(s) ? Number(s) : s;
}
