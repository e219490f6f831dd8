// Capacity slope (README "Capacity"): the cost of a refresh cycle per source at 1,000, 10,000
// and 30,000 loopback sources through the real wirefeed process (fetcher, parse workers,
// storage), so the per-instance figures the capacity estimate extrapolates from are checked to
// stay flat as the source count grows. One fixture fleet serves all sizes (sources spread
// evenly over 99 loopback hosts; size N uses the first N); each size gets a fresh wirefeed
// process and database (SQLite; also PostgreSQL, a fresh database per size, when
// WIREFEED_BENCH_DATABASE_URL or WIREFEED_TEST_DATABASE_URL names a server). Two cycles per
// size: every body new, then 60% answering 304.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execOnce } from '../src/storage/postgres/pool.js';
import { forkTs, type Child } from './support/child.js';
import { round } from './support/stats.js';
import { CONCURRENCY, PER_HOST, TIMEOUT_MS } from './scheduler.bench.js';
import type { BenchModule, BenchResult } from './types.js';

const SIZES = [1000, 10_000, 30_000];
const QUICK_SIZES = [200, 1000, 3000];
/** The per-source slope at the largest sizes may exceed the one at the smallest by this much. */
const FLAT = 1.25;

interface CycleFigures {
  ms: number;
  cpuMs: number;
  byKind: Record<string, number>;
  peakRssMB: number;
}

/** A fresh PostgreSQL database for one size, dropped afterwards. */
async function withPgDatabase<T>(adminUrl: string, fn: (url: string) => Promise<T>): Promise<T> {
  const name = `wf_bench_${randomBytes(6).toString('hex')}`;
  const exec = (sql: string) => execOnce({ url: adminUrl }, sql);
  await exec(`CREATE DATABASE ${name}`);
  try {
    const u = new URL(adminUrl);
    u.pathname = `/${name}`;
    return await fn(u.toString());
  } finally {
    await exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

export const run: BenchModule = async ({ quick, log }) => {
  const sizes = quick ? QUICK_SIZES : SIZES;
  const largest = sizes[sizes.length - 1]!;
  const results: BenchResult[] = [];
  const children: Child[] = [];
  // PostgreSQL too when a server is named (the scale-out setup); SQLite always.
  const pgUrl = process.env.WIREFEED_BENCH_DATABASE_URL || process.env.WIREFEED_TEST_DATABASE_URL || undefined;
  const backends = pgUrl ? (['sqlite', 'postgres'] as const) : (['sqlite'] as const);
  const fleet = forkTs('fleet', new URL('./support/fleet-server.ts', import.meta.url).href);
  children.push(fleet);
  try {
    const started = await fleet.request({ type: 'start', opts: { sources: largest, hosts: 100, crowded: 0, items: 5 } }, 'started', 120_000);
    const allUrls = started.urls as string[];
    log(`fleet: ${allUrls.length} sources on 99 loopback hosts`);
    for (const backend of backends) {
      const perSize = new Map<number, CycleFigures[]>();
      for (const n of sizes) {
        const measure = async (env: NodeJS.ProcessEnv): Promise<CycleFigures[]> => {
          const dir = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-bench-capacity-'));
          const wf = forkTs('wirefeed', new URL('./support/wirefeed-child.ts', import.meta.url).href);
          try {
            await wf.request(
              { type: 'init', dbPath: path.join(dir, 'wirefeed.db'), dataDir: dir, concurrency: CONCURRENCY, perHost: PER_HOST, timeoutMs: TIMEOUT_MS, urls: allUrls.slice(0, n), env },
              'ready',
              1_200_000,
            );
            const cycles: CycleFigures[] = [];
            for (const cycle of [1, 2]) {
              await fleet.request({ type: 'cycle', cycle }, 'cycled');
              await fleet.request({ type: 'reset' }, 'reset-done');
              const w = await wf.request({ type: 'cycle' }, 'cycle-done', 1_200_000);
              const f: CycleFigures = { ms: w.ms as number, cpuMs: w.cpuMs as number, byKind: w.byKind as Record<string, number>, peakRssMB: w.peakRssMB as number };
              cycles.push(f);
              log(`${backend}, ${n} sources, cycle ${cycle}: ${Math.round(f.ms)} ms wall, ${Math.round(f.cpuMs)} ms CPU (${(f.cpuMs / n).toFixed(2)} ms/source), peak RSS ${Math.round(f.peakRssMB)} MB ${JSON.stringify(f.byKind)}`);
            }
            return cycles;
          } finally {
            await wf.stop();
            rmSync(dir, { recursive: true, force: true });
          }
        };
        perSize.set(n, backend === 'postgres' ? await withPgDatabase(pgUrl!, (url) => measure({ WIREFEED_DATABASE_URL: url })) : await measure({}));
      }
      results.push(...slopeResults(backend, sizes, perSize));
    }
  } finally {
    await Promise.allSettled(children.map((c) => c.stop()));
  }
  return results;
};

/**
 * A cycle has a fixed part (worker start-up, the slowest host's tail) and a part per source:
 * the slope between two sizes, (cost(b) − cost(a)) / (b − a), is the part per source. Flat
 * means the slope from the middle to the largest size is no steeper than from the smallest
 * to the middle.
 */
function slopeResults(backend: string, sizes: number[], perSize: Map<number, CycleFigures[]>): BenchResult[] {
  const [a, b, c] = sizes as [number, number, number];
  const out: BenchResult[] = [];
  for (const [i, label] of ['every body new', '60% answer 304'].entries()) {
    const at = (n: number) => perSize.get(n)![i]!;
    for (const [what, pick] of [
      ['CPU', (f: CycleFigures) => f.cpuMs],
      ['wall', (f: CycleFigures) => f.ms],
    ] as const) {
      const low = (pick(at(b)) - pick(at(a))) / (b - a);
      const high = (pick(at(c)) - pick(at(b))) / (c - b);
      const ratio = low / high;
      out.push({
        name: `${backend}: refresh ${what} time per added source, ${b.toLocaleString('en-US')} → ${c.toLocaleString('en-US')} sources (${label})`,
        subject: { name: `slope ${b}→${c}`, value: round(high, 3), unit: 'ms/source' },
        baseline: { name: `slope ${a}→${b}, same run`, value: round(low, 3), unit: 'ms/source' },
        ratio: round(ratio),
        target: `flat: ≤ ${FLAT}× the lower slope (ratio ≥ ${round(1 / FLAT)})`,
        pass: ratio >= 1 / FLAT,
        notes: sizes.map((n) => `${n}: ${Math.round(pick(at(n)))} ms (${(pick(at(n)) / n).toFixed(2)}/source, peak RSS ${Math.round(at(n).peakRssMB)} MB)`).join('; ') + `; concurrency ${CONCURRENCY}, per host ${PER_HOST}`,
      });
    }
  }
  return out;
}
