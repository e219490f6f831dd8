// The one reader of query-string values, for the public feed URLs (fast lane and Express alike,
// through feed-query.ts) and the admin API: a value given once, whole numbers as digits only,
// trimmed text. Failures are 400 invalid_query.
import { ValidationError } from '../errors.js';

function invalid(message: string): ValidationError {
  return new ValidationError('invalid_query', `query: ${message}`, 400);
}

/** A value given at most once, as a plain string (repeated keys parse as arrays, nested ones as objects). */
export function queryValue(value: unknown, key: string): string | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw invalid(`${key} is given more than once`);
  if (typeof value !== 'string') throw invalid(`${key} must be a plain value`);
  return value;
}

/** A whole number in [min, max]. Digits only: Number('1e2'), Number(' 5') and Number('0x10') would all slip through. */
export function queryInteger(value: unknown, key: string, min: number, max: number): number | undefined {
  const v = queryValue(value, key);
  if (v === undefined) return undefined;
  if (!/^\d{1,15}$/.test(v)) throw invalid(`${key} must be a whole number`);
  const n = Number(v);
  if (n < min || n > max) throw invalid(`${key} must be between ${min} and ${max}`);
  return n;
}

/**
 * Trimmed text. `empty: 'absent'` reads a blank value as not given (an admin filter left
 * empty); `'error'` refuses it (a feed URL with `?q=` names no search and would cache apart).
 */
export function queryText(value: unknown, key: string, opts: { empty: 'absent' | 'error'; max?: number }): string | undefined {
  const v = queryValue(value, key);
  if (v === undefined) return undefined;
  const t = v.trim();
  if (t === '') {
    if (opts.empty === 'absent') return undefined;
    throw invalid(`${key} must not be empty`);
  }
  if (opts.max !== undefined && t.length > opts.max) throw invalid(`${key} is longer than ${opts.max} characters`);
  return t;
}

/** A switch: absent, 0 or false is off; 1 or true is on; anything else a 400. */
export function queryFlag(value: unknown, key: string): boolean {
  const v = queryValue(value, key);
  if (v === undefined || v === '0' || v === 'false') return false;
  if (v === '1' || v === 'true') return true;
  throw invalid(`${key} must be 1 or 0`);
}
