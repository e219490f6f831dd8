// Serving while ingesting: the wirefeed server (startServer, in its own process) answers
// cached feed requests from a second process (autocannon, bounded in time) while a refresh
// cycle of 10,000 sources (the scheduler bench's fleet, every source changed) runs in it;
// baseline: the same load with no ingest running.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { forkTs, type Child } from './support/child.js';
import { round, sleep } from './support/stats.js';
import { startFleet, startWirefeed } from './scheduler.bench.js';
import type { BenchModule, BenchResult } from './types.js';

const PATHS = ['/feeds/all.rss', '/feeds/all.atom', '/feeds/all.json', '/feeds/sources/s-1.rss', '/feeds/all.rss?limit=20'];

export const run: BenchModule = async ({ quick, log }) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-bench-serve-'));
  const children: Child[] = [];
  try {
    const fleet = await startFleet(quick);
    children.push(fleet.child);
    const wf = await startWirefeed(fleet, dir, true);
    children.push(wf.child);
    const url = `http://127.0.0.1:${wf.port!}`;
    const load = forkTs('load', new URL('./support/load-child.ts', import.meta.url).href);
    children.push(load);
    log(`server ${url}, ${fleet.urls.length} sources; first cycle fills the database…`);
    const first = await wf.child.request({ type: 'cycle' }, 'cycle-done', 600_000);
    log(`first cycle ${(first.ms as number).toFixed(0)} ms ${JSON.stringify(first.byKind)}`);
    const seconds = quick ? 5 : 10;
    const idle = await load.request({ type: 'load', url, paths: PATHS, seconds, connections: 10 }, 'load-done', 120_000);
    log(`no ingest: p50 ${idle.p50 as number} ms, p99 ${idle.p99 as number} ms, ${idle.requests as number} requests`);

    await fleet.child.request({ type: 'cycle', cycle: 2, churn: true }, 'cycled');
    const t0 = performance.now();
    const cycle = wf.child.request({ type: 'cycle' }, 'cycle-done', 600_000);
    await sleep(1000); // let the cycle get going
    const busy = await load.request({ type: 'load', url, paths: PATHS, seconds, connections: 10 }, 'load-done', 120_000);
    const loadEnd = performance.now() - t0;
    const c = await cycle;
    const overlapped = (c.ms as number) >= loadEnd;
    log(`during ingest: p50 ${busy.p50 as number} ms, p99 ${busy.p99 as number} ms, ${busy.requests as number} requests; cycle ${(c.ms as number).toFixed(0)} ms ${JSON.stringify(c.byKind)}; server event-loop delay p99 ${round(c.loopDelayP99Ms as number, 1)} ms, max ${round(c.loopDelayMaxMs as number, 1)} ms`);
    const res: BenchResult = {
      name: `cached feed requests during a ${fleet.urls.length}-source refresh cycle (p99)`,
      subject: { name: 'autocannon p99 while ingesting', value: busy.p99 as number, unit: 'ms' },
      baseline: { name: 'same load, no ingest', value: idle.p99 as number, unit: 'ms' },
      ratio: round((idle.p99 as number) / Math.max(busy.p99 as number, 0.001), 2),
      target: 'p99 < 50 ms',
      pass: (busy.p99 as number) < 50 && overlapped,
      notes:
        `10 connections × ${seconds} s over ${PATHS.length} feed URLs (gzip); p50 ${busy.p50 as number} vs ${idle.p50 as number} ms, ` +
        `${Math.round(busy.rps as number)} vs ${Math.round(idle.rps as number)} req/s, non-2xx ${busy.non2xx as number}, errors ${busy.errors as number}; ` +
        `cycle ${(c.ms as number).toFixed(0)} ms ${overlapped ? 'covered the whole load window' : 'ENDED BEFORE the load window'} (${JSON.stringify(c.byKind)}); ` +
        `the server's own event-loop delay during the cycle: p99 ${round(c.loopDelayP99Ms as number, 1)} ms, max ${round(c.loopDelayMaxMs as number, 1)} ms`,
    };

    // The deployment README recommends when latency matters: a server without the scheduler
    // (WIREFEED_SCHEDULER=0) and the ingest in its own process at nice 10, on the same database.
    const serveOnly = await startWirefeed(fleet, dir, true, { WIREFEED_SCHEDULER: '0' }, false);
    children.push(serveOnly.child);
    const url2 = `http://127.0.0.1:${serveOnly.port!}`;
    await wf.child.request({ type: 'nice', nice: 10 }, 'niced');
    const idle2 = await load.request({ type: 'load', url: url2, paths: PATHS, seconds, connections: 10 }, 'load-done', 120_000);
    await fleet.child.request({ type: 'cycle', cycle: 3, churn: true }, 'cycled');
    const t2 = performance.now();
    const cycle2 = wf.child.request({ type: 'cycle' }, 'cycle-done', 600_000);
    await sleep(1000);
    const busy2 = await load.request({ type: 'load', url: url2, paths: PATHS, seconds, connections: 10 }, 'load-done', 120_000);
    const loadEnd2 = performance.now() - t2;
    const c2 = await cycle2;
    const overlapped2 = (c2.ms as number) >= loadEnd2;
    log(`split processes, ingest at nice 10: p50 ${busy2.p50 as number} ms, p99 ${busy2.p99 as number} ms, ${busy2.requests as number} requests; idle p99 ${idle2.p99 as number} ms; cycle ${(c2.ms as number).toFixed(0)} ms`);
    const split: BenchResult = {
      name: `cached feed requests during a ${fleet.urls.length}-source refresh cycle run by a separate ingest process at nice 10 (p99)`,
      subject: { name: 'autocannon p99, server with WIREFEED_SCHEDULER=0', value: busy2.p99 as number, unit: 'ms' },
      baseline: { name: 'same server and load, no ingest', value: idle2.p99 as number, unit: 'ms' },
      ratio: round((idle2.p99 as number) / Math.max(busy2.p99 as number, 0.001), 2),
      target: 'p99 < 50 ms',
      pass: (busy2.p99 as number) < 50 && overlapped2,
      notes:
        `same load; p50 ${busy2.p50 as number} vs ${idle2.p50 as number} ms, ${Math.round(busy2.rps as number)} vs ${Math.round(idle2.rps as number)} req/s, non-2xx ${busy2.non2xx as number}; ` +
        `ingest cycle ${(c2.ms as number).toFixed(0)} ms ${overlapped2 ? 'covered the whole load window' : 'ENDED BEFORE the load window'}`,
    };
    return [res, split];
  } finally {
    await Promise.allSettled(children.map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
};
