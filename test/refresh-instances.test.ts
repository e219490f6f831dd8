// Two refresh services (two instances) on one database against loopback feed servers: every due
// source is fetched once, no host sees more than the per-host limit at once across both, and an
// instance that lost its lease (renewals failing: paused or cut off) has its late result fenced.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFetcher } from '../src/ingest/fetch.js';
import { createFeedProcessor } from '../src/ingest/process.js';
import { silentLogger } from '../src/log.js';
import { createRefreshService } from '../src/services/refresh.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import type { Storage } from '../src/storage/repos.js';

const rss = (path: string) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>${path}</title><link>https://example.org${path}</link>` +
  `<item><title>Story ${path}</title><guid>g${path}</guid><pubDate>Sat, 10 Jan 2026 10:00:00 GMT</pubDate></item></channel></rss>`;

/** A feed host counting requests per path and the most it served at once. */
interface CountingHost {
  origin: string;
  hits: Map<string, number>;
  maxConcurrent: number;
  /** Delay per path, ms (default `delayMs`). */
  delays: Map<string, number>;
  close(): Promise<void>;
}

/**
 * Holds every answer until `atLeast` requests are in flight across the hosts sharing it (or
 * `maxWaitMs` passed): more than one instance can have in flight, so opening proves both fetch.
 */
interface Gate {
  atLeast: number;
  active: number;
  open: boolean;
  waiting: (() => void)[];
}

function gate(atLeast: number, maxWaitMs: number): Gate {
  const g: Gate = { atLeast, active: 0, open: false, waiting: [] };
  setTimeout(() => openGate(g), maxWaitMs).unref();
  return g;
}

function openGate(g: Gate): void {
  g.open = true;
  for (const w of g.waiting.splice(0)) w();
}

async function countingHost(delayMs: number, g?: Gate): Promise<CountingHost> {
  let active = 0;
  const host: Omit<CountingHost, 'origin' | 'close'> = { hits: new Map(), maxConcurrent: 0, delays: new Map() };
  const server = http.createServer((req, res) => {
    const p = req.url ?? '';
    host.hits.set(p, (host.hits.get(p) ?? 0) + 1);
    active++;
    host.maxConcurrent = Math.max(host.maxConcurrent, active);
    const answer = () =>
      setTimeout(() => {
        active--;
        if (g) g.active--;
        res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(p));
      }, host.delays.get(p) ?? delayMs);
    if (!g) return void answer();
    g.active++;
    if (!g.open && g.active >= g.atLeast) openGate(g);
    if (g.open) answer();
    else g.waiting.push(answer);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    ...host,
    get maxConcurrent() {
      return host.maxConcurrent;
    },
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('refresh across instances (leases)', function () {
  this.timeout(30_000);
  let dir: string;
  const storages: Storage[] = [];
  const hosts: CountingHost[] = [];
  const fetcher = createFetcher({ timeoutMs: 5000, maxBytes: 1 << 20, userAgent: 'wirefeed-test', allowPrivateNetworks: true, privateNetworkAllowlist: [] });
  const processor = createFeedProcessor({ workerThresholdBytes: 1 << 20 });

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-instances-'));
  });
  afterEach(async () => {
    await Promise.all(storages.splice(0).map((s) => s.close()));
    await Promise.all(hosts.splice(0).map((h) => h.close()));
    rmSync(dir, { recursive: true, force: true });
  });
  after(async () => {
    await processor.close();
    await fetcher.close();
  });

  const open = (): Storage => {
    const s = openSqliteStorage({ path: path.join(dir, 'w.db') });
    storages.push(s);
    return s;
  };
  const instance = (storage: Storage, instanceId: string, leaseMs = 60_000, perHostConcurrency = 2) =>
    createRefreshService({ storage, fetchFeed: fetcher.fetchFeed, processFeed: processor.process, log: silentLogger(), fetchConcurrency: 4, perHostConcurrency, instanceId, leaseMs });

  it('two instances fetch every due source exactly once, both take part, never more than the per-host limit at once', async () => {
    // Each instance has 4 fetch slots and each host allows 4 at once (8 in all), and the hosts
    // answer nothing until 5 requests are in flight: only a second instance can make the fifth.
    const g = gate(5, 15_000);
    hosts.push(await countingHost(15, g), await countingHost(15, g));
    const [a, b] = [open(), open()];
    const now = new Date().toISOString();
    for (const [h, host] of hosts.entries()) {
      for (let i = 0; i < 20; i++) await a.sources.create({ url: `${host.origin}/h${h}/f${i}.xml`, slug: `h${h}-f${i}`, nextFetchAt: now, now });
    }
    // Both writer threads up first (a thread start takes a second on a loaded machine: one
    // instance would otherwise take every source before the other has begun).
    await Promise.all([a, b].map((s) => s.leases.renewLeases('warm-up', [{ sourceId: 0, owner: 'warm-up', token: 0 }], now)));
    const [outA, outB] = await Promise.all([instance(a, 'one', 60_000, 4).refreshDue(), instance(b, 'two', 60_000, 4).refreshDue()]);
    assert.equal(outA.length + outB.length, 40);
    assert.ok(outA.length > 0 && outB.length > 0, `both instances worked (${outA.length} / ${outB.length})`);
    for (const host of hosts) {
      assert.equal(host.hits.size, 20);
      for (const [p, n] of host.hits) assert.equal(n, 1, `${p} fetched ${n} times`);
      assert.ok(host.maxConcurrent <= 4, `a host served ${host.maxConcurrent} requests at once`);
    }
    assert.deepEqual(await a.leases.liveLeases(new Date().toISOString()), []);
    assert.equal(await a.articles.count(), 40);
  });

  it("an instance whose lease lapsed has its late result fenced; the new holder's result stands", async () => {
    const host = await countingHost(10);
    hosts.push(host);
    host.delays.set('/slow.xml', 1500);
    const [a, b] = [open(), open()];
    const now = new Date().toISOString();
    const src = await a.sources.create({ url: `${host.origin}/slow.xml`, slug: 'slow', nextFetchAt: now, now });
    // Instance one cannot renew (a partition from the database, or a pause): its 300 ms lease lapses mid-fetch.
    const cutOff: Storage = { ...a, leases: { ...a.leases, renewLeases: () => Promise.reject(new Error('partitioned')) } };
    const one = instance(cutOff, 'one', 300).refreshDue();
    await new Promise((r) => setTimeout(r, 500));
    host.delays.set('/slow.xml', 10);
    const two = await instance(b, 'two').refreshDue();
    assert.equal(two.length, 1);
    assert.deepEqual(await one, [], 'the late result is not recorded');
    assert.equal(host.hits.get('/slow.xml'), 2);
    const log = await a.fetchLog.list(src.id, 10);
    assert.equal(log.length, 1, 'one fetch-log row: the holder’s');
    assert.equal(log[0]!.id, two[0]!.log.id);
  });
});
