// The cost of metrics on the fast lane: the same cached feed served by two wirefeed servers over
// the same storage, one with metrics on (WIREFEED_METRICS=1: request tallies, render hooks, the
// prom-client default collectors running) and one without. wrk drives both, interleaved; the
// ratio on/off must stay ≥ 0.95.
import { mkdtempSync, rmSync } from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { createMetrics } from '../src/http/metrics.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import { benchServer, close, listen, probe, wireItems } from './support/cached-feed.js';
import { ensureWrk, wrk } from './support/wrk.js';
import type { BenchModule } from './types.js';

const TARGET = 0.95;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const FEED_PATH = '/feeds/all.rss';

export const run: BenchModule = async ({ quick, log }) => {
  ensureWrk();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-metrics-bench-'));
  const storage = openSqliteStorage({ path: path.join(dir, 'bench.db') });
  const servers: http.Server[] = [];
  try {
    const now = '2025-03-01T12:00:00.000Z';
    const source = await storage.sources.create({ url: 'https://wire.example.com/feed.xml', slug: 'wire', title: 'Example Wire', nextFetchAt: now, now });
    await storage.ingest.recordFetch({ sourceId: source.id, startedAt: now, ms: 1, outcome: 'modified', warnings: [], items: wireItems(), now, source: { lastFetchedAt: now } });
    const metrics = createMetrics({ storage, feeds: () => undefined });
    const onServer = benchServer(storage, now, metrics);
    const offServer = benchServer(storage, now);
    // A second metrics-off server: the off-vs-off pair shows how much of any difference is noise.
    const controlServer = benchServer(storage, now);
    servers.push(onServer, offServer, controlServer);
    const onUrl = (await listen(onServer)) + FEED_PATH;
    const offUrl = (await listen(offServer)) + FEED_PATH;
    const controlUrl = (await listen(controlServer)) + FEED_PATH;
    const headers = { 'accept-encoding': 'gzip', 'x-request-id': 'bench' };
    for (const url of [onUrl, offUrl, controlUrl]) if ((await probe(url, headers)).status !== 200) throw new Error(`bench: warm-up of ${url} failed`);
    const load = async (url: string, seconds: number) => (await wrk(url, { headers, seconds, threads: 2, connections: 32 })).rps;
    for (const url of [onUrl, offUrl, controlUrl]) await load(url, 1);

    // The machine is shared and noisy (one 5 s run can halve for reasons of its own): many
    // short back-to-back pairs, alternating who goes first, and the median of the pair ratios.
    const seconds = 2;
    const pairs = quick ? 6 : 12;
    async function compare(subjectUrl: string): Promise<{ subject: number; baseline: number; ratio: number }> {
      const subjects: number[] = [];
      const baselines: number[] = [];
      const ratios: number[] = [];
      for (let r = 0; r < pairs; r++) {
        let a: number;
        let b: number;
        if (r % 2 === 0) {
          a = await load(subjectUrl, seconds);
          b = await load(offUrl, seconds);
        } else {
          b = await load(offUrl, seconds);
          a = await load(subjectUrl, seconds);
        }
        subjects.push(a);
        baselines.push(b);
        ratios.push(a / b);
      }
      return { subject: median(subjects), baseline: median(baselines), ratio: median(ratios) };
    }
    const withMetrics = await compare(onUrl);
    const control = await compare(controlUrl);
    // The tallies really counted: the scrape shows the fast-lane requests.
    const scraped = (await metrics.scrape()).body;
    if (!/wirefeed_http_requests_total\{route="feed",status="200",lane="fast"\} [1-9]/.test(scraped)) throw new Error('bench: metrics did not count the fast lane');
    log(`fast lane with metrics ${withMetrics.subject.toFixed(0)} req/s, without ${withMetrics.baseline.toFixed(0)} req/s, ratio ${withMetrics.ratio.toFixed(3)}; control off/off ${control.ratio.toFixed(3)}`);
    const notes = `wrk, 32 connections, 2 threads; median of ${pairs} back-to-back ${seconds}s pairs, alternating order; loopback`;
    return [
      {
        name: 'serve cached feed with metrics on (gzip)',
        subject: { name: 'WIREFEED_METRICS=1', value: Math.round(withMetrics.subject), unit: 'req/s' },
        baseline: { name: 'metrics off, same server and bytes', value: Math.round(withMetrics.baseline), unit: 'req/s' },
        ratio: withMetrics.ratio,
        target: `≥ ${TARGET}`,
        pass: withMetrics.ratio >= TARGET,
        notes,
      },
      {
        name: 'control: a second metrics-off server (noise floor)',
        subject: { name: 'metrics off (second server)', value: Math.round(control.subject), unit: 'req/s' },
        baseline: { name: 'metrics off', value: Math.round(control.baseline), unit: 'req/s' },
        ratio: control.ratio,
        target: 'information (≈ 1)',
        pass: true,
        notes,
      },
    ];
  } finally {
    for (const s of servers) await close(s);
    storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
};
