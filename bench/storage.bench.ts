// Storage at scale: 1,000,000 articles across 2,000 sources in a file DB (seeded through the
// real write path by bench/storage-seed.ts and cached under bench/results/tmp/ between runs),
// then p50/p99 of the page shapes the feeds use, through storage.articles.query, each against
// a bare `SELECT id FROM articles ORDER BY id DESC LIMIT 50` on the same file; and ingest of
// new articles into the big DB against the same batches into an empty one.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { ArticleInput, ArticleQuery } from '../src/model/types.js';
import { CURRENT_SCHEMA_VERSION } from '../src/storage/sqlite/migrations.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import type { Storage } from '../src/storage/repos.js';
import { seedStorage } from './storage-seed.js';
import { percentile, prng, round } from './support/stats.js';
import type { BenchModule, BenchResult } from './types.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const CACHE_DIR = path.join(here, 'results', 'tmp');
const WORDS = ['climate', 'summit', 'election', 'market', 'harbour', 'energy', 'football', 'science', 'health', 'budget', 'court', 'storm', 'museum', 'railway', 'vaccine'];
const CATEGORIES = ['World', 'Politics', 'Business', 'Sport', 'Science', 'Culture', 'Health', 'Technology', 'Climate', 'Local'];

/** The seeded DB for this size, from the cache when it is there and current. */
async function seededDb(articles: number, sources: number, log: (l: string) => void): Promise<string> {
  mkdirSync(CACHE_DIR, { recursive: true });
  const file = path.join(CACHE_DIR, `storage-${sources}s-${articles}a-v${CURRENT_SCHEMA_VERSION}.db`);
  if (existsSync(file)) {
    log(`reusing cached seeded DB ${path.relative(process.cwd(), file)}`);
    return file;
  }
  const tmp = `${file}.seeding`;
  rmSync(tmp, { force: true });
  log(`seeding ${articles} articles across ${sources} sources (cached for next runs)…`);
  const seeded = await seedStorage(tmp, { sources, articles, batch: 50 });
  const db = new Database(tmp);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.pragma('journal_mode = DELETE');
  db.close();
  renameSync(tmp, file);
  log(`seeded in ${(seeded.ms / 1000).toFixed(1)} s`);
  return file;
}

function timed(fn: () => unknown): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function timedAsync(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function newItems(batch: number, tag: string, start: number): ArticleInput[] {
  return Array.from({ length: batch }, (_, k) => {
    const n = start + k;
    const w = WORDS[n % WORDS.length]!;
    return {
      identityKey: `https://new.example.com/${tag}/${n}`,
      identityKind: 'link',
      url: `https://new.example.com/${tag}/${n}`,
      title: `${w} fresh report ${n}`,
      summary: `${w} summary ${n}`,
      contentHtml: `<p>${w} ${w} body of ${n}.</p>`,
      authors: [{ name: 'Desk' }],
      categories: [{ term: CATEGORIES[n % CATEGORIES.length]! }],
      publishedAt: new Date(Date.UTC(2025, 5, 2) + n * 1000).toISOString(),
      assets: n % 2 ? [{ url: `https://cdn.example.com/${tag}/${n}.jpg`, medium: 'image', mimeType: 'image/jpeg' }] : [],
      contentHash: `new-${tag}-${n}`,
    };
  });
}

async function ingestBatches(storage: Storage, batches: number, batch: number, tag: string): Promise<number> {
  const now = '2025-06-02T00:00:00.000Z';
  const src = await storage.sources.create({ url: `https://new-${tag}.example.com/feed`, slug: `new-${tag}`, nextFetchAt: now, now });
  let ms = 0;
  for (let b = 0; b < batches; b++) {
    const items = newItems(batch, tag, b * batch);
    ms += await timedAsync(() =>
      storage.ingest.recordFetch({ sourceId: src.id, startedAt: now, ms: 1, outcome: 'modified', httpStatus: 200, warnings: [], items, source: { lastFetchedAt: now }, now }),
    );
  }
  return ms;
}

export const run: BenchModule = async ({ quick, log }) => {
  const results: BenchResult[] = [];
  const articles = quick ? 100_000 : 1_000_000;
  const sources = quick ? 200 : 2_000;
  const cached = await seededDb(articles, sources, log);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-bench-storage-'));
  try {
    const file = path.join(dir, 'big.db');
    copyFileSync(cached, file); // the ingest part writes: keep the cache pristine
    const storage = openSqliteStorage({ path: file });
    const bare = new Database(file, { readonly: true });
    const bareStmt = bare.prepare('SELECT id FROM articles ORDER BY id DESC LIMIT 50');
    const sourceIds = bare.prepare('SELECT id FROM sources ORDER BY id').pluck().all() as number[];
    const maxSeq = bare.prepare('SELECT max(seq) FROM articles').pluck().get() as number;
    const rnd = prng(99);
    const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
    const N = quick ? 100 : 400;
    const shapes: { name: string; make: () => ArticleQuery; target: number }[] = [
      { name: 'all, newest 50', make: () => ({ limit: 50 }), target: 1 },
      { name: 'one source, newest 50', make: () => ({ sourceIds: [pick(sourceIds)], limit: 50 }), target: 1 },
      { name: 'one category, newest 50', make: () => ({ categories: [pick(CATEGORIES)], limit: 50 }), target: 1 },
      { name: 'cursor page (after=seq), 50', make: () => ({ after: Math.floor(rnd() * maxSeq), limit: 50 }), target: 1 },
      { name: 'full text (one word), newest 50', make: () => ({ q: pick(WORDS), limit: 50 }), target: 5 },
    ];
    // Warm both (page cache), then interleave so noise hits both alike.
    for (let i = 0; i < 20; i++) bareStmt.all();
    for (const s of shapes) for (let i = 0; i < 10; i++) await storage.articles.query(s.make());
    for (const s of shapes) {
      const ours: number[] = [];
      const base: number[] = [];
      for (let i = 0; i < N; i++) {
        const q = s.make();
        ours.push(await timedAsync(() => storage.articles.query(q)));
        base.push(timed(() => bareStmt.all()));
      }
      const p50 = percentile(ours, 50);
      const p99 = percentile(ours, 99);
      const b50 = percentile(base, 50);
      log(`${s.name}: p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms (bare p50 ${b50.toFixed(3)} ms)`);
      results.push({
        name: `query ${s.name} at ${articles.toLocaleString('en-US')} articles (p50)`,
        subject: { name: 'storage.articles.query, full rows + assets', value: round(p50, 3), unit: 'ms' },
        baseline: { name: 'bare SELECT id … ORDER BY id DESC LIMIT 50', value: round(b50, 3), unit: 'ms' },
        ratio: round(b50 / p50, 3),
        target: `p50 < ${s.target} ms`,
        pass: p50 < s.target,
        notes: `p99 ${p99.toFixed(2)} ms (bare p99 ${percentile(base, 99).toFixed(2)} ms); ${N} queries, varied parameters`,
      });
    }
    bare.close();

    // Ingest into the big DB vs an empty one: the same batches through recordFetch.
    const batches = quick ? 20 : 60;
    const empty = openSqliteStorage({ path: path.join(dir, 'empty.db') });
    await ingestBatches(empty, 2, 50, 'warm-e');
    await ingestBatches(storage, 2, 50, 'warm-b');
    let bigMs = 0;
    let emptyMs = 0;
    for (let r = 0; r < 3; r++) {
      emptyMs += await ingestBatches(empty, batches / 3, 50, `e${r}`);
      bigMs += await ingestBatches(storage, batches / 3, 50, `b${r}`);
    }
    empty.close();
    storage.close();
    const items = batches * 50;
    const ratio = emptyMs / bigMs;
    log(`ingest ${items} new articles: big DB ${bigMs.toFixed(0)} ms, empty DB ${emptyMs.toFixed(0)} ms`);
    results.push({
      name: `ingest new articles into the ${articles.toLocaleString('en-US')}-article DB`,
      subject: { name: `recordFetch into ${articles.toLocaleString('en-US')} articles`, value: Math.round((items * 1000) / bigMs), unit: 'items/s' },
      baseline: { name: 'same batches into an empty DB', value: Math.round((items * 1000) / emptyMs), unit: 'items/s' },
      ratio: round(ratio),
      target: '≥ 0.5 (within 2×)',
      pass: ratio >= 0.5,
      notes: `${batches} batches of 50 items (one transaction each), interleaved`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
};
