// The HTTP edge: a node server whose listener tries the fast lane first (cached feeds) and
// hands everything else to the Express app (misses, pages, admin API, health, demo files).
import http from 'node:http';
import path from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import type { ArticleService } from '../services/articles.js';
import type { PartnerService } from '../services/partners.js';
import type { ConsoleService } from '../services/console.js';
import type { LifecycleService } from '../services/lifecycle.js';
import type { DeliveryLog } from '../services/deliveries.js';
import { createQuotaMeter, type QuotaMeter } from '../services/quotas.js';
import type { ChannelService, FeedService, RefreshService, SourceService } from '../services/types.js';
import { createAdminConsole } from './admin-ui/console.js';
import { auditAdminActions } from './audit.js';
import { requireBearer } from './auth.js';
import { createErrorHandler, sendError } from './error-handler.js';
import { createFastLane } from './fast-lane.js';
import { createFeedResponder, type FeedResponder } from './feed-response.js';
import { createPartnerAuth, type PartnerAuth } from './partner-auth.js';
import type { Metrics } from './metrics.js';
import { routeClass } from './route-class.js';
import { requestIdOf } from './request-id.js';
import { adminArticles } from './routes/admin-articles.js';
import { adminChannels } from './routes/admin-channels.js';
import { adminPartners } from './routes/admin-partners.js';
import { adminSources } from './routes/admin-sources.js';
import { feedDocuments } from './routes/feeds.js';
import { pageRoutes } from './routes/pages.js';
import { websubHub } from './routes/websub.js';
import { websubCallbacks } from './routes/websub-callback.js';
import type { SourceSubscriber } from '../services/push-subscriber.js';
import type { WebSubHub } from '../services/push.js';

export interface HttpDeps {
  config: Config;
  log: Logger;
  adminToken: string;
  feeds: FeedService;
  sources: SourceService;
  channels: ChannelService;
  refresh: RefreshService;
  articles: ArticleService;
  partners: PartnerService;
  /** Figures behind the operator console (/admin). */
  console: ConsoleService;
  /** Shown in the console's footer. */
  version: string;
  lifecycle: LifecycleService;
  /** The WebSub hub (POST /websub, GET /api/websub). */
  hub?: WebSubHub;
  /** Present with WIREFEED_METRICS=1: /metrics (admin token) and request counting. */
  metrics?: Metrics;
  /** The partner delivery log; absent when turned off (WIREFEED_DELIVERY_LOG=0). */
  deliveries?: DeliveryLog;
  /** Clock of quotas and delivery times (tests pass a fixed one); Date.now by default. */
  now?: () => number;
  /** Partner quota counters (compose.ts: shared through PostgreSQL); default: this server's memory. */
  quotas?: QuotaMeter;
  /** Our subscriptions at sources' hubs (GET/POST /websub/callback/:token). */
  sourcePush?: SourceSubscriber;
  /** Directory of the offline demo feeds, served under /demo/. */
  demoDir?: string;
  health: () => Promise<{ ok: boolean; [k: string]: unknown }>;
}

const DEMO_TYPES: Record<string, string> = {
  '.xml': 'application/xml; charset=utf-8',
  '.rss': 'application/rss+xml; charset=utf-8',
  '.atom': 'application/atom+xml; charset=utf-8',
  '.json': 'application/feed+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.html': 'text/html; charset=utf-8',
};

/** The responder and partner auth shared by the fast lane and the Express routes. */
function feedEdge(deps: HttpDeps): { responder: FeedResponder; partnerAuth: PartnerAuth } {
  const responder = createFeedResponder({ maxAgeS: deps.config.feedMaxAgeS });
  // Quota counters belong to this server unless given (README "Quotas": what survives a restart).
  const quotas = deps.quotas ?? createQuotaMeter();
  return { responder, partnerAuth: createPartnerAuth({ partners: deps.partners, responder, quotas, deliveries: deps.deliveries, now: deps.now }) };
}

export function createApp(deps: HttpDeps, edge = feedEdge(deps)): express.Express {
  const { log } = deps;
  const baseUrl = deps.config.baseUrl;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  app.use((req: Request, res: Response, next: NextFunction) => {
    const id = requestIdOf(req);
    res.locals.requestId = id;
    res.setHeader('X-Request-Id', id);
    if (log.level === 'debug' || log.level === 'trace') {
      const start = process.hrtime.bigint();
      res.on('finish', () => {
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        log.debug({ reqId: id, method: req.method, url: req.originalUrl, status: res.statusCode, ms }, 'request');
      });
    }
    next();
  });

  const metrics = deps.metrics;
  if (metrics) {
    app.use((req: Request, res: Response, next: NextFunction) => {
      res.on('finish', () => {
        // originalUrl: a mounted router (/api, /admin, /demo) has rewritten req.path by now.
        const route = routeClass(req.originalUrl.split('?')[0]!);
        // A key is a Bearer header or ?key= on a feed URL (http/partner-auth.ts).
        const partner = (route === 'feed' || route === 'page') && (req.headers.authorization !== undefined || /[?&]key=/.test(req.originalUrl));
        metrics.served(route, res.statusCode, partner);
      });
      next();
    });
    app.get('/metrics', requireBearer(deps.adminToken), async (_req, res) => {
      const { contentType, body } = await metrics.scrape();
      res.setHeader('Cache-Control', 'no-store');
      res.type(contentType).send(body);
    });
  }

  app.get('/healthz', async (_req, res) => {
    let report: { ok: boolean; [k: string]: unknown };
    try {
      report = await deps.health();
    } catch (err) {
      log.error({ err }, 'health check failed');
      report = { ok: false, error: 'health check failed' };
    }
    const { ok, ...rest } = report;
    res.setHeader('Cache-Control', 'no-store');
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', ...rest });
  });

  app.use(feedDocuments({ feeds: deps.feeds, partnerAuth: edge.partnerAuth, baseUrl }));
  if (deps.sourcePush) app.use('/websub/callback', websubCallbacks({ subscriber: deps.sourcePush, maxBytes: deps.config.maxFeedBytes }));
  if (deps.hub) app.use('/websub', websubHub({ hub: deps.hub, partners: deps.partners }));

  const pages = pageRoutes({ feeds: deps.feeds, baseUrl });
  app.get('/', pages.index);
  app.get('/feeds/sources/:slug', pages.source);
  app.get('/feeds/:slug', pages.channel);

  if (deps.demoDir) {
    app.use(
      '/demo',
      express.static(deps.demoDir, {
        // Demo headlines link to /demo/stories/<section>/<story>: small bundled HTML pages.
        index: ['index.html'],
        extensions: ['html'],
        dotfiles: 'ignore',
        fallthrough: true,
        setHeaders(res, file) {
          const type = DEMO_TYPES[path.extname(file).toLowerCase()];
          if (type) res.setHeader('Content-Type', type);
          res.setHeader('X-Content-Type-Options', 'nosniff');
        },
      }),
    );
  }

  const api = express.Router();
  api.use(auditAdminActions(log));
  // Authentication runs before the body is even read: a request without the token writes nothing.
  api.use(requireBearer(deps.adminToken));
  api.use(express.json({ limit: '1mb' }));
  api.use('/sources', adminSources({ sources: deps.sources, refresh: deps.refresh }));
  api.use('/channels', adminChannels({ channels: deps.channels }));
  api.use('/articles', adminArticles({ articles: deps.articles, lifecycle: deps.lifecycle }));
  api.use('/partners', adminPartners({ partners: deps.partners, deliveries: deps.deliveries }));
  const hub = deps.hub;
  const sourcePush = deps.sourcePush;
  if (hub) api.get('/websub', async (_req, res) => void res.json({ ...(await hub.list()), sources: sourcePush ? await sourcePush.list() : [] }));
  api.use((req, res) => sendError(res, 404, 'not_found', `api: no route ${req.method} ${req.baseUrl}${req.path}`));
  app.use('/api', api);

  app.use(
    '/admin',
    createAdminConsole({
      adminToken: deps.adminToken,
      log,
      sources: deps.sources,
      channels: deps.channels,
      refresh: deps.refresh,
      articles: deps.articles,
      lifecycle: deps.lifecycle,
      partners: deps.partners,
      deliveries: deps.deliveries,
      console: deps.console,
      hub: deps.hub,
      sourcePush: deps.sourcePush,
      baseUrl,
      version: deps.version,
    }),
  );

  app.use((req: Request, res: Response) => {
    const wantsHtml = (req.method === 'GET' || req.method === 'HEAD') && !req.path.startsWith('/feeds/') && !!req.accepts('html') && req.accepts(['json', 'html']) === 'html';
    if (wantsHtml) pages.notFound(req, res);
    else sendError(res, 404, 'not_found', `no route ${req.method} ${req.path}`);
  });
  app.use(createErrorHandler(log));
  return app;
}

/** The server main listens on; not listening yet. */
export function createHttpServer(deps: HttpDeps): http.Server {
  const edge = feedEdge(deps);
  const app = createApp(deps, edge);
  const fast = createFastLane({ feeds: deps.feeds, partnerAuth: edge.partnerAuth, baseUrl: deps.config.baseUrl, log: deps.log, metrics: deps.metrics, fallback: app });
  return http.createServer((req, res) => {
    if (!fast(req, res)) app(req, res);
  });
}
