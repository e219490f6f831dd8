// Profiling aid (not a benchmark): runs the ingest bench's wirefeed pass alone so that
// `node --cpu-prof --import tsx bench/support/profile-ingest.ts` shows where ingest time goes.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processFeedInline } from '../../src/ingest/process.js';
import { openSqliteStorage } from '../../src/storage/sqlite/open.js';
import { generateCorpus } from './corpus.js';

const NOW = '2025-06-01T00:00:00.000Z';
const dir = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-prof-'));
const storage = openSqliteStorage({ path: path.join(dir, 'p.db') });
const corpus = generateCorpus(Number(process.argv[2] ?? 100), 7);
let items = 0;
let processMs = 0;
let storeMs = 0;
for (const [i, f] of corpus.entries()) {
  const s = await storage.sources.create({ url: `https://p${i}.example.com/feed`, slug: `p-${i}`, nextFetchAt: NOW, now: NOW });
  const t0 = performance.now();
  const feed = await processFeedInline(f.bytes, { documentUrl: `https://p${i}.example.com/feed`, contentType: f.contentType, now: NOW });
  const t1 = performance.now();
  await storage.ingest.recordFetch({ sourceId: s.id, startedAt: NOW, ms: 1, outcome: 'modified', warnings: [], items: feed.items, source: { lastFetchedAt: NOW }, now: NOW });
  storeMs += performance.now() - t1;
  processMs += t1 - t0;
  items += feed.items.length;
}
console.log(`${items} items: process ${processMs.toFixed(0)} ms, store ${storeMs.toFixed(0)} ms`);
await storage.close();
rmSync(dir, { recursive: true, force: true });
