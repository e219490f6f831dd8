// Shared by the feed-service, HTTP and browser tests: a real in-memory storage with sources and
// articles recorded the way the ingest pipeline records them, and the real services on top.
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import type { Config } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import type { ArticleInput, AssetInput, FeedFormat, OutputFormat, Source } from '../src/model/types.js';
import { CONTENT_TYPES, serializers } from '../src/publish/index.js';
import type { Serializer } from '../src/publish/types.js';
import { createArticleService } from '../src/services/articles.js';
import { createLifecycleService } from '../src/services/lifecycle.js';
import { createChannelService } from '../src/services/channels.js';
import { createConsoleService } from '../src/services/console.js';
import { createFeedService } from '../src/services/feeds.js';
import { createSourceService } from '../src/services/sources.js';
import { createPartnerService, type PartnerService } from '../src/services/partners.js';
import type { FeedService, RefreshService } from '../src/services/types.js';
import { createDeliveryLog, type DeliveryLog } from '../src/services/deliveries.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import type { Storage } from '../src/storage/repos.js';
import { createHttpServer, type HttpDeps } from '../src/http/app.js';

export const T0 = '2025-03-01T10:00:00.000Z';
export const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export function articleInput(key: string, over: Partial<ArticleInput> = {}): ArticleInput {
  return {
    identityKey: key,
    identityKind: 'guid',
    guid: key,
    url: `https://news.example.com/${key}`,
    title: `Story ${key}`,
    summary: `Summary of ${key}, with “curly quotes” & <angle brackets>.`,
    contentHtml: `<p>Body of ${key}.</p>`,
    authors: [{ name: 'Ada Reporter' }],
    categories: [{ term: 'world' }],
    publishedAt: T0,
    assets: [],
    contentHash: `hash-${key}`,
    ...over,
  };
}

export function photo(url: string, over: Partial<AssetInput> = {}): AssetInput {
  return { url, mimeType: 'image/svg+xml', medium: 'image', width: 640, height: 360, caption: 'Harbour cranes at dawn', credit: 'Jo Lens', creditRole: 'photographer', rights: '© Example Photo Agency', ...over };
}

export async function addSource(storage: Storage, slug: string, over: Partial<Source> = {}): Promise<Source> {
  return storage.sources.create({
    url: `https://${slug}.example.com/feed.xml`,
    slug,
    title: over.title ?? `Source ${slug}`,
    categories: over.categories ?? [],
    nextFetchAt: T0,
    now: T0,
  });
}

/** Records a 'modified' fetch of `items` for a source, as refresh does. */
export async function ingest(storage: Storage, sourceId: number, items: ArticleInput[], now = T0) {
  return storage.ingest.recordFetch({
    sourceId,
    startedAt: now,
    ms: 1,
    outcome: 'modified',
    warnings: [],
    items,
    now,
    source: { lastFetchedAt: now, lastSuccessAt: now },
  });
}

/** The real serializers, counting whole-document renders (one `frame` call each). */
export function countingSerializers(): { serializers: Record<OutputFormat, Serializer>; calls: Record<OutputFormat, number> } {
  const calls: Record<OutputFormat, number> = { rss: 0, atom: 0, json: 0, ninjs: 0 };
  const wrap = (f: OutputFormat): Serializer => ({
    ...serializers[f],
    frame: (doc) => {
      calls[f]++;
      return serializers[f].frame(doc);
    },
  });
  return { serializers: { rss: wrap('rss'), atom: wrap('atom'), json: wrap('json'), ninjs: wrap('ninjs') }, calls };
}

export function testConfig(over: Partial<Config> = {}): Config {
  return {
    port: 0,
    host: '127.0.0.1',
    dataDir: '/nonexistent',
    dbPath: ':memory:',
    databasePoolSize: 10,
    staleIfErrorMs: 60_000,
    instanceId: 'test-instance',
    allowPrivateNetworks: false,
    privateNetworkAllowlist: [],
    fetchTimeoutMs: 1000,
    maxFeedBytes: 1024 * 1024,
    fetchBudgetBytes: 32 * 1024 * 1024,
    schedule: '* * * * *',
    logLevel: 'silent',
    fetchConcurrency: 1,
    perHostConcurrency: 1,
    leaseMs: 60_000,
    feedMaxAgeS: 300,
    cacheEntries: 100,
    retentionDays: 0,
    retentionPerSource: 0,
    demo: false,
    workerThresholdBytes: 256 * 1024,
    parseWorkers: 1,
    scheduler: true,
    renderIntervalMs: 0,
    websubPerTopic: 10_000,
    websubPerCallbackHost: 1_000,
    deliveryLog: true,
    deliveryRetentionDays: 0,
    ...over,
  };
}

export interface TestServer {
  url: string;
  storage: Storage;
  calls: Record<OutputFormat, number>;
  refreshCalls: number[];
  partners: PartnerService;
  feeds: FeedService;
  deliveries?: DeliveryLog;
  close(): Promise<void>;
}

/**
 * The real HTTP server over real storage and services. Refresh is the only stand-in: it would
 * fetch from the network, so it records the call and answers like a not-modified fetch.
 */
export async function startServer(
  opts: {
    config?: Partial<Config>;
    demoDir?: string;
    seed?: (s: Storage) => Promise<void>;
    overrides?: Partial<HttpDeps>;
    /** The clock of the article, lifecycle and feed services (embargo ends); default: always T0. */
    now?: () => Date;
    /** A storage that outlives the server (a restart test starts a second server on it). */
    storage?: Storage;
  } = {},
): Promise<TestServer> {
  // A given storage outlives the server (a restart test starts a second server on it).
  const storage = opts.storage ?? openSqliteStorage({ path: ':memory:' });
  await opts.seed?.(storage);
  const config = testConfig(opts.config);
  const counting = countingSerializers();
  const now = opts.now ?? (() => new Date(T0));
  const refreshCalls: number[] = [];
  const refresh: RefreshService = {
    async refreshSource(source) {
      refreshCalls.push(source.id);
      const now = new Date().toISOString();
      const r = await storage.ingest.recordFetch({ sourceId: source.id, startedAt: now, ms: 0, outcome: 'not-modified', httpStatus: 304, warnings: [], now, source: { lastFetchedAt: now } });
      return { sourceId: source.id, slug: source.slug, outcome: 'not-modified', log: r.log };
    },
    async refreshDue() {
      return [];
    },
  };
  const partners = createPartnerService({ storage });
  const deliveries = config.deliveryLog ? createDeliveryLog({ storage }) : undefined;
  const deps: HttpDeps = {
    config,
    log: silentLogger(),
    adminToken: ADMIN_TOKEN,
    feeds: createFeedService({ storage, serializers: counting.serializers, contentTypes: CONTENT_TYPES, baseUrl: config.baseUrl, cacheEntries: config.cacheEntries, version: '9.9.9', now }),
    sources: createSourceService({
      storage,
      allowPrivateNetworks: false,
      privateNetworkAllowlist: [],
      fetchFeed: async () => {
        throw new Error('no network in tests');
      },
    }),
    channels: createChannelService({ storage }),
    refresh,
    articles: createArticleService({ storage, now }),
    lifecycle: createLifecycleService({ storage, now }),
    partners,
    console: createConsoleService({ storage, now: () => new Date() }),
    version: '9.9.9',
    deliveries,
    demoDir: opts.demoDir,
    health: async () => ({ ok: true, articles: await storage.articles.count() }),
    ...opts.overrides,
  };
  const server: http.Server = createHttpServer(deps);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    storage,
    feeds: deps.feeds,
    calls: counting.calls,
    refreshCalls,
    partners,
    deliveries,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await partners.close();
      await deliveries?.close();
      if (!opts.storage) storage.close();
    },
  };
}
