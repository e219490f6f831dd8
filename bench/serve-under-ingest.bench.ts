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

type Msg = Record<string, unknown>;

/**
 * Loads `url` with no ingest, then again while `ingest` (a wirefeed child) runs a cycle over
 * churned feeds; the figure is the p99 under ingest against the idle p99.
 */
async function loadDuringCycle(
  o: { url: string; load: Child; ingest: Child; fleet: Child; cycle: number; seconds: number; name: string; subject: string; log: (l: string) => void },
): Promise<BenchResult> {
  const load = (): Promise<Msg> => o.load.request({ type: 'load', url: o.url, paths: PATHS, seconds: o.seconds, connections: 10 }, 'load-done', 120_000);
  const idle = await load();
  o.log(`${o.subject}, no ingest: p50 ${idle.p50 as number} ms, p99 ${idle.p99 as number} ms, ${idle.requests as number} requests`);
  await o.fleet.request({ type: 'cycle', cycle: o.cycle, churn: true }, 'cycled');
  const t0 = performance.now();
  const cycle = o.ingest.request({ type: 'cycle' }, 'cycle-done', 600_000);
  await sleep(1000); // let the cycle get going
  const busy = await load();
  const loadEnd = performance.now() - t0;
  const c = await cycle;
  const overlapped = (c.ms as number) >= loadEnd;
  const loop = c.loopDelayP99Ms === undefined ? '' : `; the ingesting process's event-loop delay: p99 ${round(c.loopDelayP99Ms as number, 1)} ms, max ${round(c.loopDelayMaxMs as number, 1)} ms`;
  o.log(`${o.subject}, during ingest: p50 ${busy.p50 as number} ms, p99 ${busy.p99 as number} ms, ${busy.requests as number} requests; cycle ${(c.ms as number).toFixed(0)} ms${loop}`);
  return {
    name: o.name,
    subject: { name: o.subject, value: busy.p99 as number, unit: 'ms' },
    baseline: { name: 'same server and load, no ingest', value: idle.p99 as number, unit: 'ms' },
    ratio: round((idle.p99 as number) / Math.max(busy.p99 as number, 0.001), 2),
    target: 'p99 < 50 ms',
    pass: (busy.p99 as number) < 50 && overlapped,
    notes:
      `10 connections × ${o.seconds} s over ${PATHS.length} feed URLs (gzip); p50 ${busy.p50 as number} vs ${idle.p50 as number} ms, ` +
      `${Math.round(busy.rps as number)} vs ${Math.round(idle.rps as number)} req/s, non-2xx ${busy.non2xx as number}, errors ${busy.errors as number}; ` +
      `cycle ${(c.ms as number).toFixed(0)} ms ${overlapped ? 'covered the whole load window' : 'ENDED BEFORE the load window'} (${JSON.stringify(c.byKind)})${loop}`,
  };
}

export const run: BenchModule = async ({ quick, log }) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-bench-serve-'));
  const children: Child[] = [];
  try {
    const fleet = await startFleet(quick);
    children.push(fleet.child);
    const wf = await startWirefeed(fleet, dir, true);
    children.push(wf.child);
    const load = forkTs('load', new URL('./support/load-child.ts', import.meta.url).href);
    children.push(load);
    log(`server on port ${wf.port!}, ${fleet.urls.length} sources; first cycle fills the database…`);
    const first = await wf.child.request({ type: 'cycle' }, 'cycle-done', 600_000);
    log(`first cycle ${(first.ms as number).toFixed(0)} ms ${JSON.stringify(first.byKind)}`);
    const seconds = quick ? 5 : 10;
    const n = fleet.urls.length;
    const inProcess = await loadDuringCycle({
      url: `http://127.0.0.1:${wf.port!}`,
      load,
      ingest: wf.child,
      fleet: fleet.child,
      cycle: 2,
      seconds,
      name: `cached feed requests during a ${n}-source refresh cycle (p99)`,
      subject: 'autocannon p99 while the server itself ingests',
      log,
    });
    // The deployment README recommends when latency matters: a server without the scheduler
    // (WIREFEED_SCHEDULER=0) and the ingest in its own process at nice 10, on the same database.
    const serveOnly = await startWirefeed(fleet, dir, true, { WIREFEED_SCHEDULER: '0' }, false);
    children.push(serveOnly.child);
    await wf.child.request({ type: 'nice', nice: 10 }, 'niced');
    const split = await loadDuringCycle({
      url: `http://127.0.0.1:${serveOnly.port!}`,
      load,
      ingest: wf.child,
      fleet: fleet.child,
      cycle: 3,
      seconds,
      name: `cached feed requests during a ${n}-source refresh cycle run by a separate ingest process at nice 10 (p99)`,
      subject: 'autocannon p99, server with WIREFEED_SCHEDULER=0',
      log,
    });
    return [inProcess, split];
  } finally {
    await Promise.allSettled(children.map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
};
