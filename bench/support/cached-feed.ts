// The cached-feed fixture the server benchmarks share: 50 wire-story-sized articles, the real
// wirefeed HTTP server over them (refresh stands in), and loopback listen/close/probe helpers.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '../../src/http/app.js';
import type { Metrics } from '../../src/http/metrics.js';
import { silentLogger } from '../../src/log.js';
import type { ArticleInput } from '../../src/model/types.js';
import { CONTENT_TYPES, serializers } from '../../src/publish/index.js';
import { createArticleService } from '../../src/services/articles.js';
import { createChannelService } from '../../src/services/channels.js';
import { createConsoleService } from '../../src/services/console.js';
import { createFeedService } from '../../src/services/feeds.js';
import { createLifecycleService } from '../../src/services/lifecycle.js';
import { createPartnerService } from '../../src/services/partners.js';
import { createSourceService } from '../../src/services/sources.js';
import type { Storage } from '../../src/storage/repos.js';
import { wireArticle } from '../../test/fixtures/publish/documents.js';
import { testConfig } from '../../test/http-fixtures.js';

export const ITEMS = 50;

export function wireItems(): ArticleInput[] {
  const { id: _id, sourceId: _s, seq: _q, firstSeenAt: _f, changedAt: _c, status: _st, source: _src, ...base } = wireArticle();
  return Array.from({ length: ITEMS }, (_, i) => ({
    ...base,
    identityKey: `${base.identityKey}-${i}`,
    guid: base.guid ? `${base.guid}-${i}` : undefined,
    url: base.url ? `${base.url}-${i}` : undefined,
    title: `${base.title} (${i})`,
    publishedAt: new Date(Date.parse(base.publishedAt ?? '2025-03-01T00:00:00Z') - i * 60_000).toISOString(),
    assets: base.assets.map((a) => ({ ...a, url: a.url.replace(/(\.\w+)?$/, `-${i}$1`) })),
    contentHash: `${base.contentHash}-${i}`,
  }));
}

export function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

export function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** One request with node:http, headers as sent (so the raw server can copy them). */
export function probe(url: string, headers: Record<string, string>): Promise<{ status: number; rawHeaders: string[]; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

/** The wirefeed HTTP server over `storage` with the real services (refresh stands in). */
export function benchServer(storage: Storage, now: string, metrics?: Metrics): http.Server {
  const config = testConfig({ baseUrl: 'https://feeds.example.net' });
  const feeds = createFeedService({ storage, serializers, contentTypes: CONTENT_TYPES, baseUrl: config.baseUrl, cacheEntries: 100, version: 'bench', onRender: metrics?.rendered });
  return createHttpServer({
    config,
    log: silentLogger(),
    adminToken: 'bench-admin-token-0123456789abcdef',
    feeds,
    sources: createSourceService({ storage, allowPrivateNetworks: false, privateNetworkAllowlist: [] }),
    channels: createChannelService({ storage }),
    refresh: {
      refreshSource: () => Promise.reject(new Error('bench: no refresh')),
      refreshDue: () => Promise.resolve([]),
    },
    articles: createArticleService({ storage, now: () => new Date(now) }),
    partners: createPartnerService({ storage }),
    console: createConsoleService({ storage, now: () => new Date(now) }),
    lifecycle: createLifecycleService({ storage, now: () => new Date(now) }),
    metrics,
    version: 'bench',
    health: async () => ({ ok: true }),
  });
}

