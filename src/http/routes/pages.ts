// Human pages: the index and one page per channel or source. HTML errors here, not JSON.
import type { NextFunction, Request, Response } from 'express';
import { NotFoundError, ValidationError } from '../../errors.js';
import { renderChannelPage, renderErrorPage, renderIndexPage } from '../../publish/html.js';
import { canonicalQuery, originFromHost, parsePageQuery, queryStringToRecord } from '../../services/feed-query.js';
import { SLUG_RE } from '../../services/slug.js';
import type { FeedService, FeedTarget } from '../../services/types.js';

function sendHtml(res: Response, status: number, html: string): void {
  res.status(status);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'public, max-age=60');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // No scripts, no external anything: the policy says so to the browser too.
  res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; img-src http: https: data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  res.send(html);
}

export function pageRoutes(deps: { feeds: FeedService; baseUrl?: string }) {
  const base = (req: Request) => deps.baseUrl ?? originFromHost(req.headers.host);

  async function page(target: FeedTarget, req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      const b = base(req);
      const url = req.originalUrl;
      const query = parsePageQuery(queryStringToRecord(url.includes('?') ? url.slice(url.indexOf('?') + 1) : ''));
      const { title, description, items, hasOlder } = await deps.feeds.getPage(target, query, b);
      const path = target.kind === 'source' ? `/feeds/sources/${encodeURIComponent(target.slug)}` : `/feeds/${encodeURIComponent(target.slug)}`;
      // A search page offers its search as a feed too.
      const feedQuery = canonicalQuery({ category: query.category, q: query.q });
      const feedUrls = { rss: `${b}${path}.rss${feedQuery}`, atom: `${b}${path}.atom${feedQuery}`, json: `${b}${path}.json${feedQuery}` };
      sendHtml(res, 200, renderChannelPage({ title, description, items, feedUrls, baseUrl: b, pagePath: `${b}${path}`, query, hasOlder }));
    } catch (err) {
      if (err instanceof NotFoundError) sendHtml(res, 404, renderErrorPage({ status: 404, message: err.message, baseUrl: base(req) }));
      else if (err instanceof ValidationError) sendHtml(res, 400, renderErrorPage({ status: 400, message: err.message, baseUrl: base(req) }));
      else next(err);
    }
  }

  // What cannot be a slug (the one rule, services/slug.ts), e.g. "all.xml", is not a page: it
  // falls through to the JSON 404.

  return {
    async index(req: Request, res: Response): Promise<void> {
      const { channels, sources } = await deps.feeds.directory();
      sendHtml(res, 200, renderIndexPage({ channels, sources, baseUrl: base(req) }));
    },
    channel(req: Request, res: Response, next: NextFunction) {
      const slug = String(req.params.slug);
      return SLUG_RE.test(slug) ? page({ kind: 'channel', slug }, req, res, next) : next();
    },
    source(req: Request, res: Response, next: NextFunction) {
      const slug = String(req.params.slug);
      return SLUG_RE.test(slug) ? page({ kind: 'source', slug }, req, res, next) : next();
    },
    notFound(req: Request, res: Response): void {
      sendHtml(res, 404, renderErrorPage({ status: 404, message: `No page at ${req.path}`, baseUrl: base(req) }));
    },
  };
}
