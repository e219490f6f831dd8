// Serving throughput of a cached feed: the wirefeed HTTP server (fast lane) against a raw
// node:http server sending the same bytes with the same headers, for (a) a gzip GET and (b) a
// 304 revalidation. Real storage in a temp dir, 50 wire-story-sized articles, cache warmed.
// wrk (a C client, bench/support/wrk.ts) drives both on loopback: it outruns the raw server, so
// the figure is the server's. Runs are interleaved so machine noise hits both sides alike, and
// only the ratio is judged.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import { benchServer, close, ITEMS, listen, probe, wireItems } from './support/cached-feed.js';
import { ensureWrk, wrk } from './support/wrk.js';
import type { BenchModule, BenchResult } from './types.js';

const TARGET = 0.8;
const FEED_PATH = '/feeds/all.rss';

/** The baseline: the least a node server can do to send these exact responses. */
function rawServer(ok: { headers: string[]; body: Buffer }, notModified: { headers: string[] }, etag: string): http.Server {
  return http.createServer((req, res) => {
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, notModified.headers);
      res.end();
    } else {
      res.writeHead(200, ok.headers);
      res.end(ok.body);
    }
  });
}

/** Response headers minus those node adds by itself on every response. */
function copyable(rawHeaders: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const k = rawHeaders[i]!.toLowerCase();
    if (k === 'date' || k === 'connection' || k === 'keep-alive' || k === 'transfer-encoding') continue;
    out.push(rawHeaders[i]!, rawHeaders[i + 1]!);
  }
  return out;
}

async function load(url: string, headers: Record<string, string>, seconds: number): Promise<number> {
  return (await wrk(url, { headers, seconds, threads: 2, connections: 32 })).rps;
}

export const run: BenchModule = async ({ quick, log }) => {
  ensureWrk();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-serve-bench-'));
  const storage = openSqliteStorage({ path: path.join(dir, 'bench.db') });
  const servers: http.Server[] = [];
  try {
    const now = '2025-03-01T12:00:00.000Z';
    const source = await storage.sources.create({ url: 'https://wire.example.com/feed.xml', slug: 'wire', title: 'Example Wire', nextFetchAt: now, now });
    await storage.ingest.recordFetch({ sourceId: source.id, startedAt: now, ms: 1, outcome: 'modified', warnings: [], items: wireItems(), now, source: { lastFetchedAt: now } });

    const wirefeed = benchServer(storage, now);
    servers.push(wirefeed);
    const wfUrl = (await listen(wirefeed)) + FEED_PATH;

    // Warm the cache and capture the exact responses the raw server will replay.
    const gzipHeaders = { 'accept-encoding': 'gzip', 'x-request-id': 'bench' };
    const ok = await probe(wfUrl, gzipHeaders);
    if (ok.status !== 200 || !ok.rawHeaders.includes('gzip')) throw new Error(`bench: warm-up answered ${ok.status}`);
    const etag = ok.rawHeaders[ok.rawHeaders.findIndex((h) => h.toLowerCase() === 'etag') + 1]!;
    const revalidateHeaders = { ...gzipHeaders, 'if-none-match': etag };
    const nm = await probe(wfUrl, revalidateHeaders);
    if (nm.status !== 304) throw new Error(`bench: revalidation answered ${nm.status}`);

    const raw = rawServer({ headers: copyable(ok.rawHeaders), body: ok.body }, { headers: copyable(nm.rawHeaders) }, etag);
    servers.push(raw);
    const rawUrl = (await listen(raw)) + FEED_PATH;
    const check = await probe(rawUrl, gzipHeaders);
    if (!check.body.equals(ok.body)) throw new Error('bench: the raw server does not send the same bytes');

    const seconds = quick ? 2 : 5;
    const rounds = quick ? 1 : 2;
    const scenarios = [
      { name: `serve cached ${ITEMS}-item feed (gzip)`, headers: gzipHeaders },
      { name: `revalidate cached ${ITEMS}-item feed (304)`, headers: revalidateHeaders },
    ];
    // Warm-up: JIT and connection setup on both servers before anything is counted.
    await load(wfUrl, gzipHeaders, 1);
    await load(rawUrl, gzipHeaders, 1);
    const results: BenchResult[] = [];
    for (const s of scenarios) {
      let wf = 0;
      let base = 0;
      for (let r = 0; r < rounds; r++) {
        // Alternate who goes first so drift in machine load favours neither side.
        if (r % 2 === 0) {
          wf += await load(wfUrl, s.headers, seconds);
          base += await load(rawUrl, s.headers, seconds);
        } else {
          base += await load(rawUrl, s.headers, seconds);
          wf += await load(wfUrl, s.headers, seconds);
        }
      }
      wf /= rounds;
      base /= rounds;
      const ratio = wf / base;
      log(`${s.name}: wirefeed ${wf.toFixed(0)} req/s, raw node:http ${base.toFixed(0)} req/s, ratio ${ratio.toFixed(2)}`);
      results.push({
        name: s.name,
        subject: { name: 'wirefeed', value: Math.round(wf), unit: 'req/s' },
        baseline: { name: 'raw node:http, same bytes and headers', value: Math.round(base), unit: 'req/s' },
        ratio,
        target: `≥ ${TARGET}`,
        pass: ratio >= TARGET,
        notes: `wrk, 32 connections, 2 threads, ${seconds}s × ${rounds} interleaved, loopback; body ${ok.body.length} bytes gzip`,
      });
    }
    return results;
  } finally {
    for (const s of servers) await close(s);
    storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
};
