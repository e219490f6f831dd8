// WebSub fan-out: one ingest commit pushed to N loopback subscribers (N = 1,000), while wrk keeps
// reading the cached feed. Two figures, each against a baseline from the same run:
// - time from the commit to the last delivery, against a bare node loop POSTing the same signed
//   body to the same N callbacks with the same concurrency (the least any hub could do);
// - the feed's serving p99 during the fan-out, against the p99 of the same wrk run without one.
// The subscribers live in a child process (bench/support/websub-fleet.ts) and check every
// signature; the server is the real one (startServer) over a SQLite file.
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { startServer, type RunningServer } from '../src/main.js';
import { forkTs, type Child } from './support/child.js';
import { ensureWrk, wrk, type WrkResult } from './support/wrk.js';
import { wireItems } from './support/cached-feed.js';
import type { BenchModule, BenchResult } from './types.js';

const SECRET = 'bench-subscriber-secret-0123456789';
const FEED = '/feeds/all.rss';
const CONCURRENCY = 64;

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function until(fn: () => Promise<boolean>, what: string, ms = 120_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const run: BenchModule = async ({ quick, log }) => {
  ensureWrk();
  const n = quick ? 200 : 1000;
  const seconds = quick ? 4 : 8;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-websub-bench-'));
  let server: RunningServer | undefined;
  let fleet: Child | undefined;
  const agent = new Agent({ connections: 16 });
  try {
    server = await startServer(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        WIREFEED_DATA_DIR: dir,
        WIREFEED_DEMO: '0',
        WIREFEED_SCHEDULE: '0 0 1 1 *',
        WIREFEED_ALLOW_PRIVATE_NETWORKS: '1',
        WIREFEED_WEBSUB_MAX_PER_CALLBACK_HOST: String(n * 2),
        LOG_LEVEL: 'silent',
      }),
      silentLogger(),
    );
    const storage = server.core.storage;
    const now = new Date().toISOString();
    const source = await storage.sources.create({ url: 'https://wire.example.com/feed.xml', slug: 'wire', title: 'Example Wire', nextFetchAt: '2999-01-01T00:00:00Z', now });
    await storage.ingest.recordFetch({ sourceId: source.id, startedAt: now, ms: 1, outcome: 'modified', warnings: [], items: wireItems(), now, source: { lastFetchedAt: now } });
    const topic = `${server.url}${FEED}`;

    fleet = forkTs('websub-fleet', new URL('./support/websub-fleet.ts', import.meta.url).href);
    const origin = (await fleet.request({ type: 'init', secret: SECRET }, 'ready')).origin as string;
    const callbacks = Array.from({ length: n }, (_, i) => `${origin}/cb/${i}`);
    log(`subscribing ${n} callbacks`);
    await pool(callbacks, 32, async (cb) => {
      const res = await fetch(`${server!.url}/websub`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': cb, 'hub.secret': SECRET }).toString(),
      });
      if (res.status !== 202) throw new Error(`bench: subscribe answered ${res.status}: ${await res.text()}`);
    });
    await until(async () => (await storage.websub.countSubscriptions({ topic })) === n, `${n} verified subscriptions`);
    await server.core.hub.idle();

    const warm = await fetch(topic);
    if (warm.status !== 200) throw new Error(`bench: feed answered ${warm.status}`);
    const body = Buffer.from(await warm.arrayBuffer());
    const load = () => wrk(topic, { seconds, threads: 2, connections: 32, headers: { 'accept-encoding': 'gzip' } });

    log('serving alone');
    const alone = await load();

    log(`one commit fanned out to ${n} subscribers, under the same load`);
    await fleet.request({ type: 'expect', count: n }, 'expecting');
    const fanDone = fleet.wait('done', 120_000);
    const duringFan: Promise<WrkResult> = load();
    await new Promise((r) => setTimeout(r, 1_000));
    const t0 = Date.now();
    const at = new Date(t0).toISOString();
    await storage.ingest.recordFetch({
      sourceId: source.id,
      startedAt: at,
      ms: 1,
      outcome: 'modified',
      warnings: [],
      items: [{ ...wireItems()[0]!, identityKey: 'bench-new', guid: 'bench-new', title: 'Breaking', contentHash: 'bench-new' }],
      now: at,
      source: { lastFetchedAt: at },
    });
    const fan = await fanDone;
    const during = await duringFan;
    if (fan.bad !== 0) throw new Error(`bench: ${String(fan.bad)} pushes had a bad signature`);
    const fanMs = (fan.lastAt as number) - t0;

    log('baseline: a bare loop POSTing the same signed body, under the same load');
    await fleet.request({ type: 'expect', count: n }, 'expecting');
    const rawDone = fleet.wait('done', 120_000);
    const duringRaw = load();
    await new Promise((r) => setTimeout(r, 1_000));
    const t1 = Date.now();
    await pool(callbacks, CONCURRENCY, async (cb) => {
      const signature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
      const res = await request(cb, { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/rss+xml; charset=utf-8', 'x-hub-signature': signature, link: `<${server!.url}/websub>; rel="hub", <${topic}>; rel="self"` }, body });
      await res.body.dump();
    });
    const raw = await rawDone;
    await duringRaw;
    const rawMs = (raw.lastAt as number) - t1;

    const results: BenchResult[] = [
      {
        name: `WebSub: one commit to ${n} loopback subscribers, time to the last delivery`,
        subject: { name: 'wirefeed hub (commit → last push)', value: fanMs, unit: 'ms' },
        baseline: { name: 'bare POST loop, same body, same concurrency', value: rawMs, unit: 'ms' },
        ratio: rawMs / fanMs,
        target: '≥ 0.2 and under 5 s',
        pass: rawMs / fanMs >= 0.2 && fanMs < 5_000,
        notes: `includes noticing the commit (data-version watch, 100 ms), re-rendering the feed, queueing ${n} deliveries in SQLite and signing each; ${(fan.lastAt as number) - (fan.firstAt as number)} ms first to last push`,
      },
      {
        name: `serving p99 of the cached feed during that fan-out`,
        subject: { name: 'wrk p99 during the fan-out', value: during.p99Ms, unit: 'ms' },
        baseline: { name: 'wrk p99, same load, no fan-out', value: alone.p99Ms, unit: 'ms' },
        ratio: alone.p99Ms / during.p99Ms,
        target: '≥ 0.3',
        pass: alone.p99Ms / during.p99Ms >= 0.3,
        notes: `${Math.round(during.rps)} req/s during vs ${Math.round(alone.rps)} req/s alone (32 connections, ${seconds} s each)`,
      },
    ];
    return results;
  } finally {
    await fleet?.stop();
    await agent.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
};
