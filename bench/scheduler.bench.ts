// Scale: one full refresh cycle of 10,000 sources over 100 loopback hosts (one carrying 500)
// through the real createRefreshService (real fetcher, processor and SQLite) in its own child
// process, against a bare conditional-GET loop (undici request, same limits, bodies discarded)
// in another, both against the same fixture fleet in a third process. Two cycles: the first
// fetches every body; on the second 60% of the sources answer 304 to their validators.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { forkTs, type Child } from './support/child.js';
import { round } from './support/stats.js';
import type { BenchModule, BenchResult } from './types.js';

export const CONCURRENCY = 16;
export const PER_HOST = 2;
export const TIMEOUT_MS = 2000;

export interface Fleet {
  child: Child;
  urls: string[];
  distinctAddresses: boolean;
  counts: Record<string, number>;
}

export function fleetSize(quick: boolean): { sources: number; hosts: number; crowded: number } {
  return quick ? { sources: 1000, hosts: 100, crowded: 50 } : { sources: 10_000, hosts: 100, crowded: 500 };
}

export async function startFleet(quick: boolean): Promise<Fleet> {
  const child = forkTs('fleet', new URL('./support/fleet-server.ts', import.meta.url).href);
  const started = await child.request({ type: 'start', opts: { ...fleetSize(quick), items: 5 } }, 'started', 60_000);
  return { child, urls: started.urls as string[], distinctAddresses: started.distinctAddresses as boolean, counts: started.counts as Record<string, number> };
}

export async function startWirefeed(fleet: Fleet, dir: string, serve = false, env: NodeJS.ProcessEnv = {}, register = true): Promise<{ child: Child; port?: number }> {
  const child = forkTs('wirefeed', new URL('./support/wirefeed-child.ts', import.meta.url).href);
  const ready = await child.request(
    { type: 'init', dbPath: path.join(dir, 'wirefeed.db'), dataDir: dir, concurrency: CONCURRENCY, perHost: PER_HOST, timeoutMs: TIMEOUT_MS, urls: fleet.urls, serve, env, register },
    'ready',
    120_000,
  );
  return { child, port: ready.port as number | undefined };
}

export const run: BenchModule = async ({ quick, log }) => {
  const results: BenchResult[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-bench-sched-'));
  const children: Child[] = [];
  try {
    const fleet = await startFleet(quick);
    children.push(fleet.child);
    const n = fleet.urls.length;
    log(`fleet: ${n} sources on ${fleetSize(quick).hosts} hosts (${fleet.distinctAddresses ? '127.0.0.2…' : 'ports on 127.0.0.1'}), behaviours ${JSON.stringify(fleet.counts)}`);
    const bare = forkTs('bare', new URL('./support/bare-fetch-child.ts', import.meta.url).href);
    children.push(bare);
    const wf = await startWirefeed(fleet, dir);
    children.push(wf.child);
    log(`wirefeed child ready (${n} sources registered)`);

    let peakRss = 0;
    let crowdedMax = 0;
    let maxPerHost = 0;
    for (const cycle of [1, 2]) {
      await fleet.child.request({ type: 'cycle', cycle }, 'cycled');
      const b = await bare.request({ type: 'cycle', urls: fleet.urls, concurrency: CONCURRENCY, perHost: PER_HOST, timeoutMs: TIMEOUT_MS }, 'cycle-done', 600_000);
      log(`cycle ${cycle} bare loop: ${(b.ms as number).toFixed(0)} ms ${JSON.stringify(b.statuses)}`);
      await fleet.child.request({ type: 'reset' }, 'reset-done');
      const w = await wf.child.request({ type: 'cycle' }, 'cycle-done', 600_000);
      const stats = await fleet.child.request({ type: 'stats' }, 'stats');
      crowdedMax = Math.max(crowdedMax, stats.crowdedMax as number);
      maxPerHost = Math.max(maxPerHost, stats.maxPerHost as number);
      peakRss = Math.max(peakRss, w.peakRssMB as number);
      log(`cycle ${cycle} wirefeed: ${(w.ms as number).toFixed(0)} ms ${JSON.stringify(w.byKind)}, peak RSS ${(w.peakRssMB as number).toFixed(0)} MB (at start ${(w.startRssMB as number).toFixed(0)} MB), max per host ${stats.maxPerHost as number}`);
      const ratio = (b.ms as number) / (w.ms as number);
      results.push({
        name: `refresh cycle ${cycle} of ${n} sources (${cycle === 1 ? 'every body new' : '60% answer 304'})`,
        subject: { name: 'createRefreshService.refreshDue', value: Math.round(w.ms as number), unit: 'ms' },
        baseline: { name: 'bare undici conditional-GET loop', value: Math.round(b.ms as number), unit: 'ms' },
        ratio: round(ratio),
        target: '≤ 1.5× baseline time (ratio ≥ 0.67)',
        pass: ratio >= 1 / 1.5,
        notes: `concurrency ${CONCURRENCY}, per host ${PER_HOST}, timeout ${TIMEOUT_MS} ms; outcomes ${JSON.stringify(w.byKind)}`,
      });
    }
    const check = await wf.child.request({ type: 'check' }, 'checked');
    results.push({
      name: 'peak RSS of the wirefeed process during the cycles',
      subject: { name: 'wirefeed child rss', value: round(peakRss, 0), unit: 'MB' },
      target: '< 256 MB',
      pass: peakRss < 256,
      notes: `${check.articles as number} articles stored; sampled every 50 ms`,
    });
    results.push({
      name: 'no source starved',
      subject: { name: 'sources with a fetch-log row', value: check.fetched as number, unit: 'sources' },
      baseline: { name: 'sources', value: check.sources as number, unit: 'sources' },
      ratio: round((check.fetched as number) / (check.sources as number), 3),
      target: '= 1 (all)',
      pass: check.fetched === check.sources,
    });
    results.push({
      name: 'per-host limit on the crowded host',
      subject: { name: `max concurrent requests seen by the crowded host (${fleetSize(quick).crowded} sources)`, value: crowdedMax, unit: 'requests' },
      baseline: { name: 'WIREFEED_PER_HOST_CONCURRENCY', value: PER_HOST, unit: 'requests' },
      target: `≤ ${PER_HOST}`,
      pass: crowdedMax <= PER_HOST && maxPerHost <= PER_HOST,
      notes: `max over all hosts: ${maxPerHost}`,
    });
  } finally {
    await Promise.allSettled(children.map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
};
