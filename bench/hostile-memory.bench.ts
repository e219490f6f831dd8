// Memory under hostile sources (issue "memory after hostile input"): a real wirefeed process
// (dist/src/main.js) refreshes ~145 hostile sources served on loopback (gzip and brotli bombs,
// 9.5 MiB documents with thousands of items or one huge body, documents over the byte cap,
// slow and never-ending trickles) 16 at a time through its admin API, while its resident set
// is sampled from /proc. Reported: peak RSS during the run and RSS after it settles, each as a
// ratio to the same process's idle RSS measured first in the same run; target ≤ 300 MiB.
// The process gets the environment package.json's start script sets (the allocator settings).
// HM_KINDS=<regex> runs only the matching kinds; HM_EXTRA='{"ENV":"value"}' adds environment
// to the wirefeed process (e.g. MALLOC_ARENA_MAX=8 to undo a setting), for finding where the memory goes.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchModule, BenchResult } from './types.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MiB = 1 << 20;
const TOKEN = 'hostile-memory-bench-token-0123456789';

function rssFeed(items: number, bodyBytes: number): Buffer {
  const body = 'lorem ipsum dolor sit amet '.repeat(Math.ceil(bodyBytes / 27)).slice(0, bodyBytes);
  const item = (i: number) => `<item><title>Item ${i}</title><link>http://example.org/${i}</link><guid>g${i}</guid><pubDate>Mon, 05 Jan 2026 10:00:00 GMT</pubDate><description>&lt;p&gt;${body}&lt;/p&gt;</description></item>\n`;
  return Buffer.from(`<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title><link>http://example.org/</link><description>d</description>\n${Array.from({ length: items }, (_, i) => item(i)).join('')}</channel></rss>`);
}

interface Kind {
  name: string;
  count: number;
  serve(res: http.ServerResponse): void;
}

function kit(): Kind[] {
  const gzBomb = readFileSync(path.join(root, 'test/fixtures/fetch/zeros-50mib.gz'));
  const brBomb = readFileSync(path.join(root, 'test/fixtures/fetch/zeros-1gib.br'));
  const manyItems = rssFeed(3000, 3000); // ≈ 9.5 MiB, 3,000 items
  const oneHuge = rssFeed(1, Math.floor(9.5 * MiB)); // one 9.5 MiB body
  const overCap = rssFeed(9000, 3000); // ≈ 28 MiB: cut off at the cap
  const small = rssFeed(20, 500);
  const trickle = (res: http.ServerResponse, bytes: Buffer, chunk: number, everyMs: number, forever: boolean) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    let off = 0;
    const t = setInterval(() => {
      if (res.destroyed) return clearInterval(t);
      if (off >= bytes.length) {
        if (forever) return void res.write(' ');
        clearInterval(t);
        return void res.end();
      }
      res.write(bytes.subarray(off, off + chunk));
      off += chunk;
    }, everyMs);
    res.on('close', () => clearInterval(t));
  };
  return [
    { name: 'gzip bomb (50 MiB of zeros)', count: 20, serve: (res) => res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'gzip' }).end(gzBomb) },
    { name: 'brotli bomb (1 GiB of zeros)', count: 10, serve: (res) => res.writeHead(200, { 'content-type': 'application/rss+xml', 'content-encoding': 'br' }).end(brBomb) },
    { name: '9.5 MiB, 3,000 items', count: 40, serve: (res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(manyItems) },
    { name: '9.5 MiB, one item', count: 20, serve: (res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(oneHuge) },
    { name: '28 MiB (over the cap)', count: 20, serve: (res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(overCap) },
    { name: 'slow, completes', count: 20, serve: (res) => trickle(res, small, 2048, 100, false) },
    { name: 'never ends', count: 15, serve: (res) => trickle(res, small, 256, 200, true) },
  ];
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) * 1024;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The environment `npm start` gives the service (the `VAR=value` words before `exec node` in
 * package.json's start script: the allocator settings), so the bench measures the process as
 * it is started; the Dockerfile sets the same in ENV.
 */
function startScriptEnv(): Record<string, string> {
  const start = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const words = /^((?:\w+=\S+\s+)*)exec node /.exec(start);
  if (!words) throw new Error(`hostile-memory: package.json start script not of the form "[VAR=value ...] exec node ...": ${start}`);
  return Object.fromEntries(words[1]!.trim().split(/\s+/).filter(Boolean).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
}

export const run: BenchModule = async ({ quick, log }) => {
  const kinds = kit();
  const routes = new Map<string, Kind>();
  const only = process.env.HM_KINDS ? new RegExp(process.env.HM_KINDS) : undefined;
  for (const k of kinds) if (!only || only.test(k.name)) for (let i = 0; i < (quick ? Math.ceil(k.count / 4) : k.count); i++) routes.set(`/${k.name.replace(/\W+/g, '-')}-${i}`, k);
  const fixture = http.createServer((req, res) => {
    const k = routes.get(req.url ?? '');
    if (!k) return void res.writeHead(404).end();
    k.serve(res);
  });
  await new Promise<void>((r) => fixture.listen(0, '127.0.0.1', r));
  const fport = (fixture.address() as AddressInfo).port;
  const probe = http.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-hostile-'));
  const child = spawn(process.execPath, [path.join(root, 'dist/src/main.js')], {
    env: {
      ...process.env, PORT: String(port), HOST: '127.0.0.1', WIREFEED_DATA_DIR: dir, WIREFEED_DEMO: '0', WIREFEED_SCHEDULE: '0 0 1 1 *',
      WIREFEED_ADMIN_TOKEN: TOKEN, WIREFEED_PRIVATE_NETWORK_ALLOWLIST: `127.0.0.1:${fport}`, WIREFEED_FETCH_TIMEOUT_MS: '5000', LOG_LEVEL: 'silent', ...startScriptEnv(), ...(process.env.HM_EXTRA ? JSON.parse(process.env.HM_EXTRA) as Record<string, string> : {}),
    },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}`;
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
  try {
    for (let i = 0; i < 100; i++) {
      if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
      await sleep(100);
    }
    const ids: number[] = [];
    for (const p of routes.keys()) {
      const r = await fetch(`${base}/api/sources`, { method: 'POST', headers, body: JSON.stringify({ url: `http://127.0.0.1:${fport}${p}`, slug: p.slice(1).toLowerCase().slice(0, 60) }) });
      ids.push(((await r.json()) as { id: number }).id);
    }
    await sleep(2000);
    const idle = rssOf(child.pid!);
    let peak = idle;
    const sampler = setInterval(() => {
      try {
        peak = Math.max(peak, rssOf(child.pid!));
      } catch {
        // the process is gone; the run fails below
      }
    }, 100);
    const started = Date.now();
    const outcomes = new Map<string, number>();
    const errors = new Map<string, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < ids.length) {
          const id = ids[next++]!;
          const body = (await (await fetch(`${base}/api/sources/${id}/refresh`, { method: 'POST', headers })).json()) as { outcome?: string; log?: { error?: string } };
          outcomes.set(body.outcome ?? 'none', (outcomes.get(body.outcome ?? 'none') ?? 0) + 1);
          // Errors by kind of message (numbers and quoted values folded), to tell expected refusals from casualties.
          const why = body.log?.error?.replace(/\d+(\.\d+)?/g, 'N').slice(0, 120);
          if (why) errors.set(why, (errors.get(why) ?? 0) + 1);
        }
      }),
    );
    const runMs = Date.now() - started;
    await sleep(quick ? 5000 : 15000);
    clearInterval(sampler);
    const after = rssOf(child.pid!);
    const mb = (b: number) => Math.round(b / MiB);
    log(`${ids.length} hostile sources in ${(runMs / 1000).toFixed(1)} s: ${[...outcomes].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    for (const [why, n] of errors) log(`  ${n} × ${why}`);
    log(`RSS idle ${mb(idle)} MiB, peak ${mb(peak)} MiB, after ${mb(after)} MiB`);
    const results: BenchResult[] = [
      {
        name: `peak RSS while refreshing ${ids.length} hostile sources (16 at a time)`,
        subject: { name: 'peak', value: mb(peak), unit: 'MiB' },
        baseline: { name: 'idle, same process', value: mb(idle), unit: 'MiB' },
        ratio: idle / peak,
        target: '≤ 300 MiB',
        pass: peak <= 300 * MiB,
      },
      {
        name: `RSS 15 s after the hostile run`,
        subject: { name: 'after', value: mb(after), unit: 'MiB' },
        baseline: { name: 'idle, same process', value: mb(idle), unit: 'MiB' },
        ratio: idle / after,
        target: '≤ 300 MiB, toward idle',
        pass: after <= 300 * MiB,
      },
    ];
    return results;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await new Promise<void>((r) => fixture.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  }
};
