// Soak: a bounded run (5 min; --quick 1 min) with back-to-back refresh rounds, churning
// sources (every feed changes on every fetch; sources removed and added each round) and
// retention (maxPerSource) + checkpoint housekeeping, sampling RSS, heap used, DB file size,
// content size and open fds of the wirefeed process every few seconds. After warm-up the
// curves must be flat: the first post-warm-up sample is the baseline.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { forkTs, type Child } from './support/child.js';
import { round, slope, sleep } from './support/stats.js';
import { CONCURRENCY, PER_HOST, TIMEOUT_MS } from './scheduler.bench.js';
import type { BenchModule, BenchResult } from './types.js';

const POOL = 400; // URLs the fleet serves
const ACTIVE = 200; // sources registered at any time
const CHURN = 10; // removed and added per round
const MAX_PER_SOURCE = 20;

interface Sample {
  t: number;
  rssMB: number;
  heapMB: number;
  dbMB: number;
  contentMB: number;
  articles: number;
  fds: number;
}

export const run: BenchModule = async ({ quick, log }) => {
  const durationMs = quick ? 60_000 : 5 * 60_000;
  const warmupMs = quick ? 20_000 : 60_000;
  const sampleEveryMs = quick ? 3_000 : 5_000;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-bench-soak-'));
  const children: Child[] = [];
  try {
    const fleet = forkTs('fleet', new URL('./support/fleet-server.ts', import.meta.url).href);
    children.push(fleet);
    const started = await fleet.request({ type: 'start', opts: { sources: POOL, hosts: 10, crowded: 40, items: 5 } }, 'started', 60_000);
    const pool = started.urls as string[];
    const wf = forkTs('wirefeed', new URL('./support/wirefeed-child.ts', import.meta.url).href);
    children.push(wf);
    await wf.request(
      {
        type: 'init',
        dbPath: path.join(dir, 'soak.db'),
        dataDir: dir,
        concurrency: CONCURRENCY,
        perHost: PER_HOST,
        timeoutMs: TIMEOUT_MS,
        urls: pool.slice(0, ACTIVE),
        env: { WIREFEED_RETENTION_PER_SOURCE: String(MAX_PER_SOURCE) },
      },
      'ready',
      60_000,
    );
    const samples: Sample[] = [];
    const t0 = Date.now();
    let nextSample = 0;
    let rounds = 0;
    let next = ACTIVE; // next pool URL to add
    let deleted = 0;
    while (Date.now() - t0 < durationMs) {
      rounds++;
      await fleet.request({ type: 'cycle', cycle: rounds + 1, churn: true }, 'cycled');
      await wf.request({ type: 'round' }, 'round-done', 120_000);
      const add = Array.from({ length: CHURN }, () => pool[next++ % POOL]!);
      await wf.request({ type: 'churn', remove: CHURN, add }, 'churned');
      if (rounds % 3 === 0) deleted += (await wf.request({ type: 'housekeeping', maxPerSource: MAX_PER_SOURCE }, 'housekept', 120_000)).deleted as number;
      if (Date.now() - t0 >= nextSample) {
        const s = (await wf.request({ type: 'sample' }, 'sampled')) as unknown as Sample;
        s.t = (Date.now() - t0) / 1000;
        samples.push(s);
        nextSample += sampleEveryMs;
        log(`t=${s.t.toFixed(0)}s round ${rounds}: rss ${s.rssMB.toFixed(0)} MB, heap ${s.heapMB.toFixed(0)} MB, db ${s.dbMB.toFixed(1)} MB, content ${s.contentMB.toFixed(1)} MB, ${s.articles} articles, ${s.fds} fds`);
      }
      await sleep(200);
    }
    const post = samples.filter((s) => s.t * 1000 >= warmupMs);
    if (post.length < 3) throw new Error(`soak: only ${post.length} samples after warm-up`);
    const base = post[0]!;
    const last = post[post.length - 1]!;
    const minutes = (last.t - base.t) / 60;
    const ts = post.map((s) => s.t / 60);
    const perMin = (key: keyof Sample) => slope(ts, post.map((s) => s[key] as number));
    const results: BenchResult[] = [];
    const flat = (name: string, key: 'rssMB' | 'heapMB', tolerancePct: number) => {
      const sl = perMin(key);
      const projected = sl * minutes;
      const pct = (100 * projected) / (base[key] as number);
      results.push({
        name,
        subject: { name: `slope after warm-up (${minutes.toFixed(1)} min)`, value: round(sl, 2), unit: 'MB/min' },
        baseline: { name: 'first post-warm-up sample', value: round(base[key] as number, 1), unit: 'MB' },
        ratio: round((base[key] as number) / (last[key] as number), 3),
        target: `flat: fitted growth over the window < ${tolerancePct}% of baseline`,
        pass: pct < tolerancePct,
        notes: `fitted growth ${projected.toFixed(1)} MB (${pct.toFixed(1)}%); last ${(last[key] as number).toFixed(1)} MB; max ${Math.max(...post.map((s) => s[key] as number)).toFixed(1)} MB`,
      });
    };
    flat('soak: RSS of the wirefeed process', 'rssMB', 10);
    flat('soak: JS heap used', 'heapMB', 15);
    const dbGrowth = last.dbMB / base.dbMB;
    const contentGrowth = last.contentMB / base.contentMB;
    results.push({
      name: 'soak: DB file size (db + wal) vs content size',
      subject: { name: 'DB size growth after warm-up', value: round(dbGrowth, 3), unit: '×' },
      baseline: { name: 'content (title+summary+body) growth', value: round(contentGrowth, 3), unit: '×' },
      ratio: round(contentGrowth / dbGrowth, 3),
      target: 'DB grows no faster than content (+10%)',
      pass: dbGrowth <= contentGrowth * 1.1,
      notes: `db ${base.dbMB.toFixed(1)} → ${last.dbMB.toFixed(1)} MB; content ${base.contentMB.toFixed(1)} → ${last.contentMB.toFixed(1)} MB; ${last.articles} articles; retention ${MAX_PER_SOURCE}/source deleted ${deleted}; ${rounds} rounds, ${CHURN} sources churned per round`,
    });
    const fdSlope = perMin('fds');
    const fdMax = Math.max(...post.map((s) => s.fds));
    results.push({
      name: 'soak: open file descriptors',
      subject: { name: 'fds, last sample', value: last.fds, unit: 'fds' },
      baseline: { name: 'first post-warm-up sample', value: base.fds, unit: 'fds' },
      target: 'stable: fitted growth < 10 fds and max ≤ baseline + 40 (keep-alive sockets)',
      pass: fdSlope * minutes < 10 && fdMax <= base.fds + 40,
      notes: `slope ${fdSlope.toFixed(2)} fds/min, max ${fdMax}`,
    });
    return results;
  } finally {
    await Promise.allSettled(children.map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
};
