// Partner serving cost, measured with wrk against our own server on loopback:
//   (a) an authenticated cached feed (Bearer key: hash, key table lookup, quota, RateLimit
//       headers, delivery record) against an anonymous request for the same feed;
//   (b) partner requests with the delivery log on against the same with it off;
//   (c) when WIREFEED_BENCH_DATABASE_URL or WIREFEED_TEST_DATABASE_URL names a PostgreSQL server:
//       (a) on PostgreSQL, the partner's rate limit counted in shared windows (batches reserved
//       from the database, shared-rate-windows.ts), in a fresh schema.
// Each pair runs interleaved on one machine in one run; only the ratio is judged (target 0.8).
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createHttpServer } from '../src/http/app.js';
import { silentLogger } from '../src/log.js';
import { CONTENT_TYPES, serializers } from '../src/publish/index.js';
import { createArticleService } from '../src/services/articles.js';
import { createChannelService } from '../src/services/channels.js';
import { createConsoleService } from '../src/services/console.js';
import { createLifecycleService } from '../src/services/lifecycle.js';
import { createDeliveryLog, type DeliveryLog } from '../src/services/deliveries.js';
import { createFeedService } from '../src/services/feeds.js';
import { createPartnerService, type PartnerService } from '../src/services/partners.js';
import { createSourceService } from '../src/services/sources.js';
import { randomBytes } from 'node:crypto';
import { createQuotaMeter, type QuotaMeter } from '../src/services/quotas.js';
import { createSharedRequestWindows } from '../src/services/shared-rate-windows.js';
import { openPostgresStorage } from '../src/storage/postgres/open.js';
import { execOnce } from '../src/storage/postgres/pool.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import type { Storage } from '../src/storage/repos.js';
import { testConfig } from '../test/http-fixtures.js';
import { close, ITEMS, listen, wireItems } from './support/cached-feed.js';
import { ensureWrk, wrk } from './support/wrk.js';
import type { BenchModule, BenchResult } from './types.js';

const TARGET = 0.8;
const FEED_PATH = '/feeds/all.rss';

function server(storage: Storage, partners: PartnerService, deliveries: DeliveryLog | undefined, quotas?: QuotaMeter): http.Server {
  const config = testConfig({ baseUrl: 'https://feeds.example.net', deliveryLog: deliveries !== undefined });
  return createHttpServer({
    config,
    log: silentLogger(),
    adminToken: 'bench-admin-token-0123456789abcdef',
    feeds: createFeedService({ storage, serializers, contentTypes: CONTENT_TYPES, baseUrl: config.baseUrl, cacheEntries: 100, version: 'bench' }),
    sources: createSourceService({ storage, allowPrivateNetworks: false, privateNetworkAllowlist: [] }),
    channels: createChannelService({ storage }),
    refresh: { refreshSource: () => Promise.reject(new Error('bench: no refresh')), refreshDue: () => Promise.resolve([]) },
    articles: createArticleService({ storage, now: () => new Date() }),
    partners,
    deliveries,
    console: createConsoleService({ storage, now: () => new Date() }),
    lifecycle: createLifecycleService({ storage, now: () => new Date() }),
    version: 'bench',
    health: async () => ({ ok: true }),
    ...(quotas ? { quotas } : {}),
  });
}

async function status(url: string, headers: Record<string, string>): Promise<number> {
  const r = await fetch(url, { headers });
  await r.arrayBuffer();
  return r.status;
}

/**
 * Two wrk loads run back to back `pairs` times, alternating which goes first. On a machine
 * shared with other jobs the load drifts by more than the effect measured, so the figure is the
 * median of the per-pair ratios (each pair sees nearly the same machine), with the mean rates.
 */
async function compare(a: () => Promise<number>, b: () => Promise<number>, pairs: number): Promise<{ a: number; b: number; ratio: number }> {
  const ratios: number[] = [];
  let sa = 0;
  let sb = 0;
  for (let r = 0; r < pairs; r++) {
    let ra: number;
    let rb: number;
    if (r % 2 === 0) {
      ra = await a();
      rb = await b();
    } else {
      rb = await b();
      ra = await a();
    }
    sa += ra;
    sb += rb;
    ratios.push(ra / rb);
  }
  ratios.sort((x, y) => x - y);
  const mid = ratios.length >> 1;
  const ratio = ratios.length % 2 ? ratios[mid]! : (ratios[mid - 1]! + ratios[mid]!) / 2;
  return { a: sa / pairs, b: sb / pairs, ratio };
}

export const run: BenchModule = async ({ quick, log }) => {
  ensureWrk();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-partners-bench-'));
  const storage = openSqliteStorage({ path: path.join(dir, 'bench.db') });
  const partners = createPartnerService({ storage });
  const deliveries = createDeliveryLog({ storage });
  const servers: http.Server[] = [];
  try {
    // A quota the load cannot reach: the cost of counting is measured, not 429s.
    const key = await seedWireAndPartner(storage, partners, 1);

    const logged = server(storage, partners, deliveries);
    const unlogged = server(storage, partners, undefined);
    servers.push(logged, unlogged);
    const loggedUrl = (await listen(logged)) + FEED_PATH;
    const unloggedUrl = (await listen(unlogged)) + FEED_PATH;
    const anon = { 'accept-encoding': 'gzip' };
    const partner = { ...anon, authorization: `Bearer ${key}` };
    // Warm the caches (the partner variant renders separately) and check what is answered.
    for (const [url, h] of [[loggedUrl, anon], [loggedUrl, partner], [unloggedUrl, partner]] as const) {
      if ((await status(url, h)) !== 200) throw new Error(`bench: warm-up of ${url} failed`);
    }

    const seconds = quick ? 1 : 2;
    const rounds = quick ? 2 : 8;
    const load = (url: string, headers: Record<string, string>) => async () => (await wrk(url, { headers, seconds, threads: 2, connections: 32 })).rps;
    await load(loggedUrl, partner)();
    await load(unloggedUrl, partner)();

    const results: BenchResult[] = [];
    const { a: authed, b: anonymous, ratio: authRatio } = await compare(load(loggedUrl, partner), load(loggedUrl, anon), rounds);
    const written = (await deliveries.flush(), await storage.deliveries.list((await storage.partners.get('bench'))!.id, { limit: 1 })).length;
    log(`authenticated ${authed.toFixed(0)} req/s vs anonymous ${anonymous.toFixed(0)} req/s: median pair ratio ${authRatio.toFixed(2)}`);
    results.push({
      name: `authenticated cached ${ITEMS}-item feed (Bearer key, quota, RateLimit headers, delivery log) vs anonymous`,
      subject: { name: 'partner request', value: Math.round(authed), unit: 'req/s' },
      baseline: { name: 'anonymous request, same feed', value: Math.round(anonymous), unit: 'req/s' },
      ratio: authRatio,
      target: `≥ ${TARGET}`,
      pass: authRatio >= TARGET && written === 1,
      notes: `wrk, 32 connections, 2 threads, ${rounds} pairs of ${seconds}s, alternating, median of pair ratios (rates are means), loopback, gzip`,
    });

    const { a: on, b: off, ratio: logRatio } = await compare(load(loggedUrl, partner), load(unloggedUrl, partner), rounds);
    log(`delivery log on ${on.toFixed(0)} req/s vs off ${off.toFixed(0)} req/s: median pair ratio ${logRatio.toFixed(2)}`);
    results.push({
      name: `partner requests with the delivery log on vs off (cached ${ITEMS}-item feed)`,
      subject: { name: 'delivery log on (batched, 1 s)', value: Math.round(on), unit: 'req/s' },
      baseline: { name: 'delivery log off', value: Math.round(off), unit: 'req/s' },
      ratio: logRatio,
      target: `≥ ${TARGET}`,
      pass: logRatio >= TARGET,
      notes: `wrk, 32 connections, 2 threads, ${rounds} pairs of ${seconds}s, alternating, median of pair ratios; every 200 is one delivery row, written in 1 s batches`,
    });
    const pgUrl = process.env.WIREFEED_BENCH_DATABASE_URL || process.env.WIREFEED_TEST_DATABASE_URL || undefined;
    if (pgUrl) results.push(await sharedWindowsOnPostgres(pgUrl, { seconds, rounds, log }));
    return results;
  } finally {
    for (const s of servers) await close(s);
    await deliveries.close();
    await partners.close();
    storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

/** The wire story in source 'wire', and partner 'bench' allowed 1,000,000 requests per `perSeconds`; returns its key. */
async function seedWireAndPartner(storage: Storage, partners: PartnerService, perSeconds: number): Promise<string> {
  const now = '2025-03-01T12:00:00.000Z';
  const source = await storage.sources.create({ url: 'https://wire.example.com/feed.xml', slug: 'wire', title: 'Example Wire', nextFetchAt: now, now });
  await storage.ingest.recordFetch({ sourceId: source.id, startedAt: now, ms: 1, outcome: 'modified', warnings: [], items: wireItems(), now, source: { lastFetchedAt: now } });
  await partners.create({ slug: 'bench', name: 'Bench', channels: [], rateLimit: { requests: 1_000_000, perSeconds } });
  return (await partners.createKey('bench')).key;
}

/** (c): partner vs anonymous on PostgreSQL, the rate limit counted in shared windows. */
async function sharedWindowsOnPostgres(url: string, o: { seconds: number; rounds: number; log: (s: string) => void }): Promise<BenchResult> {
  const schema = `wf_bench_${randomBytes(6).toString('hex')}`;
  await execOnce({ url }, `CREATE SCHEMA ${schema}`);
  const storage = await openPostgresStorage({ databaseUrl: url, schema, instanceId: 'bench' });
  const partners = createPartnerService({ storage });
  const deliveries = createDeliveryLog({ storage });
  const rateWindows = storage.rateWindows!;
  let reservations = 0;
  const quotas = createQuotaMeter(createSharedRequestWindows({ reserve: (r) => (reservations++, rateWindows.reserve(r)) }));
  const srv = server(storage, partners, deliveries, quotas);
  try {
    // Out of reach of the load, as in (a); the batches are 5% of it.
    const key = await seedWireAndPartner(storage, partners, 60);
    const feedUrl = (await listen(srv)) + FEED_PATH;
    const anon = { 'accept-encoding': 'gzip' };
    const partner = { ...anon, authorization: `Bearer ${key}` };
    for (const h of [anon, partner]) if ((await status(feedUrl, h)) !== 200) throw new Error('bench: warm-up on PostgreSQL failed');
    const load = (headers: Record<string, string>) => async () => (await wrk(feedUrl, { headers, seconds: o.seconds, threads: 2, connections: 32 })).rps;
    await load(partner)();
    const { a: authed, b: anonymous, ratio } = await compare(load(partner), load(anon), o.rounds);
    o.log(`PostgreSQL, shared rate windows: partner ${authed.toFixed(0)} req/s vs anonymous ${anonymous.toFixed(0)} req/s: median pair ratio ${ratio.toFixed(2)}; ${reservations} reservations`);
    return {
      name: `authenticated cached ${ITEMS}-item feed on PostgreSQL, rate limit in shared windows (batches reserved from the database) vs anonymous`,
      subject: { name: 'partner request, shared windows', value: Math.round(authed), unit: 'req/s' },
      baseline: { name: 'anonymous request, same feed', value: Math.round(anonymous), unit: 'req/s' },
      ratio,
      target: `≥ ${TARGET}`,
      pass: ratio >= TARGET,
      notes: `wrk, 32 connections, 2 threads, ${o.rounds} pairs of ${o.seconds}s, alternating, median of pair ratios; limit 1,000,000/60 s (batches of 50,000): ${reservations} reservations in the run`,
    };
  } finally {
    await close(srv);
    await deliveries.close();
    await partners.close();
    await storage.close();
    await execOnce({ url }, `DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  }
}
