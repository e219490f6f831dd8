// Idle memory of a real wirefeed process (dist/src/main.js) with the offline demo (12 stories
// ingested at start): resident set and OS threads from /proc once the demo is stored and the
// process has sat idle, next to a bare node:http server measured in the same run. Each
// configuration is its own process so each change can be measured on its own: the old
// defaults (two parse workers on two cores, threads kept forever), one parse worker, and
// threads that stop when idle (WIREFEED_WORKER_IDLE_MS, shortened here so the bench is short).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchModule, BenchResult } from './types.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 1 << 20;
const TOKEN = 'idle-memory-bench-token-0123456789';
const IDLE_MS = 3000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function status(pid: number): { rss: number; threads: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rss: Number(/VmRSS:\s+(\d+)/.exec(s)![1]) * 1024, threads: Number(/Threads:\s+(\d+)/.exec(s)![1]) };
}

async function freePort(): Promise<number> {
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  return port;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(5000)]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

/** Starts wirefeed with the demo, waits until every demo source is stored, then for `settleMs`. */
async function wirefeedIdle(env: Record<string, string>, settleMs: number): Promise<{ rss: number; threads: number; busy: { rss: number; threads: number } }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-idle-'));
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, 'dist/src/main.js')], {
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', WIREFEED_DATA_DIR: dir, WIREFEED_DEMO: '1', WIREFEED_ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'silent', ...env },
    stdio: 'ignore',
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 300; i++) {
      const sources = await fetch(`${base}/api/sources`, { headers: { authorization: `Bearer ${TOKEN}` } }).then(
        (r) => (r.ok ? (r.json() as Promise<{ lastSuccessAt?: string }[] | { items: { lastSuccessAt?: string }[] }>) : undefined),
        () => undefined,
      );
      const list = Array.isArray(sources) ? sources : sources?.items;
      if (list && list.length > 0 && list.every((s) => s.lastSuccessAt)) break;
      await sleep(100);
    }
    const busy = status(child.pid!);
    await sleep(settleMs);
    return { ...status(child.pid!), busy };
  } finally {
    await stop(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function bareIdle(settleMs: number): Promise<{ rss: number; threads: number }> {
  const child = spawn(process.execPath, ['-e', "require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1')"], { stdio: 'ignore' });
  try {
    await sleep(500 + settleMs);
    return status(child.pid!);
  } finally {
    await stop(child);
  }
}

export const run: BenchModule = async ({ log }) => {
  const settle = IDLE_MS + 3000;
  const bare = await bareIdle(settle);
  const mb = (b: number) => Math.round(b / MiB);
  log(`bare node:http idle: ${mb(bare.rss)} MiB, ${bare.threads} threads`);
  const variants: { name: string; env: Record<string, string> }[] = [
    { name: 'before: 2 parse workers, threads kept', env: { WIREFEED_PARSE_WORKERS: '2', WIREFEED_WORKER_IDLE_MS: '0' } },
    { name: '1 parse worker, threads kept', env: { WIREFEED_PARSE_WORKERS: '1', WIREFEED_WORKER_IDLE_MS: '0' } },
    { name: `2 parse workers, threads stop after ${IDLE_MS} ms idle`, env: { WIREFEED_PARSE_WORKERS: '2', WIREFEED_WORKER_IDLE_MS: String(IDLE_MS) } },
    { name: `defaults (cores − 1 parse workers), threads stop after ${IDLE_MS} ms idle`, env: { WIREFEED_WORKER_IDLE_MS: String(IDLE_MS) } },
  ];
  const results: BenchResult[] = [];
  for (const v of variants) {
    const m = await wirefeedIdle(v.env, settle);
    log(`${v.name}: after the demo ${mb(m.busy.rss)} MiB, ${m.busy.threads} threads; idle ${mb(m.rss)} MiB, ${m.threads} threads`);
    const last = v === variants[variants.length - 1];
    results.push({
      name: `idle RSS with the demo stored: ${v.name}`,
      subject: { name: `wirefeed, ${m.threads} threads (${m.busy.threads} right after the demo fetch, ${mb(m.busy.rss)} MiB)`, value: mb(m.rss), unit: 'MiB' },
      baseline: { name: `bare node:http server, ${bare.threads} threads`, value: mb(bare.rss), unit: 'MiB' },
      ratio: Math.round((bare.rss / m.rss) * 100) / 100,
      target: last ? '< 90 MiB' : 'informational',
      pass: last ? m.rss < 90 * MiB : true,
      notes: `${settle / 1000} s after the demo was stored; loaded machine (RSS depends little on load)`,
    });
  }
  return results;
};
