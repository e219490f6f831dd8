// The fast lane: GET/HEAD of a feed that is already rendered and cached is answered straight
// from the node request listener. Express costs several times raw Node per request, and the
// cached-feed hit is the request partners and readers make all day. Anything else, including a
// cache miss, a query that does not validate or a partner key snapshot to reload, returns false
// and goes to Express, which renders, validates and reports errors; so does a storage error
// while probing (createHttpServer), which Express then reports. A bad key or a missing
// entitlement is answered here too (from the cached feed's access rule).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { originFromHost, parseFeedQuery, queryStringToRecord } from '../services/feed-query.js';
import type { FeedQuery, FeedService } from '../services/types.js';
import { parseFeedPath, type FeedPath } from '../services/feed-path.js';
import { takeKeyParam, type PartnerAuth } from './partner-auth.js';
import type { Metrics } from './metrics.js';
import { requestIdOf } from './request-id.js';

/** Resolves true when it answered the request, false when Express must (nothing written yet). */
export type FastLane = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const NO_QUERY: FeedQuery = Object.freeze({});

export function createFastLane(deps: { feeds: FeedService; partnerAuth: PartnerAuth; baseUrl?: string; log: Logger; metrics?: Metrics }): FastLane {
  const { feeds, partnerAuth, log, metrics } = deps;
  // Feed paths repeat endlessly; remember their parse (bounded, misses included as null).
  const paths = new Map<string, FeedPath | null>();

  function pathOf(path: string): FeedPath | undefined {
    let p = paths.get(path);
    if (p === undefined) {
      p = parseFeedPath(path) ?? null;
      if (paths.size >= 1024) paths.clear();
      paths.set(path, p);
    }
    return p ?? undefined;
  }

  return async (req, res) => {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') return false;
    const url = req.url;
    if (url === undefined || !url.startsWith('/feeds/')) return false;
    const qi = url.indexOf('?');
    const parsed = pathOf(qi < 0 ? url : url.slice(0, qi));
    if (!parsed) return false;
    let query = NO_QUERY;
    let keyParam: string | undefined;
    if (qi >= 0 && qi < url.length - 1) {
      try {
        const record = queryStringToRecord(url.slice(qi + 1));
        keyParam = takeKeyParam(record);
        query = parseFeedQuery(record);
      } catch {
        return false;
      }
    }
    // A long poll may have to wait: Express holds it (routes/feeds.ts).
    if (query.wait) return false;
    // A public request awaits once (the data version); a partner request twice (its key
    // snapshot's version, then the data version). Neither queries the database.
    const cached = partnerAuth.identifyCached(req, keyParam);
    const auth = cached instanceof Promise ? await cached : cached;
    if (auth === undefined) return false;
    const id = requestIdOf(req);
    let status: number;
    if (auth.kind === 'invalid' || auth.kind === 'inactive') {
      status = auth.kind === 'invalid' ? 401 : 403;
      partnerAuth.refuse(res, status as 401 | 403, auth, id);
    } else {
      const origin = deps.baseUrl ? undefined : originFromHost(req.headers.host);
      const feed = await feeds.peekFeed(parsed.target, parsed.format, query, origin, auth.kind === 'partner' ? auth.partner.variant : undefined);
      if (!feed) return false;
      const verdict = partnerAuth.admit(feed.access, auth);
      if (verdict === 'ok') status = partnerAuth.send(req, res, feed, auth, id, parsed);
      else {
        status = verdict;
        partnerAuth.refuse(res, verdict, auth, id);
      }
    }
    // A Map update, not prom-client: the scrape turns the tallies into counters.
    metrics?.servedFast(status, auth.kind !== 'anonymous');
    if (log.level === 'debug' || log.level === 'trace') log.debug({ reqId: id, method, url, status, lane: 'fast' }, 'request');
    return true;
  };
}
