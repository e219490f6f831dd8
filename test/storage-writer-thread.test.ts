import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StorageError, ValidationError } from '../src/errors.js';
import type { ArticleInput, Source } from '../src/model/types.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import type { FetchRecord, Storage } from '../src/storage/repos.js';
import { createWriterThread } from '../src/storage/sqlite/writer-thread.js';

const T0 = '2025-01-01T00:00:00.000Z';
const T1 = '2025-01-02T00:00:00.000Z';
const CRASHING = new URL('./fixtures/storage/crashing-writer.ts', import.meta.url);
const BATCH_ONLY = new URL('./fixtures/storage/batch-only-writer.ts', import.meta.url);

function item(key: string, over: Partial<ArticleInput> = {}): ArticleInput {
  return {
    identityKey: key,
    identityKind: 'guid',
    guid: key,
    url: `https://example.com/${key}`,
    title: `Title ${key}`,
    summary: `Summary of ${key}`,
    contentHtml: `<p>Body of <b>${key}</b></p>`,
    authors: [{ name: 'Ann Author' }],
    categories: [{ term: 'News' }],
    assets: [{ url: `https://cdn.example.com/${key}.jpg`, medium: 'image', caption: 'A caption' }],
    contentHash: `hash-${key}`,
    publishedAt: T0,
    ...over,
  };
}

function record(sourceId: number, items: ArticleInput[] | undefined, now = T0, over: Partial<FetchRecord> = {}): FetchRecord {
  return {
    sourceId,
    startedAt: now,
    ms: 12,
    outcome: items ? 'modified' : 'not-modified',
    httpStatus: items ? 200 : 304,
    warnings: ['w1'],
    items,
    source: { lastFetchedAt: now, etag: '"e1"' },
    now,
    ...over,
  };
}

/** A large feed's worth of items: long bodies, an asset and categories each (FTS, assets, categories rows). */
function bigBatch(n: number, prefix: string): ArticleInput[] {
  const para = `<p>${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(40)}</p>`;
  return Array.from({ length: n }, (_, i) =>
    item(`${prefix}-${i}`, { contentHtml: para.repeat(3), categories: [{ term: `c${i % 9}` }, { term: 'all' }] }),
  );
}


/** OS threads of this process (Linux /proc): a worker thread that stopped is gone from the count. */
function threadCount(): number {
  return Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (check()) return true;
  return check();
}

describe('storage writer thread (file database)', () => {
  let dir: string;
  const open: Storage[] = [];
  const openStorage = (writerThread?: boolean, name = 'w.db'): Storage => {
    const s = openSqliteStorage({ path: path.join(dir, name), ...(writerThread === undefined ? {} : { writerThread }) });
    open.push(s);
    return s;
  };
  const addSource = (s: Storage, n: number): Promise<Source> =>
    s.sources.create({ url: `https://feeds${n}.example.com/rss`, slug: `src-${n}`, nextFetchAt: T0, now: T0 });

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-writer-'));
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records a fetch with the same counts, seq and log as the in-thread path', async () => {
    const run = async (writerThread: boolean) => {
      const s = openStorage(writerThread, `${writerThread}.db`);
      const src = await addSource(s, 1);
      const first = await s.ingest.recordFetch(record(src.id, [item('a'), item('b')]));
      const second = await s.ingest.recordFetch(record(src.id, [item('a'), item('b', { contentHash: 'changed' }), item('c')], T1));
      const unchanged = await s.ingest.recordFetch(record(src.id, undefined, T1));
      const articles = (await s.articles.query({ limit: 10 })).map((a) => ({ key: a.identityKey, seq: a.seq, assets: a.assets.length }));
      return { first, second, unchanged, articles, maxSeq: await s.articles.maxSeq(), source: await s.sources.get(src.id) };
    };
    const threaded = await run(true);
    const inline = await run(false);
    assert.deepEqual(threaded, inline);
    assert.deepEqual(
      [threaded.first, threaded.second].map(({ itemsNew, itemsUpdated, itemsUnchanged }) => [itemsNew, itemsUpdated, itemsUnchanged]),
      [
        [2, 0, 0],
        [1, 1, 1],
      ],
    );
    assert.equal(threaded.maxSeq, 4);
    assert.equal(threaded.source?.etag, '"e1"');
  });

  it('an idle writer thread stops after idleMs and the next write starts it again', async () => {
    const s = openSqliteStorage({ path: path.join(dir, 'idle.db'), writerIdleMs: 300 });
    open.push(s);
    const src = await addSource(s, 1);
    const before = threadCount();
    assert.equal((await s.ingest.recordFetch(record(src.id, [item('a')]))).itemsNew, 1);
    const busy = threadCount();
    assert.ok(busy > before, `the writer thread started (${before} → ${busy})`);
    assert.ok(await until(() => threadCount() < busy, 10_000), 'the idle writer stopped');
    assert.equal((await s.ingest.recordFetch(record(src.id, [item('a'), item('b')], T1))).itemsNew, 1);
    assert.equal(await s.articles.count(), 2);
  });

  it('main-connection reads see the rows right after the await, and dataVersion has moved', async () => {
    const s = openStorage();
    const src = await addSource(s, 1);
    const v0 = await s.dataVersion();
    const out = await s.ingest.recordFetch(record(src.id, [item('a')]));
    assert.notEqual(await s.dataVersion(), v0);
    assert.equal(await s.articles.count(), 1);
    assert.deepEqual((await s.articles.query({ limit: 5, q: 'body' })).map((a) => a.identityKey), ['a']);
    assert.deepEqual((await s.articles.query({ limit: 5, categories: ['news'] })).map((a) => a.identityKey), ['a']);
    assert.deepEqual(await s.fetchLog.list(src.id, 5), [out.log]);
    const v1 = await s.dataVersion();
    assert.equal(await s.dataVersion(), v1, 'stable without writes');
    await s.ingest.recordFetch(record(src.id, undefined, T1));
    assert.notEqual(await s.dataVersion(), v1, 'a write with no articles still moves it (source fetch state)');
  });

  it('preserves call order for concurrent recordFetch calls (seq order = call order)', async () => {
    const s = openStorage();
    const sources = await Promise.all([1, 2, 3, 4, 5, 6].map((n) => addSource(s, n)));
    const results = await Promise.all(sources.map((src, i) => s.ingest.recordFetch(record(src.id, [item(`k${i}-1`), item(`k${i}-2`)]))));
    assert.deepEqual(
      results.map((r) => r.log.id),
      [1, 2, 3, 4, 5, 6],
    );
    const bySeq = (await s.articles.query({ limit: 50, after: 0 })).map((a) => a.identityKey);
    assert.deepEqual(bySeq, sources.flatMap((_, i) => [`k${i}-1`, `k${i}-2`]));
  });

  it('a failing record rolls back fully, rejects with the typed error, and the next write succeeds', async () => {
    const s = openStorage();
    const a = await addSource(s, 1);
    const b = await addSource(s, 2);
    const raw = new Database(path.join(dir, 'w.db'), { readonly: true });
    const rows = () => ['articles', 'assets', 'article_categories', 'fetch_log'].map((t) => raw.prepare(`SELECT count(*) FROM ${t}`).pluck().get());
    try {
      // Articles are written first, then the source update clashes with b's slug.
      await assert.rejects(
        s.ingest.recordFetch(record(a.id, [item('x'), item('y')], T0, { source: { lastFetchedAt: T0, slug: b.slug } })),
        (e: unknown) => e instanceof ValidationError && e.code === 'slug_exists' && e.status === 409,
      );
      // An item that makes the insert throw (NOT NULL content hash) after another one was inserted.
      await assert.rejects(
        s.ingest.recordFetch(record(a.id, [item('x'), item('z', { contentHash: null as unknown as string })])),
        (e: unknown) =>
          e instanceof StorageError &&
          e.code === 'storage_failed' &&
          /^storage: record fetch failed: NOT NULL constraint failed: articles\.content_hash/.test(e.message) &&
          (e.cause as { code?: string } | undefined)?.code === 'SQLITE_CONSTRAINT_NOTNULL',
      );
      assert.deepEqual(rows(), [0, 0, 0, 0]);
      assert.equal(await s.articles.maxSeq(), 0);
      assert.equal((await s.sources.get(a.id))?.slug, a.slug);
      const ok = await s.ingest.recordFetch(record(a.id, [item('x')]));
      assert.equal(ok.itemsNew, 1);
      assert.deepEqual(rows(), [1, 1, 1, 1]);
      assert.equal((await s.articles.query({ limit: 1 }))[0]?.seq, 1);
    } finally {
      raw.close();
    }
  });

  it('close() completes queued writes (a half-sent big record too), then refuses new ones; it is idempotent', async () => {
    const file = path.join(dir, 'w.db');
    const s = openSqliteStorage({ path: file });
    const sources = await Promise.all([1, 2, 3, 4].map((n) => addSource(s, n)));
    // The first record is big enough to go out in chunks, one per event-loop turn: close() comes
    // after the first chunk and must send the rest itself.
    const sizes = [900, 50, 50, 50];
    const pending = sources.map((src, i) => s.ingest.recordFetch(record(src.id, bigBatch(sizes[i]!, `q${i}`))));
    await s.close();
    await s.close();
    const done = await Promise.all(pending);
    assert.deepEqual(
      done.map((r) => r.itemsNew),
      sizes,
    );
    await assert.rejects(s.ingest.recordFetch(record(sources[0]!.id, [item('late')])), (e: unknown) => e instanceof StorageError && e.code === 'storage_closed');
    const check = openSqliteStorage({ path: file, writerThread: false });
    try {
      assert.equal(await check.articles.count(), 1050);
    } finally {
      check.close();
    }
  });

  it('records queued behind a busy thread are written together; a failing one rolls back alone', async () => {
    const s = openStorage(false);
    const sources = await Promise.all([1, 2, 3, 4, 5].map((n) => addSource(s, n)));
    // The fixture writer dies if a record marked 'batched' arrives on its own.
    const writer = createWriterThread({ file: path.join(dir, 'w.db'), workerUrl: BATCH_ONLY });
    try {
      const first = writer.recordFetch(record(sources[0]!.id, [item('first')]));
      const batched = (src: Source, items: ArticleInput[] | undefined) => writer.recordFetch(record(src.id, items, T0, { warnings: ['batched'] }));
      const queued = [
        batched(sources[1]!, [item('b1'), item('b2')]),
        batched(sources[2]!, [item('c1'), item('c2', { contentHash: null as unknown as string })]),
        batched(sources[3]!, undefined),
        batched(sources[4]!, [item('e1')]),
      ];
      const outcomes = await Promise.allSettled([first, ...queued]);
      assert.deepEqual(
        outcomes.map((o) => (o.status === 'fulfilled' && !o.value.fenced ? o.value.itemsNew : 'rejected')),
        [1, 2, 'rejected', 0, 1],
      );
      const failed = outcomes[2]!;
      assert.ok(failed.status === 'rejected' && failed.reason instanceof StorageError && /NOT NULL constraint failed: articles\.content_hash/.test(failed.reason.message));
      const bySeq = (await s.articles.query({ limit: 10, after: 0 })).map((a) => [a.identityKey, a.seq]);
      assert.deepEqual(bySeq, [['first', 1], ['b1', 2], ['b2', 3], ['e1', 4]]);
      assert.deepEqual((await s.fetchLog.list(sources[2]!.id, 5)).length, 0, 'the failed record left no fetch-log row');
      assert.deepEqual((await s.fetchLog.list(sources[3]!.id, 5)).map((l) => l.outcome), ['not-modified']);
      assert.equal(writer.commits, 4);
    } finally {
      writer.close();
    }
  });

  it('a crashed writer rejects the pending write with a StorageError and is replaced', async () => {
    const s = openStorage(false);
    const src = await addSource(s, 1);
    const writer = createWriterThread({ file: path.join(dir, 'w.db'), workerUrl: CRASHING });
    try {
      const crashing = writer.recordFetch(record(src.id, [item('lost')], T0, { error: 'CRASH-NOW' }));
      const next = writer.recordFetch(record(src.id, [item('kept')]));
      await assert.rejects(crashing, (e: unknown) => e instanceof StorageError && e.code === 'writer_crashed' && /writer thread crashed/.test(e.message));
      const kept = await next;
      assert.ok(!kept.fenced);
      assert.equal(kept.itemsNew, 1);
      assert.deepEqual((await s.articles.query({ limit: 5 })).map((a) => a.identityKey), ['kept']);
      assert.equal(writer.commits, 1);
    } finally {
      writer.close();
    }
  });

  it('keeps the event loop turning while a large batch (3,000 items) is written', async () => {
    const s = openStorage();
    const [warm, big] = await Promise.all([addSource(s, 1), addSource(s, 2)]);
    await s.ingest.recordFetch(record(warm.id, [item('warm')])); // thread start is a one-off, not part of the write
    const items = bigBatch(3000, 'big');
    let ticks = 0;
    let maxLate = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const t = performance.now();
      maxLate = Math.max(maxLate, t - last - 1);
      last = t;
      ticks++;
    }, 1);
    const t0 = performance.now();
    try {
      const out = await s.ingest.recordFetch(record(big.id, items));
      assert.equal(out.itemsNew, 3000);
    } finally {
      clearInterval(timer);
    }
    const writeMs = performance.now() - t0;
    // Ticks during the write prove it ran elsewhere; in-thread, the timer could not fire at all.
    assert.ok(ticks >= 5, `only ${ticks} timer ticks during a ${writeMs.toFixed(0)} ms write`);
    assert.ok(maxLate < Math.max(200, writeMs / 2), `worst stall ${maxLate.toFixed(0)} ms during a ${writeMs.toFixed(0)} ms write`);
    assert.equal(await s.articles.count({ sourceId: big.id }), 3000);
  });
});
