// Scale-out (issue 13 §2): three wirefeed instances on one database against one, over the
// 10,000-source loopback fleet (100 hosts, one carrying 500). Each instance is its own process
// (bench/support/instance-child.ts: the real core, its own WIREFEED_INSTANCE_ID). The fleet
// counts requests per source and the most in flight per host, across all instances.
// Cycle 1 warms the database (every body new); cycle 2 is one instance alone; cycle 3 is three
// instances together on the same work (the fleet changes the same 40% of bodies each cycle);
// cycle 4 is one instance alone again (the baseline is the mean of 2 and 4); cycle 5 kills one
// of the three with SIGKILL mid-cycle while they run as ticking schedulers.
// The database is PostgreSQL when WIREFEED_TEST_DATABASE_URL is set (a fresh database per run,
// dropped after), else a SQLite file shared by the processes.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { forkTs, type Child } from './support/child.js';
import { round } from './support/stats.js';
import type { BenchModule, BenchResult } from './types.js';

const CONCURRENCY = 16;
const PER_HOST = 2;
const TIMEOUT_MS = 2000;
const LEASE_S = 10;

/** What the bench itself asks of the database (outside wirefeed): make every source due, count fetch-log rows. */
interface Admin {
  label: string;
  env: Record<string, string>;
  makeDue(at: string): Promise<void>;
  /** Sources by how many fetch-log rows they got since `since`: { rows: sources }. */
  rowsSince(since: string): Promise<Record<number, number>>;
  /** Sources `owner` still holds a lease on. */
  heldBy(owner: string): Promise<number[]>;
  /** Latest started_at of the fetch-log rows of `ids` since `since`, when each has one. */
  lastStart(ids: number[], since: string): Promise<string | undefined>;
  /** How many of `ids` have a fetch-log row started at or after `since`. */
  countSince(ids: number[], since: string): Promise<number>;
  drop(): Promise<void>;
}

const ROWS_SQL = (p: string) =>
  `SELECT c, count(*) AS n FROM (SELECT s.id, (SELECT count(*) FROM fetch_log f WHERE f.source_id = s.id AND f.started_at >= ${p}) AS c FROM sources s) t GROUP BY c`;

function sqliteAdmin(dir: string): Admin {
  const file = path.join(dir, 'wirefeed.db');
  let db: Database.Database | undefined;
  const open = () => (db ??= new Database(file));
  return {
    label: 'SQLite (one file, WAL)',
    env: { WIREFEED_DB: file },
    async makeDue(at) {
      open().prepare('UPDATE sources SET next_fetch_at = ?').run(at);
    },
    async rowsSince(since) {
      const out: Record<number, number> = {};
      for (const r of open().prepare(ROWS_SQL('?')).all(since) as { c: number; n: number }[]) out[r.c] = r.n;
      return out;
    },
    async heldBy(owner) {
      return open().prepare('SELECT id FROM sources WHERE lease_owner = ?').pluck().all(owner) as number[];
    },
    async lastStart(ids, since) {
      const get = open().prepare('SELECT max(started_at) FROM fetch_log WHERE source_id = ? AND started_at >= ?').pluck();
      let last = '';
      for (const id of ids) {
        const v = get.get(id, since) as string | null;
        if (!v) return undefined;
        if (v > last) last = v;
      }
      return last;
    },
    async countSince(ids, since) {
      const get = open().prepare('SELECT 1 FROM fetch_log WHERE source_id = ? AND started_at >= ? LIMIT 1').pluck();
      return ids.filter((id) => get.get(id, since) !== undefined).length;
    },
    async drop() {
      db?.close();
    },
  };
}

interface PgClientLike {
  connect(): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
}

async function pgAdmin(baseUrl: string): Promise<Admin> {
  // Loaded by name: the driver is a dependency of the PostgreSQL storage, not of this file's types.
  const driver = 'pg';
  const pg = ((await import(driver)) as { default: { Client: new (o: { connectionString: string }) => PgClientLike } }).default;
  const name = `wfbench_${randomBytes(5).toString('hex')}`;
  const server = new pg.Client({ connectionString: baseUrl });
  await server.connect();
  await server.query(`CREATE DATABASE ${name}`);
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  let db: PgClientLike | undefined;
  const open = async () => {
    if (!db) {
      db = new pg.Client({ connectionString: url });
      await db.connect();
    }
    return db;
  };
  return {
    label: 'PostgreSQL 15 (one database)',
    env: { WIREFEED_DATABASE_URL: url },
    async makeDue(at) {
      await (await open()).query('UPDATE sources SET next_fetch_at = $1', [at]);
    },
    async rowsSince(since) {
      const out: Record<number, number> = {};
      for (const r of (await (await open()).query(ROWS_SQL('$1'), [since])).rows) out[Number(r.c)] = Number(r.n);
      return out;
    },
    async heldBy(owner) {
      return (await (await open()).query('SELECT id FROM sources WHERE lease_owner = $1', [owner])).rows.map((r) => Number(r.id));
    },
    async lastStart(ids, since) {
      const r = (
        await (await open()).query(
          'SELECT count(DISTINCT source_id) AS n, max(started_at) AS last FROM fetch_log WHERE source_id = ANY($1::bigint[]) AND started_at >= $2',
          [ids, since],
        )
      ).rows[0]!;
      return Number(r.n) === ids.length ? (r.last as string) : undefined;
    },
    async countSince(ids, since) {
      const r = await (await open()).query('SELECT count(DISTINCT source_id) AS n FROM fetch_log WHERE source_id = ANY($1::bigint[]) AND started_at >= $2', [ids, since]);
      return Number(r.rows[0]!.n);
    },
    async drop() {
      await db?.end();
      await server.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await server.end();
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const run: BenchModule = async ({ quick, log }) => {
  const results: BenchResult[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-bench-scale-'));
  const children: Child[] = [];
  const pgUrl = process.env.WIREFEED_TEST_DATABASE_URL;
  const admin = pgUrl ? await pgAdmin(pgUrl) : sqliteAdmin(dir);
  try {
    const size = quick ? { sources: 1000, hosts: 100, crowded: 50 } : { sources: 10_000, hosts: 100, crowded: 500 };
    const fleet = forkTs('fleet', new URL('./support/fleet-server.ts', import.meta.url).href);
    children.push(fleet);
    const started = await fleet.request({ type: 'start', opts: { ...size, items: 5 } }, 'started', 60_000);
    const urls = started.urls as string[];
    const n = urls.length;
    log(`fleet: ${n} sources on ${size.hosts} hosts; database: ${admin.label}`);

    const startInstance = async (id: string): Promise<Child> => {
      const c = forkTs(id, new URL('./support/instance-child.ts', import.meta.url).href);
      children.push(c);
      const env = {
        ...admin.env,
        WIREFEED_DATA_DIR: dir,
        WIREFEED_INSTANCE_ID: id,
        WIREFEED_FETCH_CONCURRENCY: String(CONCURRENCY),
        WIREFEED_PER_HOST_CONCURRENCY: String(PER_HOST),
        WIREFEED_FETCH_TIMEOUT_MS: String(TIMEOUT_MS),
        WIREFEED_LEASE_SECONDS: String(LEASE_S),
      };
      await c.request({ type: 'init', env }, 'ready', 120_000);
      return c;
    };
    const one = await startInstance('bench-1');
    await one.request({ type: 'seed', urls }, 'seeded', 600_000);
    log(`${n} sources registered`);

    /** One cycle: every source due, the given instances each run refreshDue() at once. */
    const cycle = async (k: number, instances: Child[]) => {
      await fleet.request({ type: 'cycle', cycle: k }, 'cycled');
      await fleet.request({ type: 'reset' }, 'reset-done');
      const since = new Date().toISOString();
      await admin.makeDue(new Date(Date.now() - 1000).toISOString());
      const t0 = performance.now();
      const done = await Promise.all(instances.map((c) => c.request({ type: 'cycle' }, 'cycle-done', 900_000)));
      const ms = performance.now() - t0;
      const stats = await fleet.request({ type: 'stats' }, 'stats');
      const rows = await admin.rowsSince(since);
      const per = done.map((d) => d.outcomes as number);
      log(`cycle ${k} (${instances.length} instance${instances.length > 1 ? 's' : ''}): ${ms.toFixed(0)} ms, outcomes ${per.join(' + ')}, fetched ${JSON.stringify(stats.fetched)}, fetch-log rows ${JSON.stringify(rows)}, max per host ${stats.maxPerHost as number}`);
      return { ms, per, fetched: stats.fetched as { once: number; never: number; more: number }, rows, maxPerHost: stats.maxPerHost as number };
    };

    await cycle(1, [one]);
    const single = await cycle(2, [one]);
    const two = await startInstance('bench-2');
    const three = await startInstance('bench-3');
    const trio = await cycle(3, [one, two, three]);
    // One instance again after the three: the baseline brackets the measured cycle, so a change in
    // the machine's load during the run moves both sides instead of only one.
    const singleAfter = await cycle(4, [one]);
    const baselineMs = (single.ms + singleAfter.ms) / 2;
    const load = os.loadavg()[0]!.toFixed(1);

    results.push({
      name: `one cycle of ${n} sources, three instances on one database against one`,
      subject: { name: 'three instances (cycle 3)', value: Math.round(trio.ms), unit: 'ms' },
      baseline: { name: 'one instance (mean of cycles 2 and 4, before and after, same work)', value: Math.round(baselineMs), unit: 'ms' },
      ratio: round(baselineMs / trio.ms),
      target: 'three take ≤ 1.2× one instance’s time (ratio ≥ 0.83)',
      pass: trio.ms <= 1.2 * baselineMs,
      notes: `${admin.label}; one instance ${Math.round(single.ms)} ms before, ${Math.round(singleAfter.ms)} ms after; concurrency ${CONCURRENCY} and per host ${PER_HOST} per instance, lease ${LEASE_S} s; sources per instance ${trio.per.join(' / ')}; the three and the fleet share the 2 cores; load average ${load} at the end`,
    });
    const exact = trio.fetched.once === n && trio.rows[1] === n;
    results.push({
      name: 'every source fetched exactly once in the three-instance cycle',
      subject: { name: 'sources the fleet served exactly once', value: trio.fetched.once, unit: 'sources' },
      baseline: { name: 'sources', value: n, unit: 'sources' },
      ratio: round(trio.fetched.once / n, 4),
      target: '= 1 (all once; none twice, none missed; one fetch-log row each)',
      pass: exact,
      notes: `served never ${trio.fetched.never}, more than once ${trio.fetched.more}; fetch-log rows per source ${JSON.stringify(trio.rows)}`,
    });
    results.push({
      name: 'per-host limit across the three instances',
      subject: { name: 'max concurrent requests one host saw (cycle 3)', value: trio.maxPerHost, unit: 'requests' },
      baseline: { name: 'WIREFEED_PER_HOST_CONCURRENCY', value: PER_HOST, unit: 'requests' },
      target: `≤ ${PER_HOST}`,
      pass: trio.maxPerHost <= PER_HOST,
      notes: `one instance alone (cycle 2): ${single.maxPerHost}`,
    });

    // Cycle 5: the three tick as schedulers; bench-3 is killed once a third of the fleet was asked.
    await fleet.request({ type: 'cycle', cycle: 5 }, 'cycled');
    await fleet.request({ type: 'reset' }, 'reset-done');
    const since = new Date().toISOString();
    await admin.makeDue(new Date(Date.now() - 1000).toISOString());
    const t0 = performance.now();
    await Promise.all([one, two, three].map((c) => c.request({ type: 'loop', pauseMs: 500 }, 'looping')));
    for (;;) {
      const s = await fleet.request({ type: 'stats' }, 'stats');
      if ((s.requests as number) >= n / 3) break;
      await sleep(50);
    }
    three.proc.kill('SIGKILL');
    const killedAt = Date.now();
    const killedIso = new Date(killedAt).toISOString();
    const held = await admin.heldBy('bench-3');
    let recoveredMs: number | undefined;
    let allMs: number | undefined;
    const deadline = killedAt + 10 * LEASE_S * 1000 + 300_000;
    // A held source counts once it has a fetch-log row of this cycle. A row started before the
    // kill is the dying instance's own last commit, which PostgreSQL finished after the client
    // died (and after heldBy read the lease): recorded once, nothing to take over.
    while (Date.now() < deadline) {
      if (recoveredMs === undefined) {
        const last = held.length ? await admin.lastStart(held, since) : killedIso;
        if (last) recoveredMs = Math.max(0, Date.parse(last) - killedAt);
      }
      const rows = await admin.rowsSince(since);
      if (rows[1] === n && recoveredMs !== undefined) {
        allMs = performance.now() - t0;
        break;
      }
      await sleep(250);
    }
    await Promise.all([one, two].map((c) => c.request({ type: 'halt' }, 'halted', 120_000)));
    const stats = await fleet.request({ type: 'stats' }, 'stats');
    const rows = await admin.rowsSince(since);
    const takenOver = await admin.countSince(held, killedIso);
    const fetched = stats.fetched as { once: number; never: number; more: number };
    log(`cycle 5 (kill -9 of bench-3 holding ${held.length} leases): its sources taken over ${recoveredMs ?? '–'} ms after the kill, all recorded after ${allMs?.toFixed(0) ?? '–'} ms; fetched ${JSON.stringify(fetched)}, rows ${JSON.stringify(rows)}, max per host ${stats.maxPerHost as number}`);
    results.push({
      name: 'kill -9 of one of three instances mid-cycle: its sources fetched by the others',
      subject: { name: 'last of its leased sources refetched, after the kill', value: recoveredMs ?? NaN, unit: 'ms' },
      baseline: { name: 'lease (WIREFEED_LEASE_SECONDS)', value: LEASE_S * 1000, unit: 'ms' },
      target: `within one lease period (+ one 500 ms tick); every source recorded once, none lost`,
      pass: recoveredMs !== undefined && recoveredMs <= LEASE_S * 1000 + 500 + TIMEOUT_MS && rows[1] === n && fetched.never === 0,
      notes: `it held ${held.length} leases when killed: ${takenOver} fetched by the others after the kill, ${held.length - takenOver} recorded by its own last commit, which the database finished after the process died; fetch-log rows per source ${JSON.stringify(rows)}; the fleet served ${fetched.more} sources twice (the killed instance's requests in flight), none never (${fetched.never}); max per host ${stats.maxPerHost as number}`,
    });
  } finally {
    await Promise.allSettled(children.map((c) => c.stop()));
    await admin.drop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
};
