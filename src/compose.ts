// Wiring of the real implementations, shared by the server (main.ts) and the CLI so both go
// through the same services. Only this file and main.ts construct concrete dependencies.
import type { Config } from './config.js';
import type { Logger } from './log.js';
import type { Storage } from './storage/repos.js';
import { openStorage } from './storage/open.js';
import { sqliteUrl } from './storage/database-url.js';
import { createCallbackClient, createFetcher } from './ingest/fetch.js';
import { createByteBudget } from './ingest/byte-budget.js';
import { createFeedProcessor } from './ingest/process.js';
import { serializers, CONTENT_TYPES } from './publish/index.js';
import { createSourceService } from './services/sources.js';
import { createChannelService } from './services/channels.js';
import { createRefreshService } from './services/refresh.js';
import { createFeedService } from './services/feeds.js';
import type { ChannelService, FeedService, RefreshRunner, SourceService } from './services/types.js';
import { createArticleService, type ArticleService } from './services/articles.js';
import { createPartnerService, type PartnerService } from './services/partners.js';
import { createConsoleService, type ConsoleService } from './services/console.js';
import { createLifecycleService, type LifecycleService } from './services/lifecycle.js';
import { createWebSubHub, type WebSubHub } from './services/push.js';
import { createDeliveryLog, type DeliveryLog } from './services/deliveries.js';
import { createSourceSubscriber, type SourceSubscriber } from './services/push-subscriber.js';
import { DEMO_DIR, VERSION } from './paths.js';
import { withBundledFeeds } from './ingest/bundled.js';
import type { Metrics } from './http/metrics.js';
import { importSibling } from './lazy-import.js';
import { createQuotaMeter, type QuotaMeter } from './services/quotas.js';
import { createSharedRequestWindows } from './services/shared-rate-windows.js';

export interface Core {
  /** config.instanceId: names this process in logs (every line of `log`) and leases. */
  instanceId: string;
  /** The logger given, with this instance's id on every line. */
  log: Logger;
  storage: Storage;
  sources: SourceService;
  channels: ChannelService;
  refresh: RefreshRunner;
  feeds: FeedService;
  articles: ArticleService;
  partners: PartnerService;
  console: ConsoleService;
  lifecycle: LifecycleService;
  /** The WebSub hub; the server starts it (CLI commands never deliver). */
  hub: WebSubHub;
  /** Present with WIREFEED_METRICS=1. */
  metrics?: Metrics;
  /** Absent when WIREFEED_DELIVERY_LOG=0. */
  deliveries?: DeliveryLog;
  /** Partner quota counters: request windows shared by all instances when the storage offers it (PostgreSQL). */
  quotas: QuotaMeter;
  /** WebSub subscriptions of our sources at their hubs (off without WIREFEED_BASE_URL). */
  sourcePush: SourceSubscriber;
  /**
   * Hosts let through the private-network guard besides the configured allowlist (one array
   * shared by the fetcher, the source service and the hub, so later additions apply to all).
   */
  allowlist: string[];
  close(): Promise<void>;
}

export function userAgent(baseUrl: string | undefined): string {
  // RFC 9110 §10.1.5: product/version, and where an operator can learn who is fetching.
  return baseUrl ? `wirefeed/${VERSION} (+${baseUrl})` : `wirefeed/${VERSION}`;
}

/** The database URL this configuration opens: PostgreSQL when configured, else the SQLite file. */
export function storageUrl(config: Config): string {
  return config.databaseUrl ?? sqliteUrl(config.dbPath);
}

export async function createCore(config: Config, baseLog: Logger): Promise<Core> {
  const log = baseLog.child({ instance: config.instanceId });
  const storage = await openStorage({
    url: storageUrl(config),
    poolSize: config.databasePoolSize,
    staleIfErrorMs: config.staleIfErrorMs,
    instanceId: config.instanceId,
    log,
    ...(config.workerIdleMs !== undefined ? { writerIdleMs: config.workerIdleMs } : {}),
  });
  // One array shared by the fetcher and the source service: entries added later apply to both.
  const allowlist = [...config.privateNetworkAllowlist];
  const fetcher = createFetcher(
    {
      timeoutMs: config.fetchTimeoutMs,
      maxBytes: config.maxFeedBytes,
      userAgent: userAgent(config.baseUrl),
      allowPrivateNetworks: config.allowPrivateNetworks,
      privateNetworkAllowlist: allowlist,
    },
    { budget: createByteBudget(config.fetchBudgetBytes) },
  );
  // Parsing and sanitizing are CPU work: in worker threads they neither block the server's event
  // loop nor stay on one core.
  const processor = createFeedProcessor({
    workerThresholdBytes: config.workerThresholdBytes,
    workers: config.parseWorkers,
    ...(config.workerIdleMs !== undefined ? { idleMs: config.workerIdleMs } : {}),
    ...(config.parseHeapMb !== undefined ? { heapMb: config.parseHeapMb } : {}),
  });
  // The bundled demo feeds are read from disk in every process (server, CLI, scheduler); every
  // other URL goes to the network through the guard.
  const fetchFeed = withBundledFeeds(DEMO_DIR, fetcher.fetchFeed);
  const sources = createSourceService({
    storage,
    allowPrivateNetworks: config.allowPrivateNetworks,
    privateNetworkAllowlist: allowlist,
    fetchFeed,
  });
  const channels = createChannelService({ storage });
  // Callbacks pass the same guard (and the same allowlist array) as sources.
  const callbacks = createCallbackClient({
    timeoutMs: Math.min(config.fetchTimeoutMs, 10_000),
    userAgent: userAgent(config.baseUrl),
    allowPrivateNetworks: config.allowPrivateNetworks,
    privateNetworkAllowlist: allowlist,
  });
  // Pushed documents go through refresh like a fetch; refresh asks the subscriber how often to
  // poll a pushed source (the closure reads `refresh` once it exists).
  const sourcePush = createSourceSubscriber({
    storage,
    client: callbacks,
    baseUrl: config.baseUrl,
    ingestPush: (source, doc) => refresh.refreshSource(source, undefined, doc),
    log,
  });
  const refresh = createRefreshService({
    storage,
    fetchFeed,
    processFeed: processor.process,
    log,
    fetchConcurrency: config.fetchConcurrency,
    perHostConcurrency: config.perHostConcurrency,
    instanceId: config.instanceId,
    leaseMs: config.leaseMs,
    onOutcome: (o) => metrics?.fetched(o),
    push: sourcePush,
  });
  const feeds = createFeedService({
    storage,
    serializers,
    contentTypes: CONTENT_TYPES,
    baseUrl: config.baseUrl,
    cacheEntries: config.cacheEntries,
    renderIntervalMs: config.renderIntervalMs,
    version: VERSION,
    onRender: config.metrics ? (ms, format) => metrics?.rendered(ms, format) : undefined,
  });
  // prom-client (and the OpenTelemetry API it loads) is imported only when metrics are on: a few
  // MB of RSS the process would otherwise carry for nothing.
  const metrics: Metrics | undefined = config.metrics ? (await importSibling<typeof import('./http/metrics.js')>(import.meta.url, 'http/metrics')).createMetrics({ storage, feeds: () => feeds }) : undefined;
  const articles = createArticleService({ storage, now: () => new Date() });
  const partners = createPartnerService({ storage, log });
  const consoleFigures = createConsoleService({ storage, now: () => new Date() });
  const lifecycle = createLifecycleService({ storage, now: () => new Date() });
  const hub = createWebSubHub({
    storage,
    feeds,
    partners,
    client: callbacks,
    policy: { allowPrivateNetworks: config.allowPrivateNetworks, allowlist },
    baseUrl: config.baseUrl,
    log,
    limits: { perTopic: config.websubPerTopic, perCallbackHost: config.websubPerCallbackHost },
  });
  const deliveries = config.deliveryLog ? createDeliveryLog({ storage, log }) : undefined;
  const rateWindows = storage.rateWindows;
  const quotas = createQuotaMeter(rateWindows ? createSharedRequestWindows({ reserve: (r) => rateWindows.reserve(r), log }) : undefined);
  let closed = false;
  return {
    instanceId: config.instanceId,
    log,
    storage,
    sources,
    channels,
    refresh,
    feeds,
    articles,
    partners,
    console: consoleFigures,
    lifecycle,
    hub,
    metrics,
    deliveries,
    quotas,
    sourcePush,
    allowlist,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([hub.stop(), sourcePush.stop()]);
      await Promise.allSettled([processor.close(), fetcher.close(), callbacks.close(), partners.close(), deliveries?.close()]);
      await storage.close();
    },
  };
}
