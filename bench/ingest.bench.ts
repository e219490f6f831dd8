// Ingest throughput end to end (decode → parse → normalize → sanitize → store through
// storage.ingest.recordFetch into a temp SQLite file) on a generated corpus of varied feeds,
// against bare rss-parser parseString (JSON Feed: JSON.parse) on the same bytes in the same
// run. Then the worst event-loop stall while one 10 MiB feed goes through the worker-thread
// processor and is stored through the storage writer thread, against the same feed processed
// and stored inline (writerThread: false, the old main-thread path).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import Parser from 'rss-parser';
import { createFeedProcessor, processFeedInline } from '../src/ingest/process.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import type { Storage } from '../src/storage/repos.js';
import type { NormalizedFeed } from '../src/model/types.js';
import type { ProcessFeed } from '../src/ingest/types.js';
import { generateCorpus, generateFeed, generateRefetchCorpus, type GeneratedFeed } from './support/corpus.js';
import { round } from './support/stats.js';
import type { BenchModule, BenchResult } from './types.js';

const NOW = '2025-06-01T00:00:00.000Z';

async function makeSources(storage: Storage, n: number, prefix: string): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = await storage.sources.create({ url: `https://${prefix}${i}.example.com/feed`, slug: `${prefix}-${i}`, nextFetchAt: NOW, now: NOW });
    ids.push(s.id);
  }
  return ids;
}

async function store(storage: Storage, sourceId: number, feed: NormalizedFeed, bytes: number): Promise<void> {
  await storage.ingest.recordFetch({
    ...(feed.unchanged?.length ? { unchanged: feed.unchanged } : {}),
    sourceId,
    startedAt: NOW,
    ms: 1,
    outcome: 'modified',
    httpStatus: 200,
    bytes,
    warnings: [],
    items: feed.items,
    source: { lastFetchedAt: NOW, lastSuccessAt: NOW },
    now: NOW,
  });
}

async function baselinePass(corpus: GeneratedFeed[]): Promise<{ ms: number; items: number }> {
  let items = 0;
  const t0 = performance.now();
  for (const f of corpus) {
    if (f.format === 'json') {
      items += (JSON.parse(f.bytes.toString('utf8')) as { items: unknown[] }).items.length;
    } else {
      const text = f.contentType.includes('windows-1252') ? iconv.decode(f.bytes, 'windows-1252') : f.bytes.toString('utf8');
      items += (await new Parser().parseString(text)).items.length;
    }
  }
  return { ms: performance.now() - t0, items };
}

async function wirefeedPass(corpus: (GeneratedFeed & { key: string })[], storage: Storage, sourceIds: number[]): Promise<{ ms: number; items: number }> {
  let items = 0;
  const t0 = performance.now();
  for (let i = 0; i < corpus.length; i++) {
    const f = corpus[i]!;
    const feed = await processFeedInline(f.bytes, { documentUrl: `https://${f.key}.example.com/feed`, contentType: f.contentType, now: NOW });
    await store(storage, sourceIds[i]!, feed, f.bytes.length);
    items += feed.items.length;
  }
  return { ms: performance.now() - t0, items };
}

/**
 * The product's pipeline: documents go to the parse-worker pool and records to the storage
 * writer thread, with `inFlight` feeds under way at once (the refresh service keeps up to
 * WIREFEED_FETCH_CONCURRENCY fetches going), as `createCore` wires it.
 */
async function pipelinePass(
  corpus: (GeneratedFeed & { key: string })[],
  storage: Storage,
  sourceIds: number[],
  process: ProcessFeed,
  inFlight: number,
): Promise<{ ms: number; items: number }> {
  let items = 0;
  let next = 0;
  const t0 = performance.now();
  const lane = async () => {
    while (next < corpus.length) {
      const i = next++;
      const f = corpus[i]!;
      const known = { items: (await storage.ingest.knownItems?.(sourceIds[i]!)) ?? [], lint: [] };
      const feed = await process(f.bytes, { documentUrl: `https://${f.key}.example.com/feed`, contentType: f.contentType, now: NOW, known });
      await store(storage, sourceIds[i]!, feed, f.bytes.length);
      items += feed.items.length + (feed.unchanged?.length ?? 0);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
  return { ms: performance.now() - t0, items };
}

/** Max lateness of a 1 ms interval timer while `fn` runs. */
async function worstStall(fn: () => Promise<void>): Promise<{ maxMs: number; totalMs: number }> {
  let last = performance.now();
  let max = 0;
  const timer = setInterval(() => {
    const t = performance.now();
    max = Math.max(max, t - last - 1);
    last = t;
  }, 1);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, 20));
  last = performance.now();
  max = 0;
  await fn();
  await new Promise((r) => setTimeout(r, 20));
  clearInterval(timer);
  return { maxMs: max, totalMs: performance.now() - t0 - 40 };
}

/** The service's path one feed at a time on this thread, with the source's known raw items. */
async function refetchInlinePass(corpus: (GeneratedFeed & { key: string })[], storage: Storage, sourceIds: number[]): Promise<{ ms: number; items: number; skipped: number }> {
  let items = 0;
  let skipped = 0;
  const t0 = performance.now();
  for (let i = 0; i < corpus.length; i++) {
    const f = corpus[i]!;
    const known = { items: (await storage.ingest.knownItems?.(sourceIds[i]!)) ?? [], lint: [] };
    const feed = await processFeedInline(f.bytes, { documentUrl: `https://${f.key}.example.com/feed`, contentType: f.contentType, now: NOW, known });
    await store(storage, sourceIds[i]!, feed, f.bytes.length);
    items += feed.items.length + (feed.unchanged?.length ?? 0);
    skipped += feed.unchanged?.length ?? 0;
  }
  return { ms: performance.now() - t0, items, skipped };
}

function bigFeed(targetBytes: number): GeneratedFeed {
  const probe = generateFeed({ key: 'big', format: 'rss2-media', items: 100, paragraphs: 6 });
  const perItem = probe.bytes.length / 100;
  return generateFeed({ key: 'big', format: 'rss2-media', items: Math.floor(targetBytes / perItem), paragraphs: 6 });
}

export const run: BenchModule = async ({ quick, log }) => {
  const results: BenchResult[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-bench-ingest-'));
  try {
    // ---- throughput ----
    const count = quick ? 60 : 300;
    const corpus = generateCorpus(count, 7);
    const totalItems = corpus.reduce((a, f) => a + f.items, 0);
    const totalBytes = corpus.reduce((a, f) => a + f.bytes.length, 0);
    log(`corpus: ${count} feeds, ${totalItems} items, ${(totalBytes / 1024 / 1024).toFixed(1)} MiB`);
    const storage = openSqliteStorage({ path: path.join(dir, 'ingest.db') });
    const rounds = quick ? 1 : 2;
    const acc = { ours: { ms: 0, items: 0 }, pipe: { ms: 0, items: 0 }, base: { ms: 0, items: 0 } };
    const workers = Math.min(4, os.availableParallelism());
    const pool = createFeedProcessor({ workerThresholdBytes: 0, workers });
    await Promise.all(corpus.slice(0, 2 * workers).map((f) => pool.process(f.bytes, { documentUrl: 'https://warm.example.com/', contentType: f.contentType, now: NOW })));
    await baselinePass(corpus.slice(0, 10)); // warm-up both sides
    await processFeedInline(corpus[0]!.bytes, { documentUrl: 'https://warm.example.com/', contentType: corpus[0]!.contentType, now: NOW });
    for (let r = 0; r < rounds; r++) {
      const ids = await makeSources(storage, count, `r${r}-`); // fresh sources: every item is new
      const b = await baselinePass(corpus);
      const o = await wirefeedPass(corpus, storage, ids);
      const p = await pipelinePass(corpus, storage, await makeSources(storage, count, `p${r}-`), pool.process, 8);
      acc.pipe.ms += p.ms;
      acc.pipe.items += p.items;
      acc.base.ms += b.ms;
      acc.base.items += b.items;
      acc.ours.ms += o.ms;
      acc.ours.items += o.items;
      log(`round ${r + 1}: wirefeed serial ${o.items} items in ${o.ms.toFixed(0)} ms, pipeline ${p.items} in ${p.ms.toFixed(0)} ms, rss-parser ${b.items} items in ${b.ms.toFixed(0)} ms`);
    }
    await pool.close();
    storage.close();
    const pipeRate = (acc.pipe.items * 1000) / acc.pipe.ms;
    const oursRate = (acc.ours.items * 1000) / acc.ours.ms;
    const baseRate = (acc.base.items * 1000) / acc.base.ms;
    const corpusNote = `${count} feeds × ${rounds} rounds (RSS 2.0, RSS 2.0+Media RSS, Atom, JSON Feed, RSS 1.0; 10–50 items; HTML with figures; 1 in 8 windows-1252), ${(totalBytes / 1024 / 1024).toFixed(1)} MiB/round`;
    results.push({
      name: 'ingest throughput, end to end into SQLite, as the service runs it',
      subject: { name: `parse workers (${workers}) + storage writer thread, 8 feeds in flight`, value: Math.round(pipeRate), unit: 'items/s' },
      baseline: { name: 'bare rss-parser parseString / JSON.parse, one thread', value: Math.round(baseRate), unit: 'items/s' },
      ratio: round(pipeRate / baseRate),
      target: '≥ 0.5',
      pass: pipeRate / baseRate >= 0.5,
      notes: `${corpusNote}; the pipeline uses every core, the baseline one`,
    });
    results.push({
      name: 'ingest throughput, one feed at a time on one thread (per-core cost)',
      subject: { name: 'decode+parse+normalize+sanitize inline, then store', value: Math.round(oursRate), unit: 'items/s' },
      baseline: { name: 'bare rss-parser parseString / JSON.parse', value: Math.round(baseRate), unit: 'items/s' },
      ratio: round(oursRate / baseRate),
      target: 'informational',
      pass: true,
      notes: `${corpusNote}; per-core cost of the whole pipeline`,
    });

    // ---- re-fetch: the same feeds again with 10 % of their items changed ----
    {
      const { first, again } = generateRefetchCorpus(count, 7, 10);
      const storage3 = openSqliteStorage({ path: path.join(dir, 'refetch.db') });
      const pool3 = createFeedProcessor({ workerThresholdBytes: 0, workers });
      const acc3 = { pipe: { ms: 0, items: 0 }, inline: { ms: 0, items: 0, skipped: 0 }, base: { ms: 0, items: 0 } };
      for (let r = 0; r < rounds; r++) {
        const pipeIds = await makeSources(storage3, count, `rp${r}-`);
        const inlineIds = await makeSources(storage3, count, `ri${r}-`);
        await pipelinePass(first, storage3, pipeIds, pool3.process, 8); // first fetch: raw hashes stored
        await refetchInlinePass(first, storage3, inlineIds);
        const b = await baselinePass(again);
        const p = await pipelinePass(again, storage3, pipeIds, pool3.process, 8);
        const o = await refetchInlinePass(again, storage3, inlineIds);
        for (const [k, v] of [['pipe', p], ['inline', o], ['base', b]] as const) {
          acc3[k].ms += v.ms;
          acc3[k].items += v.items;
        }
        acc3.inline.skipped += o.skipped;
        log(`re-fetch round ${r + 1}: pipeline ${p.items} items in ${p.ms.toFixed(0)} ms, inline ${o.items} in ${o.ms.toFixed(0)} ms (${o.skipped} skipped), rss-parser ${b.items} in ${b.ms.toFixed(0)} ms`);
      }
      await pool3.close();
      storage3.close();
      const rate = (a: { ms: number; items: number }) => (a.items * 1000) / a.ms;
      const note = `same ${count} feeds fetched again with every 10th item changed (${acc3.inline.skipped} of ${acc3.inline.items} items recognized unchanged by raw hash on the inline pass), × ${rounds} rounds; items counted whether processed or skipped`;
      results.push({
        name: 're-fetch throughput (10 % of items changed), end to end into SQLite, as the service runs it',
        subject: { name: `parse workers (${workers}) + storage writer thread, 8 feeds in flight`, value: Math.round(rate(acc3.pipe)), unit: 'items/s' },
        baseline: { name: 'bare rss-parser parseString / JSON.parse of the same documents, one thread', value: Math.round(rate(acc3.base)), unit: 'items/s' },
        ratio: round(rate(acc3.pipe) / rate(acc3.base)),
        target: '≥ 3',
        pass: rate(acc3.pipe) / rate(acc3.base) >= 3,
        notes: `${note}; loaded machine`,
      });
      results.push({
        name: 're-fetch throughput (10 % of items changed), one feed at a time on one thread',
        subject: { name: 'known-items read + scan + process of the changed items inline, then store', value: Math.round(rate(acc3.inline)), unit: 'items/s' },
        baseline: { name: 'bare rss-parser parseString / JSON.parse', value: Math.round(rate(acc3.base)), unit: 'items/s' },
        ratio: round(rate(acc3.inline) / rate(acc3.base)),
        target: 'informational',
        pass: true,
        notes: `${note}; loaded machine`,
      });
    }

    // ---- event-loop stall on a 10 MiB feed ----
    const big = bigFeed(quick ? 2 * 1024 * 1024 : 10 * 1024 * 1024);
    const mib = (big.bytes.length / 1024 / 1024).toFixed(1);
    log(`big feed: ${mib} MiB, ${big.items} items`);
    const storage2 = openSqliteStorage({ path: path.join(dir, 'big.db') });
    const [workerSrc, inlineSrc, warmSrc] = await makeSources(storage2, 3, 'big-');
    const inlineStorage = openSqliteStorage({ path: path.join(dir, 'big.db'), writerThread: false });
    const processor = createFeedProcessor({ workerThresholdBytes: 256 * 1024 });
    const opts = { documentUrl: 'https://big.example.com/feed', contentType: big.contentType, now: NOW };
    // Warm the worker (thread start and module load are one-off costs, not a stall per feed).
    const warm = await processor.process(generateFeed({ key: 'w', format: 'rss2', items: 400, paragraphs: 6 }).bytes, opts);
    await store(storage2, warmSrc!, warm, 0);
    let processMs = 0;
    let storeMs = 0;
    const worker = await worstStall(async () => {
      const t0 = performance.now();
      const feed = await processor.process(big.bytes, opts);
      const t1 = performance.now();
      await store(storage2, workerSrc!, feed, big.bytes.length);
      processMs = t1 - t0;
      storeMs = performance.now() - t1;
    });
    log(`worker path: worst stall ${worker.maxMs.toFixed(1)} ms (process ${processMs.toFixed(0)} ms, store ${storeMs.toFixed(0)} ms)`);
    const inline = await worstStall(async () => {
      const feed = await processFeedInline(big.bytes, opts);
      await store(inlineStorage, inlineSrc!, feed, big.bytes.length);
    });
    log(`inline: worst stall ${inline.maxMs.toFixed(1)} ms`);
    await processor.close();
    storage2.close();
    inlineStorage.close();
    results.push({
      name: `worst event-loop stall, ${mib} MiB feed through the worker processor + store`,
      subject: { name: 'worker thread + recordFetch on the writer thread', value: round(worker.maxMs, 1), unit: 'ms' },
      baseline: { name: 'same feed processed inline + recordFetch on the main thread', value: round(inline.maxMs, 1), unit: 'ms' },
      ratio: round(inline.maxMs / worker.maxMs, 1),
      target: '< 50 ms',
      pass: worker.maxMs < 50,
      notes: `${big.items} items; off-thread process ${processMs.toFixed(0)} ms, store (one transaction, writer thread) ${storeMs.toFixed(0)} ms; stall = max lateness of a 1 ms timer`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
};
