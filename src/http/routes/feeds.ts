// Feed documents through Express: the path for cache misses (render, then cache) and for
// queries the fast lane declined, whose validation errors become 400 JSON here.
import type { NextFunction, Request, Response } from 'express';
import { originFromHost, parseFeedQuery, queryStringToRecord } from '../../services/feed-query.js';
import type { FeedService } from '../../services/types.js';
import { parseFeedPath } from '../feed-path.js';
import type { FeedResponder } from '../feed-response.js';

export function feedDocuments(deps: { feeds: FeedService; responder: FeedResponder; baseUrl?: string }) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (req.method === 'OPTIONS' && req.path.startsWith('/feeds/')) {
      // CORS preflight: a script revalidating with If-None-Match needs one.
      res.writeHead(204, {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': 'GET, HEAD',
        'Access-Control-Allow-Headers': 'If-None-Match, If-Modified-Since',
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
    const query = parseFeedQuery(qi >= 0 ? queryStringToRecord(url.slice(qi + 1)) : {});
    const origin = deps.baseUrl ? undefined : originFromHost(req.headers.host);
    const feed = await deps.feeds.getFeed(parsed.target, parsed.format, query, origin);
    deps.responder.write(req, res, feed, res.locals.requestId as string);
  };
}
