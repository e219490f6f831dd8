// The PostgreSQL twins of the source, channel, article-read, ingest, fetch-log, settings and
// retention code answer exactly as SQLite's: each scenario runs on both backends and the two
// transcripts must be deep-equal (plus checks of the transcript itself, so a mistake both share
// still fails).
import assert from 'node:assert/strict';
import type { ArticleInput, ArticleQuery } from '../src/model/types.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import type { FetchRecord, Storage } from '../src/storage/repos.js';
import { createArticleReads } from '../src/storage/postgres/article-repo.js';
import { createChannelRepo } from '../src/storage/postgres/channel-repo.js';
import { createPgContext, notifyChannel } from '../src/storage/postgres/context.js';
import { createFetchLogRepo, createIngestRepo, type IngestLifecycle } from '../src/storage/postgres/ingest-repo.js';
import { migratePostgres } from '../src/storage/postgres/migrations.js';
import { createPool } from '../src/storage/postgres/pool.js';
import { createSourceRepo } from '../src/storage/postgres/source-repo.js';
import { getSetting, pruneArticles, setSetting } from '../src/storage/postgres/storage-ops.js';
import { describePg, dropSchema, freshSchemaName, PG_TEST_URL } from './support/pg-schema.js';

type Core = Pick<Storage, 'sources' | 'channels' | 'ingest' | 'fetchLog' | 'getSetting' | 'setSetting' | 'prune'> & {
  articles: Pick<Storage['articles'], 'query' | 'get' | 'lastChange' | 'maxSeq' | 'ednotes' | 'count'>;
};

interface Backend {
  core: Core;
  close(): Promise<void>;
}

const T0 = '2025-01-01T00:00:00.000Z';
const T1 = '2025-01-02T00:00:00.000Z';
const T2 = '2025-01-03T00:00:00.000Z';

function sqliteBackend(): Backend {
  const s = openSqliteStorage({ path: ':memory:' });
  return { core: s, close: async () => s.close() };
}

/** Until lifecycle.ts is wired, scenarios here change no stored article (no revision, no event). */
const noLifecycle: IngestLifecycle = {
  storeRevision: () => Promise.reject(new Error('lifecycle not wired in this test')),
  applyArticleEvent: () => Promise.reject(new Error('lifecycle not wired in this test')),
};

async function pgBackend(schema: string): Promise<Backend> {
  const pool = createPool({ url: PG_TEST_URL!, schema, size: 2 });
  await migratePostgres(pool, { schema });
  const ctx = createPgContext({ pool, channel: notifyChannel(schema), origin: 'twin-test' });
  return {
    core: {
      sources: createSourceRepo(ctx),
      channels: createChannelRepo(ctx),
      articles: createArticleReads(ctx),
      ingest: createIngestRepo(ctx, noLifecycle),
      fetchLog: createFetchLogRepo(ctx),
      getSetting: (k) => getSetting(ctx, k),
      setSetting: (k, v) => setSetting(ctx, k, v),
      prune: (p) => pruneArticles(ctx, p),
    },
    close: () => pool.end(),
  };
}

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
    ms: 12.4,
    outcome: items ? 'modified' : 'not-modified',
    httpStatus: items ? 200 : 304,
    warnings: items ? [] : ['w1'],
    items,
    source: { lastFetchedAt: now },
    now,
    ...over,
  };
}

/** Runs `fn` and records its answer or its error (class, code, message) in the transcript. */
async function step(out: unknown[], label: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    out.push([label, await fn()]);
  } catch (err) {
    const e = err as Error & { code?: string; status?: number };
    out.push([label, 'error', e.constructor.name, e.code, e.status, e.message]);
  }
}

async function transcript(b: Backend, scenario: (c: Core, out: unknown[]) => Promise<void>): Promise<unknown[]> {
  const out: unknown[] = [];
  try {
    await scenario(b.core, out);
  } finally {
    await b.close();
  }
  return out;
}

describePg('storage core on PostgreSQL answers as on SQLite', () => {
  let schema: string;
  beforeEach(() => {
    schema = freshSchemaName();
  });
  afterEach(() => dropSchema(schema));

  async function both(scenario: (c: Core, out: unknown[]) => Promise<void>): Promise<unknown[]> {
    const want = await transcript(sqliteBackend(), scenario);
    const got = await transcript(await pgBackend(schema), scenario);
    assert.deepEqual(got, want);
    return want;
  }

  it('sources: create, clashes, find, update, due, health, remove', async () => {
    const t = await both(async (c, out) => {
      await step(out, 'create1', () => c.sources.create({ url: 'https://a.example/rss', slug: 'a', title: 'A', categories: ['News'], nextFetchAt: T1, now: T0 }));
      await step(out, 'create2', () => c.sources.create({ url: 'https://b.example/rss', slug: 'b', nextFetchAt: T0, now: T0, visibility: 'partners' }));
      await step(out, 'url clash', () => c.sources.create({ url: 'https://a.example/rss', slug: 'z', nextFetchAt: T0, now: T0 }));
      await step(out, 'slug clash', () => c.sources.create({ url: 'https://z.example/rss', slug: 'a', nextFetchAt: T0, now: T0 }));
      await step(out, 'get', () => c.sources.get(1));
      await step(out, 'get missing', () => c.sources.get(99));
      await step(out, 'by slug', () => c.sources.getBySlug('b'));
      await step(out, 'by url', () => c.sources.findByUrl('https://a.example/rss'));
      await step(out, 'update', () => c.sources.update(2, { status: 'paused', statusReason: 'why', errorCount: 2, lastError: 'x' }));
      await step(out, 'update clears', () => c.sources.update(2, { lastError: undefined }));
      await step(out, 'update clash', () => c.sources.update(2, { url: 'https://a.example/rss' }));
      await step(out, 'update missing', () => c.sources.update(99, { title: 'x' }));
      await step(out, 'empty patch', () => c.sources.update(1, {}));
      await step(out, 'list', () => c.sources.list());
      await step(out, 'list paused', () => c.sources.list({ status: 'paused' }));
      await step(out, 'due', () => c.sources.listDue(T1, 10));
      await step(out, 'next due', () => c.sources.nextDueAt());
      await step(out, 'health', () => c.sources.health());
      await step(out, 'remove', () => c.sources.remove(2));
      await step(out, 'remove again', () => c.sources.remove(2));
      await step(out, 'create after remove (id not reused)', () => c.sources.create({ url: 'https://c.example/rss', slug: 'c', nextFetchAt: T0, now: T0 }));
    });
    assert.deepEqual((t.find((r) => (r as unknown[])[0] === 'url clash') as unknown[]).slice(1, 5), ['error', 'ValidationError', 'source_exists', 409]);
    assert.equal(((t.at(-1) as unknown[])[1] as { id: number }).id, 3);
  });

  it('channels: create, clash, update, list, remove', async () => {
    await both(async (c, out) => {
      await step(out, 'create', () => c.channels.create({ slug: 'world', title: 'World', filter: { categories: ['World'] }, now: T0 }));
      await step(out, 'create b', () => c.channels.create({ slug: 'b-c', title: 'B', description: 'd', defaultLimit: 5, visibility: 'partners', now: T0 }));
      await step(out, 'clash', () => c.channels.create({ slug: 'world', title: 'Again', now: T0 }));
      await step(out, 'update', () => c.channels.update('world', { title: 'Welt', description: undefined, defaultLimit: 7 }));
      await step(out, 'update missing', () => c.channels.update('nope', { title: 'x' }));
      await step(out, 'list', () => c.channels.list());
      await step(out, 'get', () => c.channels.get('b-c'));
      await step(out, 'remove', () => c.channels.remove('b-c'));
      await step(out, 'remove again', () => c.channels.remove('b-c'));
    });
  });

  it('ingest and article queries: pages, sources, categories, cursor, identities, full text, fetch log, prune', async () => {
    const t = await both(async (c, out) => {
      await c.sources.create({ url: 'https://a.example/rss', slug: 'a', title: 'A', nextFetchAt: T0, now: T0 });
      await c.sources.create({ url: 'https://b.example/rss', slug: 'b', nextFetchAt: T0, now: T0, visibility: 'partners' });
      await c.sources.create({ url: 'https://c.example/rss', slug: 'c', nextFetchAt: T0, now: T0 });
      const cat = (term: string) => ({ term });
      const a = [
        item('a1', { publishedAt: '2024-12-30T10:00:00.000Z', categories: [cat('World'), cat('ÉCONOMIE')], title: 'Café naïve at example.com' }),
        item('a2', { publishedAt: '2024-12-31T10:00:00.000Z', categories: [cat('world')], summary: 'foo-bar baz e-mail', ednote: 'note a2' }),
        item('a3', { categories: [cat('Sport')], contentHtml: '<p>Straße <a href="https://x.example/img">link</a> ΣΑΣ</p>', assets: [{ url: 'https://x.example/1.jpg', mimeType: 'image/jpeg', width: 10, size: 5_000_000_000 }, { url: 'https://x.example/2.jpg', caption: 'two' }] }),
        item('a4', { title: undefined, summary: undefined, publishedAt: '2024-12-31T10:00:00.000Z' }),
      ];
      await step(out, 'ingest a', () => c.ingest.recordFetch(record(1, a, T1, { source: { lastFetchedAt: T1, etag: '"e"', title: 'A!', lint: [{ code: 'missing_dates', message: 'm' }] as never } })));
      await step(out, 'ingest a again (unchanged)', () => c.ingest.recordFetch(record(1, a, T2)));
      await step(out, 'ingest b', () => c.ingest.recordFetch(record(2, [item('b1', { publishedAt: '2024-12-31T10:00:00.000Z', categories: [cat('World')] }), item('a1', { guid: 'a1' })], T1)));
      await step(out, 'ingest c 304', () => c.ingest.recordFetch(record(3, undefined, T1)));
      await step(out, 'ingest error', () => c.ingest.recordFetch(record(3, undefined, T2, { outcome: 'error', error: 'boom', httpStatus: 500, source: { lastFetchedAt: T2, errorCount: 1, lastError: 'boom' } })));
      await step(out, 'ingest missing source', () => c.ingest.recordFetch(record(99, [item('x')], T1)));
      await step(out, 'fetch log', () => c.fetchLog.list(3, 10));
      await step(out, 'source after', () => c.sources.get(1));
      const queries: [string, ArticleQuery][] = [
        ['newest', { limit: 10 }],
        ['newest 2', { limit: 2 }],
        ['source', { limit: 10, sourceIds: [1] }],
        ['sources', { limit: 10, sourceIds: [1, 2] }],
        ['category', { limit: 10, categories: ['WORLD'] }],
        ['categories', { limit: 10, categories: ['world', 'économie', 'sport'] }],
        ['category+source', { limit: 10, categories: ['world'], sourceIds: [2] }],
        ['after', { limit: 10, after: 2 }],
        ['after sources', { limit: 2, after: 1, sourceIds: [1, 2] }],
        ['public only', { limit: 10, publicSourcesOnly: true }],
        ['identity', { limit: 10, identityKeys: ['a1', 'zz'] }],
        ['identity after', { limit: 10, identityKeys: ['a1'], after: 1 }],
        ['q word', { limit: 10, q: 'body' }],
        ['q diacritics', { limit: 10, q: 'CAFE naive' }],
        ['q host part', { limit: 10, q: 'example' }],
        ['q hyphen', { limit: 10, q: 'foo-bar' }],
        ['q hyphen reversed', { limit: 10, q: 'bar-foo' }],
        ['q prefix', { limit: 10, q: 'stra*' }],
        ['q phrase prefix', { limit: 10, q: 'e-ma*' }],
        ['q sigma', { limit: 10, q: 'σας' }],
        ['q attribute text not indexed', { limit: 10, q: 'href' }],
        ['q AND', { limit: 10, q: 'body title a3' }],
        ['q none', { limit: 10, q: 'nothing-here' }],
        ['q across fields', { limit: 10, q: 'a1 summary' }],
        ['q with category', { limit: 10, q: 'body', categories: ['world'] }],
        ['q with sources', { limit: 10, q: 'body', sourceIds: [1, 2] }],
        ['q quotes', { limit: 10, q: '"body" "of' }],
        ['q invalid', { limit: 10, q: '*** ---' }],
        ['bad limit', { limit: 0 }],
        ['bad cursor', { limit: 1, after: -1 }],
      ];
      for (const [label, q] of queries) await step(out, label, () => c.articles.query(q));
      await step(out, 'last change', () => c.articles.lastChange({ sourceIds: [1] }));
      await step(out, 'last change none', () => c.articles.lastChange({ sourceIds: [3] }));
      await step(out, 'get', () => c.articles.get(3));
      await step(out, 'get missing', () => c.articles.get(99));
      await step(out, 'max seq', () => c.articles.maxSeq());
      await step(out, 'count', () => c.articles.count());
      await step(out, 'count source', () => c.articles.count({ sourceId: 1 }));
      await step(out, 'ednotes', async () => [...(await c.articles.ednotes([1, 2, 3]))]);
      await step(out, 'settings', async () => {
        await c.setSetting('k', 'v1');
        await c.setSetting('k', 'v2');
        return [await c.getSetting('k'), await c.getSetting('none')];
      });
      await step(out, 'prune per source', () => c.prune({ maxPerSource: 2 }));
      await step(out, 'after prune', () => c.articles.query({ limit: 10, includeWithdrawn: true }));
      await step(out, 'prune old', () => c.prune({ olderThan: T2 }));
      await step(out, 'max seq after prune', () => c.articles.maxSeq());
      await step(out, 'ingest after prune', () => c.ingest.recordFetch(record(3, [item('c1')], T2)));
      await step(out, 'ingest raw hashes', () => c.ingest.recordFetch(record(1, [item('r1', { rawHash: 'raw-r1' }), item('a2', { rawHash: 'raw-a2' })], T2)));
      await step(out, 'known items', () => c.ingest.knownItems!(1));
      await step(out, 'ingest skipped by raw hash', () =>
        c.ingest.recordFetch(record(1, [], T2, { unchanged: [{ rawHash: 'raw-r1', identityKey: 'r1' }, { rawHash: 'gone', identityKey: 'zz' }], source: { lastFetchedAt: T2, bodyHash: 'b' } })),
      );
      await step(out, 'body hash forgotten when a skipped item is gone', async () => (await c.sources.get(1))?.bodyHash ?? 'none');
      await step(out, 'remove source cascades', async () => [await c.sources.remove(3), await c.articles.count(), await c.fetchLog.list(3, 10)]);
    });
    const get = (label: string) => (t.find((r) => (r as unknown[])[0] === label) as unknown[])[1];
    assert.deepEqual(get('ingest a'), { itemsNew: 4, itemsUpdated: 0, itemsUnchanged: 0, log: (get('ingest a') as { log: unknown }).log });
    assert.equal((get('ingest a again (unchanged)') as { itemsUnchanged: number }).itemsUnchanged, 4);
    const ids = (label: string) => (get(label) as { id: number }[]).map((a) => a.id);
    assert.deepEqual(ids('q diacritics'), [1]);
    assert.deepEqual(ids('q host part'), [1]);
    assert.deepEqual(ids('q hyphen'), [2]);
    assert.deepEqual(ids('q hyphen reversed'), []);
    assert.deepEqual(ids('q prefix'), [3]);
    assert.deepEqual(ids('q attribute text not indexed'), []);
    assert.deepEqual(ids('after'), [3, 4, 5, 6]);
    assert.equal(get('max seq after prune'), 6);
  });
});
