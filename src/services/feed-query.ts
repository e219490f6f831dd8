// Public feed URL query: validation and the one canonical form used for cache keys and for the
// self/next links, so `?q=x&limit=5` and `?limit=5&q=x` are one cached document.
import { ValidationError } from '../errors.js';
import type { FeedQuery, PageQuery } from './types.js';
import { searchTextProblem } from '../storage/search-terms.js';
import { MAX_WAIT_S } from './long-poll.js';
import { queryInteger, queryText, queryValue } from './query-values.js';

export const MAX_LIMIT = 500;
const MAX_TEXT = 200;
const KNOWN = new Set(['limit', 'category', 'q', 'after', 'wait']);

function integer(raw: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  return queryInteger(raw[key], key, min, max);
}

function text(raw: Record<string, unknown>, key: string): string | undefined {
  return queryText(raw[key], key, { empty: 'error', max: MAX_TEXT });
}

/**
 * Validates a parsed query string (values are strings, repeated keys arrays). Unknown keys are
 * refused too: a typo such as `?limt=5` silently serving 50 items is worse than a 400.
 */
export function parseFeedQuery(raw: Record<string, unknown>): FeedQuery {
  for (const key of Object.keys(raw)) {
    if (!KNOWN.has(key)) throw new ValidationError('invalid_query', `query: unknown parameter ${JSON.stringify(key.slice(0, 40))} (allowed: limit, category, q, after, wait)`, 400);
  }
  const out: FeedQuery = {};
  const limit = integer(raw, 'limit', 1, MAX_LIMIT);
  if (limit !== undefined) out.limit = limit;
  const category = text(raw, 'category');
  if (category !== undefined) out.category = category;
  const q = text(raw, 'q');
  if (q !== undefined) out.q = q;
  const after = integer(raw, 'after', 0, Number.MAX_SAFE_INTEGER);
  if (after !== undefined) out.after = after;
  const wait = integer(raw, 'wait', 0, MAX_WAIT_S);
  if (wait !== undefined) {
    if (after === undefined) throw new ValidationError('invalid_query', 'query: wait needs after (long polling follows the cursor)', 400);
    out.wait = wait;
  }
  return out;
}

const PAGE_KNOWN = new Set(['limit', 'category', 'q', 'page']);
/** limit × page: how far back the human pages go (a feed reader or the cursor goes further). */
export const PAGE_QUERY_MAX_ITEMS = 1000;
/** Articles on a human page unless `limit` says otherwise. */
export const PAGE_DEFAULT_LIMIT = 30;

/** A human page's query: the feed's `limit`, `category` and `q` rules, plus `page`. */
export function parsePageQuery(raw: Record<string, unknown>): PageQuery {
  for (const key of Object.keys(raw)) {
    if (!PAGE_KNOWN.has(key)) throw new ValidationError('invalid_query', `query: unknown parameter ${JSON.stringify(key.slice(0, 40))} (allowed: limit, category, q, page)`, 400);
  }
  const out: PageQuery = {};
  const limit = integer(raw, 'limit', 1, 100);
  if (limit !== undefined) out.limit = limit;
  const category = text(raw, 'category');
  if (category !== undefined) out.category = category;
  // An empty search box submits q=: that is no search, not an error.
  const q = queryValue(raw.q, 'q')?.trim() ? text(raw, 'q') : undefined;
  if (q !== undefined) {
    const problem = searchTextProblem(q);
    if (problem) throw new ValidationError('invalid_query', `query: q ${problem}`, 400);
    out.q = q;
  }
  const page = integer(raw, 'page', 1, PAGE_QUERY_MAX_ITEMS);
  if (page !== undefined) out.page = page;
  if ((out.page ?? 1) * (out.limit ?? PAGE_DEFAULT_LIMIT) > PAGE_QUERY_MAX_ITEMS)
    throw new ValidationError('invalid_query', `query: pages go back ${PAGE_QUERY_MAX_ITEMS} articles at most (page × limit); use a search or the feed`, 400);
  return out;
}

/** Parses a raw query string (without "?") into the shape parseFeedQuery takes. */
export function queryStringToRecord(search: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of new URLSearchParams(search)) {
    const prev = out[k];
    if (prev === undefined) out[k] = v;
    else if (Array.isArray(prev)) prev.push(v);
    else out[k] = [prev, v];
  }
  return out;
}

/**
 * Canonical query string ("" or "?a=b&…") in a fixed key order; `after` replaced when given.
 * `wait` is left out: it changes when the answer comes, not what it is (one cached document).
 */
export function canonicalQuery(q: FeedQuery, after?: number): string {
  const parts: string[] = [];
  if (q.limit !== undefined) parts.push(`limit=${q.limit}`);
  if (q.category !== undefined) parts.push(`category=${encodeURIComponent(q.category)}`);
  if (q.q !== undefined) parts.push(`q=${encodeURIComponent(q.q)}`);
  const a = after ?? q.after;
  if (a !== undefined) parts.push(`after=${a}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

const HOST = /^[a-z0-9.-]+(:\d{1,5})?$/;

/**
 * The origin self links are built on when no base URL is configured. The Host header is
 * client-controlled and keys the cache, so anything but a plain host[:port] falls back to
 * http://localhost rather than letting one request poison the links others receive.
 */
export function originFromHost(host: string | undefined): string {
  if (!host) return 'http://localhost';
  const h = host.toLowerCase();
  return h.length <= 255 && HOST.test(h) ? `http://${h}` : 'http://localhost';
}

const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/;

/** True for an origin originFromHost (or a configured base URL of that shape) could produce. */
export function isSafeOrigin(origin: string): boolean {
  return origin.length <= 270 && ORIGIN.test(origin);
}
