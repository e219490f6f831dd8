// The fast lane: GET/HEAD of a feed that is already rendered and cached is answered straight
// from the node request listener. Express costs several times raw Node per request, and the
// cached-feed hit is the request partners and readers make all day. Anything else, including a
// cache miss or a query that does not validate, returns false and goes to Express, which
// renders, validates and reports errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { originFromHost, parseFeedQuery, queryStringToRecord } from '../services/feed-query.js';
import type { FeedQuery, FeedService } from '../services/types.js';
import { parseFeedPath, type FeedPath } from './feed-path.js';
import type { FeedResponder } from './feed-response.js';
import { requestIdOf } from './request-id.js';

export type FastLane = (req: IncomingMessage, res: ServerResponse) => boolean;

const NO_QUERY: FeedQuery = Object.freeze({});

export function createFastLane(deps: { feeds: FeedService; responder: FeedResponder; baseUrl?: string; log: Logger }): FastLane {
  const { feeds, responder, log } = deps;
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

  return (req, res) => {
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') return false;
    const url = req.url;
    if (url === undefined || !url.startsWith('/feeds/')) return false;
    const qi = url.indexOf('?');
    const parsed = pathOf(qi < 0 ? url : url.slice(0, qi));
    if (!parsed) return false;
    let query = NO_QUERY;
    if (qi >= 0 && qi < url.length - 1) {
      try {
        query = parseFeedQuery(queryStringToRecord(url.slice(qi + 1)));
      } catch {
        return false;
      }
    }
    const origin = deps.baseUrl ? undefined : originFromHost(req.headers.host);
    const feed = feeds.peekFeed(parsed.target, parsed.format, query, origin);
    if (!feed) return false;
    const id = requestIdOf(req);
    const status = responder.write(req, res, feed, id);
    if (log.level === 'debug' || log.level === 'trace') log.debug({ reqId: id, method, url, status, lane: 'fast' }, 'request');
    return true;
  };
}
