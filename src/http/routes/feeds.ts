// Feed documents through Express: the path for cache misses (render, then cache) and for
// queries the fast lane declined, whose validation errors become 400 JSON here. Partner keys
// are checked before anything is rendered, with the same rule as the fast lane.
import type { NextFunction, Request, Response } from 'express';
import { originFromHost, parseFeedQuery, queryStringToRecord } from '../../services/feed-query.js';
import type { FeedService } from '../../services/types.js';
import { parseFeedPath } from '../../services/feed-path.js';
import { takeKeyParam, type PartnerAuth } from '../partner-auth.js';

export function feedDocuments(deps: { feeds: FeedService; partnerAuth: PartnerAuth; baseUrl?: string }) {
  const { partnerAuth } = deps;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (req.method === 'OPTIONS' && req.path.startsWith('/feeds/')) {
      // CORS preflight: a script revalidating with If-None-Match (or sending its key) needs one.
      res.writeHead(204, {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': 'GET, HEAD',
        'Access-Control-Allow-Headers': 'If-None-Match, If-Modified-Since, Authorization',
        'Access-Control-Max-Age': '86400',
      });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const parsed = parseFeedPath(req.path);
    if (!parsed) return next();
    // The raw query string, parsed exactly as the fast lane does.
    const url = req.originalUrl;
    const qi = url.indexOf('?');
    const record = qi >= 0 ? queryStringToRecord(url.slice(qi + 1)) : {};
    const keyParam = takeKeyParam(record);
    const query = parseFeedQuery(record);
    const requestId = res.locals.requestId as string;
    const auth = await partnerAuth.identify(req, keyParam);
    if (auth.kind === 'invalid' || auth.kind === 'inactive') {
      await partnerAuth.refuse(res, auth.kind === 'invalid' ? 401 : 403, auth, requestId);
      return;
    }
    const verdict = partnerAuth.admit(await deps.feeds.access(parsed.target), auth);
    if (verdict !== 'ok') {
      await partnerAuth.refuse(res, verdict, auth, requestId);
      return;
    }
    const origin = deps.baseUrl ? undefined : originFromHost(req.headers.host);
    const variant = auth.kind === 'partner' ? auth.partner.variant : undefined;
    let feed;
    if (query.wait) {
      // A held request stops waiting when its client goes away.
      const gone = new AbortController();
      res.once('close', () => gone.abort());
      feed = await deps.feeds.waitFeed(parsed.target, parsed.format, query, origin, variant, gone.signal);
      if (gone.signal.aborted) return;
    } else {
      feed = await deps.feeds.getFeed(parsed.target, parsed.format, query, origin, variant);
    }
    await partnerAuth.send(req, res, feed, auth, requestId, parsed);
  };
}
