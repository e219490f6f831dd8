// The fast lane: GET/HEAD of a feed that is already rendered and cached is answered straight
// from the node request listener. Express costs several times raw Node per request, and the
// cached-feed hit is the request partners and readers make all day. Anything else, including a
// cache miss, a query that does not validate or a partner key snapshot to reload, goes to
// Express (`fallback`), which renders, validates and reports errors; so does a storage error
// while probing, which Express then reports. A bad key or a missing entitlement is answered
// here too (from the cached feed's access rule).
//
// Per request the lane allocates as little as it can: what is not a feed URL is handed on
// before any promise exists, a repeated path's parse is remembered, and a hit awaits only the
// data version (a partner's key is checked against its snapshot in memory before that, at once).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { originFromHost, parseFeedQuery, queryStringToRecord } from '../services/feed-query.js';
import type { FeedQuery, FeedService } from '../services/types.js';
import { parseFeedPath, type FeedPath } from '../services/feed-path.js';
import { takeKeyParam, type AuthOutcome, type PartnerAuth } from './partner-auth.js';
import type { Metrics } from './metrics.js';
import { requestIdOf } from './request-id.js';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Takes the request (true) or leaves it untouched (false: nothing written, the caller hands it
 * to Express). A taken request is answered here, or handed to `fallback` once the lane finds it
 * cannot answer it.
 */
export type FastLane = (req: IncomingMessage, res: ServerResponse) => boolean;

const NO_QUERY: FeedQuery = Object.freeze({});

export function createFastLane(deps: { feeds: FeedService; partnerAuth: PartnerAuth; baseUrl?: string; log: Logger; metrics?: Metrics; fallback: Listener }): FastLane {
  const { feeds, partnerAuth, log, metrics, fallback } = deps;
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

  /**
   * Answers from the cache, or hands the request to Express when it cannot (nothing written
   * then). One async function per request: the lane's only promise besides the service's.
   */
  async function serve(req: IncomingMessage, res: ServerResponse, parsed: FeedPath, query: FeedQuery, auth: AuthOutcome): Promise<void> {
    let answered = false;
    try {
      const id = requestIdOf(req);
      let status: number | undefined;
      if (auth.kind === 'invalid' || auth.kind === 'inactive') {
        const refusal = auth.kind === 'invalid' ? 401 : 403;
        partnerAuth.refuse(res, refusal, auth, id);
        status = refusal;
      } else {
        const origin = deps.baseUrl ? undefined : originFromHost(req.headers.host);
        const feed = await feeds.peekFeed(parsed.target, parsed.format, query, origin, auth.kind === 'partner' ? auth.partner.variant : undefined);
        if (feed) {
          const verdict = partnerAuth.admit(feed.access, auth);
          // A partner's quota answers from memory, or after a round trip for shared counters.
          if (verdict === 'ok') {
            const sent = partnerAuth.send(req, res, feed, auth, id, parsed);
            status = typeof sent === 'number' ? sent : await sent;
          } else {
            status = verdict;
            await partnerAuth.refuse(res, verdict, auth, id);
          }
        }
      }
      if (status !== undefined) {
        answered = true;
        // A Map update, not prom-client: the scrape turns the tallies into counters.
        metrics?.servedFast(status, auth.kind !== 'anonymous');
        const level = log.level;
        if (level === 'debug' || level === 'trace') log.debug({ reqId: id, method: req.method, url: req.url, status, lane: 'fast' }, 'request');
      }
    } catch {
      // Nothing written: Express answers (and reports the error); half-written: cut it off.
      if (res.headersSent) res.destroy();
      else fallback(req, res);
      return;
    }
    if (!answered) fallback(req, res);
  }

  return (req, res) => {
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
    // A key whose snapshot (or quota) must be loaded first goes to Express, which loads it.
    let auth: AuthOutcome | undefined;
    try {
      auth = partnerAuth.identifyCached(req, keyParam);
    } catch {
      return false;
    }
    if (auth === undefined) return false;
    void serve(req, res, parsed, query, auth);
    return true;
  };
}
