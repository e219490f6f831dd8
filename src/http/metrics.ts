// Prometheus metrics (the one home of prom-client). Hot paths never touch prom-client: the fast
// lane and the Express path add to plain Maps owned by this object, and the registry turns them
// into counters only when scraped. State that lives in the database (sources by status, overdue
// sources, file sizes) is read at scrape time, so it is right even when ingest runs in another
// process.
import http from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { OutputFormat } from '../model/types.js';
import { OVERDUE_GRACE_MS } from '../services/console.js';
import type { FeedService, RefreshOutcome } from '../services/types.js';
import type { Storage } from '../storage/repos.js';

export interface Metrics {
  /** A fetch outcome (refresh service hook). */
  fetched(o: RefreshOutcome): void;
  /** A whole-document feed render and its duration (feed service hook). */
  rendered(ms: number, format: OutputFormat): void;
  /** A request answered by the fast lane (cached feed, or a refused key). */
  servedFast(status: number, partner: boolean): void;
  /** A request answered by Express. */
  served(route: string, status: number, partner: boolean): void;
  /** The text exposition and its content type. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

export { routeClass } from './route-class.js';

function bump<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

export function createMetrics(deps: { storage: Storage; feeds: () => FeedService | undefined; now?: () => Date }): Metrics {
  const now = deps.now ?? (() => new Date());
  const register = new Registry();
  collectDefaultMetrics({ register });

  // Plain tallies written on the request path; key = status * 2 + partner.
  const fast = new Map<number, number>();
  const app = new Map<string, number>();
  const renders = new Map<OutputFormat, number>();

  const fetches = new Counter({ name: 'wirefeed_fetches_total', help: 'Source fetches by outcome.', labelNames: ['outcome'], registers: [register] });
  const fetchSeconds = new Histogram({
    name: 'wirefeed_fetch_duration_seconds',
    help: 'Fetch and processing time of one source (the fetch log ms).',
    labelNames: ['outcome'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30],
    registers: [register],
  });
  const items = new Counter({ name: 'wirefeed_items_total', help: 'Articles stored by fetches: new or updated.', labelNames: ['change'], registers: [register] });
  const renderSeconds = new Histogram({
    name: 'wirefeed_render_duration_seconds',
    help: 'Whole-document feed render time (query, serialize, gzip and brotli).',
    labelNames: ['format'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [register],
  });

  new Counter({
    name: 'wirefeed_http_requests_total',
    help: 'HTTP requests by route class, status and lane (fast = a cached feed answered before Express).',
    labelNames: ['route', 'status', 'lane'],
    registers: [register],
    collect() {
      this.reset();
      const byKey = new Map<string, { route: string; status: string; lane: string; n: number }>();
      for (const [k, n] of fast) {
        const status = String(k >> 1);
        const e = byKey.get(`feed ${status} fast`) ?? { route: 'feed', status, lane: 'fast', n: 0 };
        e.n += n;
        byKey.set(`feed ${status} fast`, e);
      }
      for (const [k, n] of app) {
        const [route, status] = k.split(' ');
        const e = byKey.get(`${route} ${status} app`) ?? { route: route!, status: status!, lane: 'app', n: 0 };
        e.n += n;
        byKey.set(`${route} ${status} app`, e);
      }
      for (const e of byKey.values()) this.inc({ route: e.route, status: e.status, lane: e.lane }, e.n);
    },
  });
  new Counter({
    name: 'wirefeed_feed_renders_total',
    help: 'Whole-document feed renders (cache misses); compare with fast-lane feed requests.',
    labelNames: ['format'],
    registers: [register],
    collect() {
      this.reset();
      for (const [format, n] of renders) this.inc({ format }, n);
    },
  });
  new Counter({
    name: 'wirefeed_partner_requests_total',
    help: 'Feed requests carrying a partner key, by status (429 = over quota).',
    labelNames: ['status'],
    registers: [register],
    collect() {
      this.reset();
      const byStatus = new Map<string, number>();
      for (const [k, n] of fast) if (k & 1) bump(byStatus, String(k >> 1), n);
      for (const [k, n] of app) if (k.endsWith(' 1')) bump(byStatus, k.split(' ')[1]!, n);
      for (const [status, n] of byStatus) this.inc({ status }, n);
    },
  });
  const sources = new Gauge({ name: 'wirefeed_sources', help: 'Sources by status (ok, failing, paused, gone, new = not fetched yet).', labelNames: ['status'], registers: [register] });
  const overdue = new Gauge({ name: 'wirefeed_sources_overdue', help: `Active sources whose next fetch is more than ${OVERDUE_GRACE_MS / 1000} s late.`, registers: [register] });
  const oldestOverdue = new Gauge({ name: 'wirefeed_oldest_overdue_seconds', help: 'How late the most overdue active source is (0 when none is).', registers: [register] });
  const dbBytes = new Gauge({ name: 'wirefeed_database_bytes', help: 'Size of the SQLite database file.', registers: [register] });
  const walBytes = new Gauge({ name: 'wirefeed_wal_bytes', help: 'Size of the SQLite write-ahead log.', registers: [register] });
  const cacheEntries = new Gauge({ name: 'wirefeed_feed_cache_entries', help: 'Rendered feeds held in memory.', registers: [register] });
  const cacheBytes = new Gauge({ name: 'wirefeed_feed_cache_bytes', help: 'Bytes of the rendered feeds held in memory (plain, gzip and brotli).', registers: [register] });

  const websubSubs = new Gauge({ name: 'wirefeed_websub_subscriptions', help: 'WebSub subscriptions to our feeds (verified, lease running).', registers: [register] });
  const websubPending = new Gauge({ name: 'wirefeed_websub_pending_deliveries', help: 'WebSub pushes queued or waiting for a retry.', registers: [register] });
  const websubDeliveries = new Gauge({
    name: 'wirefeed_websub_deliveries',
    help: 'WebSub push outcomes summed over current subscriptions (delivered, failed attempt, dropped after retries or lease end).',
    labelNames: ['result'],
    registers: [register],
  });
  const websubSources = new Gauge({ name: 'wirefeed_websub_source_subscriptions', help: "Our subscriptions at sources' hubs by state.", labelNames: ['state'], registers: [register] });

  /** Database-backed gauges: read once per scrape. */
  async function readState(): Promise<void> {
    const t = now();
    const s = await deps.storage.stats.sourceStates(new Date(t.getTime() - OVERDUE_GRACE_MS).toISOString());
    for (const status of ['ok', 'failing', 'paused', 'gone', 'new'] as const) sources.set({ status }, s[status]);
    overdue.set(s.overdue);
    oldestOverdue.set(s.oldestDueAt ? Math.max(0, (t.getTime() - Date.parse(s.oldestDueAt)) / 1000) : 0);
    const files = await deps.storage.files();
    dbBytes.set(files.databaseBytes);
    walBytes.set(files.walBytes);
    const w = await deps.storage.websub.stats();
    websubSubs.set(w.subscriptions);
    websubPending.set(w.pending);
    websubDeliveries.set({ result: 'delivered' }, w.delivered);
    websubDeliveries.set({ result: 'failed_attempt' }, w.failedAttempts);
    websubDeliveries.set({ result: 'dropped' }, w.dropped);
    for (const state of ['requested', 'active', 'failed'] as const) websubSources.set({ state }, w.sources[state]);
    const cache = deps.feeds()?.cacheStats() ?? { entries: 0, bytes: 0 };
    cacheEntries.set(cache.entries);
    cacheBytes.set(cache.bytes);
  }

  return {
    fetched(o) {
      fetches.inc({ outcome: o.outcome });
      fetchSeconds.observe({ outcome: o.outcome }, o.log.ms / 1000);
      if (o.log.itemsNew) items.inc({ change: 'new' }, o.log.itemsNew);
      if (o.log.itemsUpdated) items.inc({ change: 'updated' }, o.log.itemsUpdated);
    },
    rendered(ms, format) {
      bump(renders, format);
      renderSeconds.observe({ format }, ms / 1000);
    },
    servedFast(status, partner) {
      const k = status * 2 + (partner ? 1 : 0);
      fast.set(k, (fast.get(k) ?? 0) + 1);
    },
    served(route, status, partner) {
      bump(app, `${route} ${status} ${partner ? 1 : 0}`);
    },
    async scrape() {
      await readState();
      return { contentType: register.contentType, body: await register.metrics() };
    },
  };
}

/** A server that answers only GET /metrics, without a token: bind it to loopback. */
export function createMetricsServer(metrics: Metrics): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('only GET /metrics here\n');
      return;
    }
    metrics.scrape().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      () => res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('metrics unavailable\n'),
    );
  });
}
