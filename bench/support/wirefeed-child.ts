// Child process: wirefeed's side of the scale benchmarks, measured on its own (CPU, RSS).
// 'init' builds the real core (createCore, or startServer when `serve`) on a temp SQLite file
// and registers the sources; 'cycle' makes every source due and runs one refreshDue() through
// the real fetcher, processor and storage while sampling process.memoryUsage().rss.
import { readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import type { Core } from '../../src/compose.js';
import type { RunningServer } from '../../src/main.js';
import { serveParent, onParentExit, type Msg } from './child.js';

// The product as shipped: the compiled dist/ (`npm run bench` builds it first), so its worker
// threads run plain JS as in production instead of registering the tsx loader each.
// WIREFEED_BENCH_SOURCE=1 runs the TypeScript sources instead.
const base = process.env.WIREFEED_BENCH_SOURCE === '1' ? '../../src/' : '../../dist/src/';
const { loadConfig } = (await import(`${base}config.js`)) as typeof import('../../src/config.js');
const { createCore } = (await import(`${base}compose.js`)) as typeof import('../../src/compose.js');
const { silentLogger } = (await import(`${base}log.js`)) as typeof import('../../src/log.js');
const { startServer } = (await import(`${base}main.js`)) as typeof import('../../src/main.js');

let core: Core | undefined;
let server: RunningServer | undefined;
let dbPath = '';
let peakRss = 0;
let ids: number[] = [];

function sampleRss(): void {
  // rss() alone: memoryUsage() also walks the heap spaces, ~1 ms on the measured main thread every 50 ms.
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}
const sampler = setInterval(sampleRss, 50);
sampler.unref();

onParentExit(async () => {
  clearInterval(sampler);
  if (server) await server.stop();
  else await core?.close();
});

serveParent(async (m: Msg) => {
  switch (m.type) {
    case 'init': {
      dbPath = m.dbPath as string;
      const override = (m.env as NodeJS.ProcessEnv | undefined) ?? {};
      const env: NodeJS.ProcessEnv = {
        // A database URL in the override replaces the SQLite file (setting both is refused).
        ...(override.WIREFEED_DATABASE_URL ? {} : { WIREFEED_DB: dbPath }),
        WIREFEED_DATA_DIR: m.dataDir as string,
        WIREFEED_ALLOW_PRIVATE_NETWORKS: '1',
        WIREFEED_FETCH_CONCURRENCY: String(m.concurrency),
        WIREFEED_PER_HOST_CONCURRENCY: String(m.perHost),
        WIREFEED_FETCH_TIMEOUT_MS: String(m.timeoutMs),
        WIREFEED_DEMO: '0',
        WIREFEED_ADMIN_TOKEN: 'bench-admin-token-0123456789',
        // Never fires during a bench: cycles are driven explicitly.
        WIREFEED_SCHEDULE: '0 0 1 1 *',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        ...override,
      };
      const config = loadConfig(env);
      const log = silentLogger();
      if (m.serve) {
        server = await startServer(config, log);
        core = server.core;
      } else core = await createCore(config, log);
      const now = new Date().toISOString();
      ids = [];
      // A serving-only process on a database another process fills registers nothing.
      const urls = m.register === false ? [] : (m.urls as string[]);
      for (let i = 0; i < urls.length; i++) {
        const s = await core.storage.sources.create({ url: urls[i]!, slug: `s-${i}`, categories: [i % 2 ? 'odd' : 'even'], nextFetchAt: now, now });
        ids.push(s.id);
      }
      return { type: 'ready', port: server?.port, sources: ids.length };
    }
    case 'cycle': {
      const c = core!;
      const now = new Date(Date.now() - 1000).toISOString();
      for (const id of ids) await c.storage.sources.update(id, { nextFetchAt: now });
      sampleRss();
      peakRss = process.memoryUsage().rss;
      const startRss = peakRss;
      // The server's own event-loop delay during the cycle: what a request waits for on this
      // side, apart from the OS scheduler and the load generator.
      const delay = monitorEventLoopDelay({ resolution: 5 });
      delay.enable();
      const t0 = performance.now();
      // process.cpuUsage covers every thread of the process (parse workers, storage writer).
      const cpu0 = process.cpuUsage();
      const outcomes = await c.refresh.refreshDue();
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      delay.disable();
      sampleRss();
      const byKind: Record<string, number> = {};
      for (const o of outcomes) byKind[o.outcome] = (byKind[o.outcome] ?? 0) + 1;
      return {
        type: 'cycle-done',
        ms,
        cpuMs: (cpu.user + cpu.system) / 1000,
        outcomes: outcomes.length,
        byKind,
        peakRssMB: peakRss / 2 ** 20,
        startRssMB: startRss / 2 ** 20,
        loopDelayP99Ms: delay.percentile(99) / 1e6,
        loopDelayMaxMs: delay.max / 1e6,
      };
    }
    case 'nice': {
      // `nice -n N` for a running process: Linux nice values belong to threads, so every
      // thread (main, parse workers, writer) is reniced; threads started later inherit it.
      for (const tid of readdirSync('/proc/self/task')) os.setPriority(Number(tid), m.nice as number);
      return { type: 'niced' };
    }
    case 'round': {
      // Soak: refresh every active source now (the "fetch now" path, same limits as a due-run).
      const c = core!;
      const t0 = performance.now();
      const outcomes = await c.refresh.refreshMany(await c.storage.sources.list({ status: 'active' }));
      return { type: 'round-done', ms: performance.now() - t0, fetched: outcomes.length };
    }
    case 'churn': {
      // Soak: remove the oldest `n` sources, register the given URLs.
      const c = core!;
      const now = new Date().toISOString();
      const removed = ids.splice(0, m.remove as number);
      for (const id of removed) await c.storage.sources.remove(id);
      for (const url of m.add as string[]) {
        const existing = await c.storage.sources.findByUrl(url);
        if (existing) continue;
        const s = await c.storage.sources.create({ url, slug: `c-${Date.now()}-${ids.length}-${Math.floor(Math.random() * 1e6)}`, nextFetchAt: now, now });
        ids.push(s.id);
      }
      return { type: 'churned', sources: ids.length };
    }
    case 'housekeeping': {
      // What the scheduler's hourly housekeeping does: retention, then checkpoint + optimize.
      const c = core!;
      const { deleted } = await c.storage.prune({ maxPerSource: m.maxPerSource as number });
      await c.storage.maintenance();
      return { type: 'housekept', deleted };
    }
    case 'sample': {
      const db = new Database(dbPath, { readonly: true });
      try {
        const row = db
          .prepare(`SELECT count(*) AS n, coalesce(sum(length(title) + coalesce(length(summary), 0) + coalesce(length(content_html), 0)), 0) AS bytes FROM articles`)
          .get() as { n: number; bytes: number };
        const size = (f: string) => {
          try {
            return statSync(f).size;
          } catch {
            return 0;
          }
        };
        const mem = process.memoryUsage();
        return {
          type: 'sampled',
          rssMB: mem.rss / 2 ** 20,
          heapMB: mem.heapUsed / 2 ** 20,
          dbMB: (size(dbPath) + size(`${dbPath}-wal`)) / 2 ** 20,
          contentMB: row.bytes / 2 ** 20,
          articles: row.n,
          fds: readdirSync('/proc/self/fd').length - 1, // minus the readdir handle itself
        };
      } finally {
        db.close();
      }
    }
    case 'check': {
      const db = new Database(dbPath, { readonly: true });
      try {
        const fetched = db.prepare('SELECT count(DISTINCT source_id) FROM fetch_log').pluck().get() as number;
        const sources = db.prepare('SELECT count(*) FROM sources').pluck().get() as number;
        const articles = db.prepare('SELECT count(*) FROM articles').pluck().get() as number;
        return { type: 'checked', fetched, sources, articles, fds: readdirSync('/proc/self/fd').length };
      } finally {
        db.close();
      }
    }
  }
});
