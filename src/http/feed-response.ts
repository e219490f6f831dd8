// The one function that answers with a rendered feed, used by the fast lane and the Express
// route alike so their headers are identical. Header arrays are built once per cached feed
// (WeakMap: they go when the cache drops the feed) and written with writeHead(status, array).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { websubLinkHeader } from '../services/feed-path.js';
import type { RenderedFeed } from '../services/types.js';

export const Coding = { Identity: 0, Gzip: 1, Br: 2 } as const;
export type Coding = (typeof Coding)[keyof typeof Coding];

const CODING_SUFFIX = ['', '-gzip', '-br'] as const;

interface Prepared {
  /** The opaque part of the ETag, without quotes. */
  tag: string;
  /** The ETag header value per coding: what a revalidating client sends back as it is. */
  etags: [string, string, string];
  /** Last-Modified in whole seconds (what the header can carry), or NaN. */
  lastModifiedS: number;
  ok: [string[], string[], string[]];
  notModified: [string[], string[], string[]];
  bodies: [Buffer, Buffer, Buffer];
}

/**
 * Picks the content coding from Accept-Encoding (RFC 9110 §12.5.3): the acceptable coding with
 * the highest q wins, br on a tie with gzip (smaller), identity when it is preferred or nothing
 * else is acceptable. "q=0" refuses a coding; "*" stands for codings not listed.
 */
export function chooseCoding(header: string | undefined): Coding {
  if (!header) return Coding.Identity;
  let br = -1;
  let gzip = -1;
  let identity = -1;
  let star = -1;
  for (const part of header.split(',')) {
    const [rawName, ...params] = part.split(';');
    const name = rawName!.trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (!Number.isFinite(q)) q = 0;
    if (name === 'br') br = q;
    else if (name === 'gzip' || name === 'x-gzip') gzip = Math.max(gzip, q);
    else if (name === 'identity') identity = q;
    else if (name === '*') star = q;
  }
  if (br < 0) br = star;
  if (gzip < 0) gzip = star;
  const best = Math.max(br, gzip);
  if (best <= 0 || identity > best) return Coding.Identity;
  return br >= gzip ? Coding.Br : Coding.Gzip;
}

/** Weak comparison (RFC 9110 §13.1.2) of an If-None-Match list against our tag in any coding. */
export function ifNoneMatchHits(header: string, tag: string): boolean {
  for (const raw of header.split(',')) {
    let t = raw.trim();
    if (t === '*') return true;
    if (t.startsWith('W/')) t = t.slice(2);
    if (t.length < 2 || t[0] !== '"' || t[t.length - 1] !== '"') continue;
    t = t.slice(1, -1);
    if (t === tag || t === tag + CODING_SUFFIX[1] || t === tag + CODING_SUFFIX[2]) return true;
  }
  return false;
}

/**
 * writeHead serializes the array before returning, so the per-request headers are appended
 * to the shared array and removed again instead of copying the whole array every time.
 */
function writeHeadWithId(res: ServerResponse, status: number, headers: string[], requestId: string, extra: readonly string[] | undefined): void {
  const n = headers.length;
  headers.push('X-Request-Id', requestId);
  if (extra) for (const h of extra) headers.push(h);
  try {
    res.writeHead(status, headers);
  } finally {
    headers.length = n;
  }
}

export interface FeedResponder {
  /**
   * Writes a 200 (body or HEAD) or 304 for `feed`, including the x-request-id header and
   * `extra` (name, value, name, value…: a partner's RateLimit headers).
   */
  write(req: IncomingMessage, res: ServerResponse, feed: RenderedFeed, requestId: string, extra?: readonly string[]): number;
}

/** Header set shared by every feed response: caching, CORS (feeds are public), nosniff. */
export function feedCommonHeaders(maxAgeS: number): string[] {
  // Serving a copy up to this old while revalidating costs readers nothing and spares us.
  const swr = Math.max(60, maxAgeS);
  return [
    'Cache-Control',
    `public, max-age=${maxAgeS}, stale-while-revalidate=${swr}`,
    'Vary',
    'Accept-Encoding',
    'Access-Control-Allow-Origin',
    '*',
    'Access-Control-Expose-Headers',
    'ETag, Last-Modified, Link',
    'X-Content-Type-Options',
    'nosniff',
  ];
}

/**
 * A partner's response depends on its key: no shared cache may store it (RFC 9111 §3.5 lets one
 * store an authorized response marked `public`), and scripts may read the quota headers.
 */
export function partnerFeedHeaders(maxAgeS: number): string[] {
  return [
    'Cache-Control',
    `private, max-age=${maxAgeS}`,
    'Vary',
    'Accept-Encoding, Authorization',
    'Access-Control-Allow-Origin',
    '*',
    'Access-Control-Expose-Headers',
    'ETag, Last-Modified, Link, RateLimit, RateLimit-Policy, Retry-After',
    'X-Content-Type-Options',
    'nosniff',
  ];
}

export function createFeedResponder(opts: { maxAgeS: number }): FeedResponder {
  const publicCommon = feedCommonHeaders(opts.maxAgeS);
  const partnerCommon = partnerFeedHeaders(opts.maxAgeS);
  const prepared = new WeakMap<RenderedFeed, Prepared>();
  // Browsers and clients send a handful of distinct Accept-Encoding strings; parse each once.
  const codingMemo = new Map<string, Coding>();

  function prepare(feed: RenderedFeed): Prepared {
    const tag = feed.etag.slice(1, -1);
    const lastModifiedS = feed.lastModified ? Math.floor(feed.lastModified.getTime() / 1000) : NaN;
    const lm = Number.isNaN(lastModifiedS) ? [] : ['Last-Modified', new Date(lastModifiedS * 1000).toUTCString()];
    const bodies: Prepared['bodies'] = [feed.body, feed.gzip, feed.br];
    const common = feed.variant ? partnerCommon : publicCommon;
    // WebSub §4 discovery: the hub and the topic (self) ride on every answer, 304s included.
    const link = ['Link', websubLinkHeader(feed.hubUrl, feed.selfUrl)];
    const etags = CODING_SUFFIX.map((suffix) => `"${tag}${suffix}"`) as Prepared['etags'];
    const ok = [0, 1, 2].map((c) => {
      const enc = c === Coding.Identity ? [] : ['Content-Encoding', c === Coding.Gzip ? 'gzip' : 'br'];
      return ['Content-Type', feed.contentType, 'Content-Length', String(bodies[c]!.length), ...enc, 'ETag', etags[c]!, ...lm, ...link, ...common];
    }) as Prepared['ok'];
    const notModified = [0, 1, 2].map((c) => ['ETag', etags[c]!, ...lm, ...link, ...common]) as Prepared['notModified'];
    const p: Prepared = { tag, etags, lastModifiedS, ok, notModified, bodies };
    prepared.set(feed, p);
    return p;
  }

  function codingFor(header: string | undefined): Coding {
    if (header === undefined) return Coding.Identity;
    let c = codingMemo.get(header);
    if (c === undefined) {
      c = chooseCoding(header);
      if (codingMemo.size >= 256) codingMemo.clear();
      codingMemo.set(header, c);
    }
    return c;
  }

  function notModified(req: IncomingMessage, p: Prepared): boolean {
    const inm = req.headers['if-none-match'];
    if (inm !== undefined) {
      // Most revalidations send back exactly the one ETag they were given: no list to parse.
      const e = p.etags;
      return inm === e[0] || inm === e[1] || inm === e[2] || ifNoneMatchHits(inm, p.tag);
    }
    const ims = req.headers['if-modified-since'];
    if (ims === undefined || Number.isNaN(p.lastModifiedS)) return false;
    const since = Date.parse(ims);
    return !Number.isNaN(since) && p.lastModifiedS <= Math.floor(since / 1000);
  }

  return {
    write(req, res, feed, requestId, extra) {
      const p = prepared.get(feed) ?? prepare(feed);
      const coding = codingFor(req.headers['accept-encoding']);
      if (notModified(req, p)) {
        writeHeadWithId(res, 304, p.notModified[coding], requestId, extra);
        res.end();
        return 304;
      }
      writeHeadWithId(res, 200, p.ok[coding], requestId, extra);
      if (req.method === 'HEAD') res.end();
      else res.end(p.bodies[coding]);
      return 200;
    },
  };
}
