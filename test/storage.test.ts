import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { NotFoundError, StorageError, ValidationError } from '../src/errors.js';
import type { ArticleInput, Source } from '../src/model/types.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import type { FetchRecord, Storage } from '../src/storage/repos.js';
import { buildArticleQuery } from '../src/storage/sqlite/article-repo.js';
import { describeBackends } from './support/backends.js';

const T0 = '2025-01-01T00:00:00.000Z';
const T1 = '2025-01-02T00:00:00.000Z';
const T2 = '2025-01-03T00:00:00.000Z';

function item(key: string, over: Partial<ArticleInput> = {}): ArticleInput {
  return {
    identityKey: key,
    identityKind: 'guid',
    guid: key,
    url: `https://example.com/${key}`,
    title: `Title ${key}`,
    summary: `Summary of ${key}`,
    contentHtml: `<p>Body of <b>${key}</b></p>`,
    authors: [{ name: 'Ann Author', email: 'ann@example.com' }],
    categories: [],
    assets: [],
    contentHash: `hash-${key}`,
    ...over,
  };
}

function record(sourceId: number, items: ArticleInput[] | undefined, now: string, over: Partial<FetchRecord> = {}): FetchRecord {
  return {
    sourceId,
    startedAt: now,
    ms: 12,
    outcome: items ? 'modified' : 'not-modified',
    httpStatus: items ? 200 : 304,
    warnings: [],
    items,
    source: { lastFetchedAt: now },
    now,
    ...over,
  };
}

async function addSource(s: Storage, n: number, over: Partial<Parameters<Storage['sources']['create']>[0]> = {}): Promise<Source> {
  return s.sources.create({ url: `https://feeds${n}.example.com/rss`, slug: `src-${n}`, title: `Source ${n}`, nextFetchAt: T0, now: T0, ...over });
}

async function rejectsWith(p: Promise<unknown>, check: (err: unknown) => boolean): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(check(err), `unexpected error: ${String(err)}`);
    return true;
  });
}

/** A kill as the lifecycle service decides it (idempotent). */
function kill(s: Storage, id: number, now: string) {
  return s.articles.applyEvent(id, (a) => (a.status === 'canceled' ? undefined : { status: 'canceled', reason: 'withdrawn', revisionReason: 'withdrawn' }), now);
}

describeBackends('storage', (backend) => {
  let s: Storage;
  beforeEach(async () => {
    s = await backend.open();
  });

  describe('sources', () => {
    it('creates with defaults and finds by id, slug and url', async () => {
      const src = await addSource(s, 1, { categories: ['News'], defaultCredit: 'Wire' });
      assert.equal(src.slug, 'src-1');
      assert.equal(src.status, 'active');
      assert.equal(src.errorCount, 0);
      assert.deepEqual(src.categories, ['News']);
      assert.deepEqual(src.lint, []);
      assert.equal(src.defaultCredit, 'Wire');
      assert.ok(src.minIntervalS > 0 && src.maxIntervalS >= src.minIntervalS);
      assert.deepEqual(await s.sources.get(src.id), src);
      assert.deepEqual(await s.sources.getBySlug('src-1'), src);
      assert.deepEqual(await s.sources.findByUrl('https://feeds1.example.com/rss'), src);
      assert.equal(await s.sources.get(999), undefined);
      assert.equal('etag' in src, false, 'NULL columns are absent, not null');
    });

    const clashes = [
      { name: 'same url', over: { slug: 'other' }, code: 'source_exists' },
      { name: 'same slug', over: { url: 'https://other.example.com/rss' }, code: 'slug_exists' },
    ];
    for (const c of clashes) {
      it(`refuses a second source with the ${c.name} (409 ${c.code})`, async () => {
        await addSource(s, 1);
        await rejectsWith(addSource(s, 1, c.over), (e) => e instanceof ValidationError && e.code === c.code && e.status === 409);
        assert.equal((await s.sources.list()).length, 1);
      });
    }

    it('updates a patch, clears a nullable field given undefined, and refuses clashes and missing ids', async () => {
      const a = await addSource(s, 1);
      await addSource(s, 2);
      await s.sources.update(a.id, { lastError: 'fetch: boom', errorCount: 2 });
      const u = await s.sources.update(a.id, { title: 'Renamed', lastError: undefined, errorCount: 0, categories: ['x'] });
      assert.equal(u.title, 'Renamed');
      assert.equal(u.lastError, undefined);
      assert.equal(u.errorCount, 0);
      assert.deepEqual(u.categories, ['x']);
      assert.equal(u.url, a.url, 'absent keys are untouched');
      await rejectsWith(s.sources.update(a.id, { slug: 'src-2' }), (e) => e instanceof ValidationError && e.code === 'slug_exists');
      await rejectsWith(s.sources.update(12345, { title: 'x' }), (e) => e instanceof NotFoundError);
    });

    it('lists due active sources earliest first and knows the next due time', async () => {
      const a = await addSource(s, 1, { nextFetchAt: T1 });
      const b = await addSource(s, 2, { nextFetchAt: T0 });
      const c = await addSource(s, 3, { nextFetchAt: T0 });
      await addSource(s, 4, { nextFetchAt: T2 });
      await s.sources.update(c.id, { status: 'paused' });
      assert.deepEqual((await s.sources.listDue(T1, 10)).map((x) => x.id), [b.id, a.id]);
      assert.deepEqual((await s.sources.listDue(T1, 1)).map((x) => x.id), [b.id]);
      assert.equal(await s.sources.nextDueAt(), T0);
      assert.deepEqual((await s.sources.list({ status: 'paused' })).map((x) => x.id), [c.id]);
    });

    it('counts sources for health checks', async () => {
      assert.deepEqual(await s.sources.health(), { total: 0, failing: 0, paused: 0 });
      const a = await addSource(s, 1);
      const b = await addSource(s, 2);
      await addSource(s, 3);
      await s.sources.update(a.id, { errorCount: 3 });
      await s.sources.update(b.id, { status: 'paused', errorCount: 20 });
      assert.deepEqual(await s.sources.health(), { total: 3, failing: 2, paused: 1 });
    });
  });

  describe('ingest.recordFetch', () => {
    it('counts new, updated and unchanged items, keeps first_seen_at and hands out increasing seqs', async () => {
      const src = await addSource(s, 1);
      const r1 = await s.ingest.recordFetch(record(src.id, [item('a'), item('b')], T0));
      assert.deepEqual([r1.itemsNew, r1.itemsUpdated, r1.itemsUnchanged], [2, 0, 0]);
      const before = await s.articles.query({ limit: 10 });
      const seqA = before.find((x) => x.identityKey === 'a')!.seq;

      const r2 = await s.ingest.recordFetch(
        record(src.id, [item('a', { title: 'Changed', contentHash: 'hash-a2' }), item('b'), item('c')], T1),
      );
      assert.deepEqual([r2.itemsNew, r2.itemsUpdated, r2.itemsUnchanged], [1, 1, 1]);
      assert.deepEqual([r2.log.itemsNew, r2.log.itemsUpdated, r2.log.itemsUnchanged], [1, 1, 1]);

      const after = await s.articles.query({ limit: 10 });
      const a = after.find((x) => x.identityKey === 'a')!;
      assert.equal(a.title, 'Changed');
      assert.equal(a.firstSeenAt, T0);
      assert.equal(a.changedAt, T1);
      assert.ok(a.seq > seqA);
      const seqs = after.map((x) => x.seq).sort((x, y) => x - y);
      assert.equal(new Set(seqs).size, seqs.length, 'seqs are unique');
      assert.equal(await s.articles.maxSeq(), Math.max(...seqs));
      assert.equal(await s.articles.count(), 3);
      assert.equal(await s.articles.count({ sourceId: src.id }), 3);
    });

    it('writes the source fetch state and a fetch-log row in the same call', async () => {
      const src = await addSource(s, 1);
      const r = await s.ingest.recordFetch(
        record(src.id, [item('a')], T1, {
          bytes: 2048,
          warnings: ['moved permanently to https://new.example.com/rss'],
          finalUrl: 'https://new.example.com/rss',
          source: {
            lastFetchedAt: T1,
            lastSuccessAt: T1,
            etag: '"v1"',
            lastModified: 'Wed, 01 Jan 2025 00:00:00 GMT',
            nextFetchAt: T2,
            url: 'https://new.example.com/rss',
            lint: [{ code: 'no_guid', message: 'items lack guids', count: 3 }],
          },
        }),
      );
      const got = (await s.sources.get(src.id))!;
      assert.equal(got.etag, '"v1"');
      assert.equal(got.url, 'https://new.example.com/rss');
      assert.equal(got.nextFetchAt, T2);
      assert.equal(got.lastSuccessAt, T1);
      assert.deepEqual(got.lint, [{ code: 'no_guid', message: 'items lack guids', count: 3 }]);
      assert.deepEqual(await s.fetchLog.list(src.id, 10), [r.log]);
      assert.equal(r.log.bytes, 2048);
      assert.deepEqual(r.log.warnings, ['moved permanently to https://new.example.com/rss']);

      await s.ingest.recordFetch(record(src.id, undefined, T2, { source: { lastFetchedAt: T2, etag: null } }));
      assert.equal((await s.sources.get(src.id))!.etag, undefined, 'null clears the validator');
      const log = await s.fetchLog.list(src.id, 10);
      assert.deepEqual(log.map((l) => l.outcome), ['not-modified', 'modified'], 'newest first');
    });

    it('writes nothing when an item fails mid-batch', async () => {
      const src = await addSource(s, 1);
      await s.ingest.recordFetch(record(src.id, [item('a')], T0));
      const versionBefore = await s.dataVersion();
      const seqBefore = await s.articles.maxSeq();
      const bad = item('bad', { contentHash: null as unknown as string });
      await rejectsWith(
        s.ingest.recordFetch(record(src.id, [item('b'), bad, item('c')], T1, { source: { lastFetchedAt: T1, etag: '"x"' } })),
        (e) => e instanceof StorageError && e.message.startsWith('storage: '),
      );
      assert.equal(await s.articles.count(), 1);
      assert.equal(await s.articles.maxSeq(), seqBefore);
      assert.equal((await s.fetchLog.list(src.id, 10)).length, 1);
      assert.equal((await s.sources.get(src.id))!.etag, undefined);
      assert.equal(await s.dataVersion(), versionBefore);
      assert.deepEqual((await s.articles.query({ limit: 10, q: 'Body' })).map((x) => x.identityKey), ['a']);
    });

    it('refuses a fetch for a missing source', async () => {
      await rejectsWith(s.ingest.recordFetch(record(77, [item('a')], T0)), (e) => e instanceof NotFoundError);
    });
  });

  describe('articles.query', () => {
    it('returns newest first by published date, undated items by first seen, with limit', async () => {
      const src = await addSource(s, 1);
      await s.ingest.recordFetch(
        record(
          src.id,
          [
            item('old', { publishedAt: '2024-06-01T00:00:00.000Z' }),
            item('new', { publishedAt: '2024-12-31T00:00:00.000Z' }),
            item('undated'),
          ],
          T0,
        ),
      );
      assert.deepEqual((await s.articles.query({ limit: 10 })).map((x) => x.identityKey), ['undated', 'new', 'old']);
      assert.deepEqual((await s.articles.query({ limit: 2 })).map((x) => x.identityKey), ['undated', 'new']);
    });

    it('carries assets in order and the source attribution', async () => {
      const src = await addSource(s, 1);
      await s.sources.update(src.id, { siteUrl: 'https://example.com/' });
      const assets = [
        { url: 'https://cdn.example.com/1.jpg', mimeType: 'image/jpeg', medium: 'image', width: 800, height: 600, caption: 'A caption', credit: 'Pat', creditRole: 'photographer', rights: '© Pat' },
        { url: 'https://cdn.example.com/2.mp3', mimeType: 'audio/mpeg', size: 1234, title: 'Audio', thumbnailUrl: 'https://cdn.example.com/t.jpg' },
      ];
      await s.ingest.recordFetch(record(src.id, [item('a', { assets, categories: [{ term: 'World', scheme: 'x' }] }), item('b')], T0));
      const [b, a] = await s.articles.query({ limit: 10 });
      assert.deepEqual(a!.assets, assets);
      assert.deepEqual(b!.assets, []);
      assert.deepEqual(a!.categories, [{ term: 'World', scheme: 'x' }]);
      assert.deepEqual(a!.authors, [{ name: 'Ann Author', email: 'ann@example.com' }]);
      assert.deepEqual(a!.source, { sourceId: src.id, slug: 'src-1', title: 'Source 1', siteUrl: 'https://example.com/', feedUrl: src.url });
      assert.deepEqual(await s.articles.get(a!.id), a);
    });

    it('filters by source, by category (case-insensitive, any of) and combines filters', async () => {
      const one = await addSource(s, 1);
      const two = await addSource(s, 2);
      await s.ingest.recordFetch(
        record(one.id, [
          item('1-pol', { categories: [{ term: 'Politics' }] }),
          item('1-eco', { categories: [{ term: 'ÉCONOMIE' }, { term: 'économie' }] }),
          item('1-none'),
        ], T0),
      );
      await s.ingest.recordFetch(record(two.id, [item('2-pol', { categories: [{ term: 'politics' }] })], T1));
      const keys = async (q: Parameters<Storage['articles']['query']>[0]) => (await s.articles.query(q)).map((x) => x.identityKey).sort();
      const cases = [
        { name: 'one source', q: { limit: 10, sourceIds: [one.id] }, want: ['1-eco', '1-none', '1-pol'] },
        { name: 'two sources', q: { limit: 10, sourceIds: [one.id, two.id] }, want: ['1-eco', '1-none', '1-pol', '2-pol'] },
        { name: 'category, other case', q: { limit: 10, categories: ['POLITICS'] }, want: ['1-pol', '2-pol'] },
        { name: 'non-ASCII category, other case', q: { limit: 10, categories: ['Économie'] }, want: ['1-eco'] },
        { name: 'any of two categories', q: { limit: 10, categories: ['politics', 'économie'] }, want: ['1-eco', '1-pol', '2-pol'] },
        { name: 'source AND category', q: { limit: 10, sourceIds: [two.id], categories: ['Politics'] }, want: ['2-pol'] },
        { name: 'category AND text', q: { limit: 10, categories: ['politics'], q: '1-pol' }, want: ['1-pol'] },
        { name: 'unknown category', q: { limit: 10, categories: ['sport'] }, want: [] },
      ];
      for (const c of cases) assert.deepEqual(await keys(c.q), c.want, c.name);
    });

    it('merged multi-source and multi-category pages equal the same filter over the full ordering', async () => {
      const srcs = [await addSource(s, 1), await addSource(s, 2), await addSource(s, 3)];
      const cats = ['Red', 'Green', 'Blue'];
      for (const [si, src] of srcs.entries()) {
        const items = Array.from({ length: 12 }, (_, i) =>
          item(`${si}-${i}`, {
            // Interleaved, some equal dates, some undated: ties must break by id like the single walk.
            publishedAt: i % 5 === 4 ? undefined : `2024-0${1 + ((i * 7 + si * 3) % 9)}-01T00:00:00.000Z`,
            categories: [{ term: cats[(i + si) % 3]! }, ...(i % 4 === 0 ? [{ term: cats[(i + 1) % 3]!.toUpperCase() }] : [])],
            title: i % 2 ? 'alpha beta' : 'alpha',
          }),
        );
        await s.ingest.recordFetch(record(src.id, items, T0));
      }
      await kill(s, (await s.articles.query({ limit: 1 }))[0]!.id, T1);
      const all = await s.articles.query({ limit: 1000 });
      assert.equal(all.length, 35);
      const sortKey = (a: (typeof all)[number]) => a.publishedAt ?? a.firstSeenAt;
      const expectedOrder = [...all].sort((x, y) => (sortKey(x) === sortKey(y) ? y.id - x.id : sortKey(x) < sortKey(y) ? 1 : -1));
      assert.deepEqual(all.map((a) => a.id), expectedOrder.map((a) => a.id), 'newest first, ties by id');
      const has = (a: (typeof all)[number], terms: string[]) => a.categories.some((c) => terms.includes(c.term.toLowerCase()));
      const bySeq = [...all].sort((x, y) => x.seq - y.seq);
      const byId = [...all].sort((x, y) => y.id - x.id);
      const ids = (list: typeof all) => list.map((a) => a.id);
      const cases = [
        { name: 'two sources', q: { limit: 7, sourceIds: [srcs[0]!.id, srcs[2]!.id] }, want: all.filter((a) => a.sourceId !== srcs[1]!.id).slice(0, 7) },
        { name: 'two categories', q: { limit: 9, categories: ['red', 'BLUE'] }, want: all.filter((a) => has(a, ['red', 'blue'])).slice(0, 9) },
        {
          name: 'two categories and a source',
          q: { limit: 5, categories: ['green', 'blue'], sourceIds: [srcs[1]!.id] },
          want: all.filter((a) => has(a, ['green', 'blue']) && a.sourceId === srcs[1]!.id).slice(0, 5),
        },
        { name: 'two categories by cursor', q: { limit: 6, categories: ['red', 'green'], after: 10 }, want: bySeq.filter((a) => has(a, ['red', 'green']) && a.seq > 10).slice(0, 6) },
        { name: 'two sources by full text', q: { limit: 4, sourceIds: [srcs[0]!.id, srcs[1]!.id], q: 'beta' }, want: byId.filter((a) => a.sourceId !== srcs[2]!.id && !!a.title?.includes('beta')).slice(0, 4) },
      ];
      for (const c of cases) {
        assert.ok(c.want.length > 0, c.name);
        assert.deepEqual(ids(await s.articles.query(c.q)), ids(c.want), c.name);
      }
    });

    it('pages by cursor oldest first, and a changed article reappears after the cursor with a bigger seq', async () => {
      const src = await addSource(s, 1);
      await s.ingest.recordFetch(record(src.id, [item('a'), item('b'), item('c')], T0));
      const page1 = await s.articles.query({ limit: 2, after: 0 });
      assert.deepEqual(page1.map((x) => x.identityKey), ['a', 'b']);
      const page2 = await s.articles.query({ limit: 2, after: page1[1]!.seq });
      assert.deepEqual(page2.map((x) => x.identityKey), ['c']);
      const cursor = page2[0]!.seq;
      assert.deepEqual(await s.articles.query({ limit: 2, after: cursor }), []);

      await s.ingest.recordFetch(record(src.id, [item('a', { contentHash: 'hash-a2', summary: 'new' })], T1));
      const page3 = await s.articles.query({ limit: 10, after: cursor });
      assert.deepEqual(page3.map((x) => x.identityKey), ['a']);
      assert.ok(page3[0]!.seq > cursor);
    });

    it('never reuses a seq after retention deletes the newest article', async () => {
      const src = await addSource(s, 1);
      await s.ingest.recordFetch(record(src.id, [item('a', { publishedAt: T0 }), item('b', { publishedAt: T1 })], T1));
      const newest = (await s.articles.query({ limit: 1 }))[0]!;
      assert.equal(newest.identityKey, 'b');
      assert.deepEqual(await s.prune({ maxPerSource: 1 }), { deleted: 1 });
      // maxPerSource keeps the newest; delete it by age instead to expose the top seq.
      await s.ingest.recordFetch(record(src.id, [item('z', { publishedAt: T2 })], T2));
      const top = await s.articles.maxSeq();
      assert.deepEqual(await s.prune({ maxPerSource: 0 }), { deleted: 2 });
      assert.equal(await s.articles.maxSeq(), top, 'maxSeq is the counter, not the surviving rows');
      await s.ingest.recordFetch(record(src.id, [item('fresh')], T2));
      const fresh = (await s.articles.query({ limit: 1 }))[0]!;
      assert.equal(fresh.seq, top + 1);
    });

    it('hides killed articles unless asked, and a kill bumps seq and changed_at', async () => {
      const src = await addSource(s, 1);
      await s.ingest.recordFetch(record(src.id, [item('a'), item('b')], T0));
      const a = (await s.articles.query({ limit: 10 })).find((x) => x.identityKey === 'a')!;
      const cursor = await s.articles.maxSeq();
      const w = (await kill(s, a.id, T1))!;
      assert.equal(w.status, 'canceled');
      assert.equal(w.changedAt, T1);
      assert.equal(w.statusAt, T1);
      assert.equal(w.revision, 2);
      assert.ok(w.seq > cursor);
      assert.deepEqual((await s.articles.query({ limit: 10 })).map((x) => x.identityKey), ['b']);
      assert.deepEqual((await s.articles.query({ limit: 10, q: 'Title' })).map((x) => x.identityKey), ['b']);
      assert.deepEqual((await s.articles.query({ limit: 10, includeWithdrawn: true })).map((x) => x.identityKey).sort(), ['a', 'b']);
      assert.deepEqual((await s.articles.query({ limit: 10, after: cursor, includeWithdrawn: true })).map((x) => x.id), [a.id]);
      assert.equal(await s.articles.count(), 1);
      assert.equal((await kill(s, a.id, T2))!.seq, w.seq, 'killing twice changes nothing');
      assert.equal(await kill(s, 4242, T1), undefined);

      await s.ingest.recordFetch(record(src.id, [item('a', { contentHash: 'hash-a2' })], T2));
      const after = (await s.articles.get(a.id))!;
      assert.equal(after.status, 'canceled', 'a source update does not undo a kill');
      assert.equal(after.seq, w.seq, 'nor does it take a seq: partners hold the tombstone already');
      assert.equal(after.revision, 3, 'but it is a stored revision');
      assert.deepEqual((await s.articles.revisions(a.id))!.map((r) => [r.number, r.status]), [[1, 'usable'], [2, 'canceled'], [3, 'canceled']]);
    });

    it('refuses a bad limit or cursor with a ValidationError', async () => {
      for (const q of [{ limit: 0 }, { limit: 1.5 }, { limit: 10, after: -1 }]) {
        await rejectsWith(s.articles.query(q), (e) => e instanceof ValidationError && e.status === 400);
      }
    });
  });

  describe('full-text search', () => {
    beforeEach(async () => {
      const src = await addSource(s, 1);
      await s.ingest.recordFetch(
        record(src.id, [
          item('a', { title: 'Climate summit opens', summary: 'Leaders meet', contentHtml: '<p>Talks in <a href="https://x.example/img">Bonn</a></p>' }),
          item('b', { title: 'Football final', summary: 'A match', contentHtml: '<p>Crowds &amp; cheering in Zürich</p><img src="x.jpg">' }),
          item('c', { title: 'Climatology review', summary: 'Science', contentHtml: '' }),
        ], T0),
      );
    });

    const cases = [
      { name: 'word in the title', q: 'summit', want: ['a'] },
      { name: 'word in the summary', q: 'leaders', want: ['a'] },
      { name: 'word in the content text', q: 'bonn', want: ['a'] },
      { name: 'entity-decoded text, accent-insensitive', q: 'zurich', want: ['b'] },
      { name: 'several words are AND-ed', q: 'climate bonn', want: ['a'] },
      { name: 'prefix search', q: 'clim*', want: ['c', 'a'] },
      { name: 'tag names are not indexed', q: 'img', want: [] },
      { name: 'attribute values are not indexed', q: 'https', want: [] },
      { name: 'operators are plain words', q: 'climate OR football', want: [] },
    ];
    for (const c of cases) {
      it(`finds by ${c.name}`, async () => {
        assert.deepEqual((await s.articles.query({ limit: 10, q: c.q })).map((x) => x.identityKey), c.want);
      });
    }

    const hostile = ['"', '""', 'AND OR NOT', '*', ':', '(', ')', 'title:', 'NEAR(a b)', '^start', 'a AND', '"climate', "'; DROP TABLE articles; --", '½ 🙂', '-', 'climate"*'];
    for (const q of hostile) {
      it(`never surfaces an SQLite error for ${JSON.stringify(q)}`, async () => {
        try {
          const got = await s.articles.query({ limit: 10, q });
          assert.ok(Array.isArray(got));
        } catch (err) {
          assert.ok(err instanceof ValidationError && err.code === 'invalid_query', `unexpected: ${String(err)}`);
        }
      });
    }
  });

  describe('channels and settings', () => {
    it('creates, lists, updates and removes channels', async () => {
      const c = await s.channels.create({ slug: 'world', title: 'World', filter: { categories: ['World'] }, now: T0 });
      assert.deepEqual(c, { slug: 'world', title: 'World', filter: { categories: ['World'] }, defaultLimit: 50, visibility: 'public', createdAt: T0 });
      await rejectsWith(s.channels.create({ slug: 'world', title: 'Again', now: T0 }), (e) => e instanceof ValidationError && e.code === 'channel_exists' && e.status === 409);
      const u = await s.channels.update('world', { description: 'All the world', defaultLimit: 20 });
      assert.equal(u.description, 'All the world');
      assert.equal(u.defaultLimit, 20);
      assert.deepEqual(u.filter, { categories: ['World'] });
      assert.deepEqual(await s.channels.list(), [u]);
      assert.deepEqual(await s.channels.get('world'), u);
      await rejectsWith(s.channels.update('nope', { title: 'x' }), (e) => e instanceof NotFoundError);
      assert.equal(await s.channels.remove('world'), true);
      assert.equal(await s.channels.remove('world'), false);
      assert.equal(await s.channels.get('world'), undefined);
    });

    it('stores and overwrites settings', async () => {
      assert.equal(await s.getSetting('k'), undefined);
      await s.setSetting('k', 'v1');
      await s.setSetting('k', 'v2');
      assert.equal(await s.getSetting('k'), 'v2');
    });
  });

  describe('retention', () => {
    it('prunes by age and by count per source', async () => {
      const one = await addSource(s, 1);
      const two = await addSource(s, 2);
      await s.ingest.recordFetch(record(one.id, [item('1a', { publishedAt: T0 })], T0));
      await s.ingest.recordFetch(record(one.id, [item('1b', { publishedAt: T1 }), item('1c', { publishedAt: T2 })], T1));
      await s.ingest.recordFetch(record(two.id, [item('2a'), item('2b')], T1));
      assert.deepEqual(await s.prune({ olderThan: T1 }), { deleted: 1 });
      assert.deepEqual(await s.prune({ maxPerSource: 1 }), { deleted: 2 });
      assert.deepEqual((await s.articles.query({ limit: 10, sourceIds: [one.id] })).map((x) => x.identityKey), ['1c']);
      assert.equal(await s.articles.count({ sourceId: two.id }), 1);
      assert.deepEqual(await s.prune({}), { deleted: 0 });
    });

    it('keeps a tombstone as long as the window, counted from the kill, and never trims it by count', async () => {
      const one = await addSource(s, 1);
      await s.ingest.recordFetch(record(one.id, [item('old'), item('older')], T0));
      const [old, older] = await s.articles.query({ limit: 2 });
      await kill(s, old!.id, T2);
      await kill(s, older!.id, T0);
      assert.deepEqual(await s.prune({ maxPerSource: 0 }), { deleted: 0 }, 'tombstones are not counted');
      // Both first seen at T0; the one killed at T2 is kept, the one killed at T0 goes.
      assert.deepEqual(await s.prune({ olderThan: T1 }), { deleted: 1 });
      assert.equal((await s.articles.get(old!.id))?.status, 'canceled');
      assert.deepEqual(await s.prune({ olderThan: '2025-01-04T00:00:00.000Z' }), { deleted: 1 });
    });
  });

  it('runs maintenance and closes idempotently', async () => {
    await s.maintenance();
    await s.close();
    await s.close();
    await rejectsWith(s.sources.list(), (e) => e instanceof StorageError);
  });
});

describe('storage (SQLite file)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-storage-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('creates the parent directory and uses WAL with the required pragmas', async () => {
    const file = path.join(dir, 'nested', 'deeper', 'wirefeed.db');
    const s = openSqliteStorage({ path: file });
    try {
      assert.ok(existsSync(file));
      const raw = new Database(file, { readonly: true });
      try {
        assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      } finally {
        raw.close();
      }
    } finally {
      await s.close();
    }
  });

  it('removing a source cascades to articles, assets, categories, full-text rows and fetch log', async () => {
    const file = path.join(dir, 'w.db');
    const s = openSqliteStorage({ path: file });
    const raw = new Database(file, { readonly: true });
    try {
      const keep = await addSource(s, 1);
      const drop = await addSource(s, 2);
      const rich = (k: string) => item(k, { categories: [{ term: 'News' }], assets: [{ url: `https://cdn.example.com/${k}.jpg` }] });
      await s.ingest.recordFetch(record(keep.id, [rich('k1')], T0));
      await s.ingest.recordFetch(record(drop.id, [rich('d1'), rich('d2')], T0));
      const counts = () =>
        Object.fromEntries(
          ['articles', 'assets', 'article_categories', 'fetch_log'].map((t) => [t, raw.prepare(`SELECT count(*) FROM ${t}`).pluck().get()]),
        );
      assert.deepEqual(counts(), { articles: 3, assets: 3, article_categories: 3, fetch_log: 2 });
      assert.equal(await s.sources.remove(drop.id), true);
      assert.equal(await s.sources.remove(drop.id), false);
      assert.deepEqual(counts(), { articles: 1, assets: 1, article_categories: 1, fetch_log: 1 });
      assert.deepEqual((await s.articles.query({ limit: 10, q: 'body' })).map((x) => x.identityKey), ['k1']);
      assert.deepEqual(raw.prepare(`SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'body'`).pluck().all(), [
        (await s.articles.query({ limit: 1 }))[0]!.id,
      ]);
    } finally {
      raw.close();
      await s.close();
    }
  });

  it('dataVersion changes on writes of this connection at once, and of another one within a millisecond', async () => {
    // Another connection's commit is seen through PRAGMA data_version, read at most once a ms.
    const settle = () => new Promise((r) => setTimeout(r, 2));
    const file = path.join(dir, 'w.db');
    const a = openSqliteStorage({ path: file });
    const b = openSqliteStorage({ path: file });
    try {
      const a0 = await a.dataVersion();
      const b0 = await b.dataVersion();
      assert.equal(await a.dataVersion(), a0, 'stable without writes');
      const src = await a.sources.create({ url: 'https://x.example/rss', slug: 'x', nextFetchAt: T0, now: T0 });
      const a1 = await a.dataVersion();
      await settle();
      const b1 = await b.dataVersion();
      assert.notEqual(a1, a0, 'own write');
      assert.notEqual(b1, b0, 'other connection write');
      await b.ingest.recordFetch(record(src.id, [item('a')], T0));
      assert.notEqual(await b.dataVersion(), b1, 'own write through the writer thread');
      await settle();
      assert.notEqual(await a.dataVersion(), a1);
      assert.notEqual(await b.dataVersion(), b1);
      assert.equal((await a.articles.query({ limit: 5 })).length, 1);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe('storage query plans', () => {
  // Each page shape must walk an index in order and stop at LIMIT: a temp B-tree sort or a
  // full scan would be fine at 100 rows and hopeless at 1,000,000.
  let dir: string;
  let s: Storage;
  let raw: Database.Database;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-plan-'));
    s = openSqliteStorage({ path: path.join(dir, 'p.db') });
    raw = new Database(path.join(dir, 'p.db'), { readonly: true });
  });
  after(async () => {
    raw.close();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cases = [
    { name: 'all, newest first', q: { limit: 50 }, uses: 'articles_status_sort' },
    { name: 'one source, newest first', q: { limit: 50, sourceIds: [1] }, uses: 'articles_source_sort' },
    { name: 'one category, newest first', q: { limit: 50, categories: ['news'] }, uses: 'article_categories_term_sort' },
    { name: 'cursor', q: { limit: 50, after: 10 }, uses: 'seq' },
    { name: 'full text', q: { limit: 50, q: 'climate' }, uses: 'SCAN f VIRTUAL TABLE' },
    // Several categories or sources: one limited walk each, only their union (≤ N × limit rows) is sorted.
    { name: 'two categories', q: { limit: 50, categories: ['news', 'sport'] }, uses: 'article_categories_term_sort', arms: 2 },
    { name: 'three sources', q: { limit: 50, sourceIds: [1, 2, 3] }, uses: 'articles_source_sort', arms: 3 },
  ];
  for (const c of cases) {
    it(`${c.name} uses ${c.uses} ${c.arms ? `in ${c.arms} limited walks` : 'without sorting'}`, () => {
      const { sql, params } = buildArticleQuery(c.q);
      const plan = (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('\n');
      assert.equal(plan.match(new RegExp(c.uses, 'g'))?.length, c.arms ?? 1, plan);
      if (!c.arms) assert.doesNotMatch(plan, /TEMP B-TREE/, plan);
      assert.doesNotMatch(plan, /^SCAN a\b/m, plan);
    });
  }
});
