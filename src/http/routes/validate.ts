// Request body/query validation with zod; failures become ValidationError so the one error
// handler answers them (422 for a well-formed body with bad fields).
import type { z } from 'zod';
import { ValidationError } from '../../errors.js';

export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  if (body === undefined) {
    throw new ValidationError('invalid_body', 'request: a JSON body (Content-Type: application/json) is required', 400);
  }
  const res = schema.safeParse(body);
  if (!res.success) {
    const issue = res.error.issues[0]!;
    const where = issue.path.length ? issue.path.join('.') : 'body';
    throw new ValidationError('invalid_body', `request: ${where}: ${issue.message}`, 422, res.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })));
  }
  return res.data;
}

/** A query-string integer in [min, max], or the default; anything else is a 400. */
export function queryInt(value: unknown, name: string, min: number, max: number, dflt: number | undefined): number | undefined {
  if (value === undefined) return dflt;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ValidationError('invalid_query', `query: ${name} must be a whole number between ${min} and ${max}`, 400);
  }
  return Number(value);
}

/** A query-string text value given at most once, or undefined. */
export function queryText(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ValidationError('invalid_query', `query: ${name} must be given once`, 400);
  const t = value.trim();
  return t === '' ? undefined : t;
}

/** Route `:id` of a source: numeric id or slug. */
export function idOrSlug(param: unknown): number | string {
  const s = String(param);
  return /^\d{1,15}$/.test(s) ? Number(s) : s;
}

/** A query-string switch: absent, 0 or false is off; 1 or true is on; anything else a 400. */
export function queryFlag(value: unknown, name: string): boolean {
  if (value === undefined) return false;
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new ValidationError('invalid_query', `query: ${name} must be 1 or 0`, 400);
}
