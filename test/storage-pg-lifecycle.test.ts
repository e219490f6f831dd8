// The article lifecycle on PostgreSQL (events, revisions, embargoes) answers exactly as on SQLite,
// and stays right with several instances writing at once.
import assert from 'node:assert/strict';
import { ValidationError } from '../src/errors.js';
import type { Article, ArticleEvent, ArticleInput } from '../src/model/types.js';
import type { Storage } from '../src/storage/repos.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import { createArticleReads } from '../src/storage/postgres/article-repo.js';
import { createPgContext, notifyChannel } from '../src/storage/postgres/context.js';
import { createIngestRepo } from '../src/storage/postgres/ingest-repo.js';
import { applyArticleEvent, createArticleLifecycle, storeRevision } from '../src/storage/postgres/lifecycle.js';
import { migratePostgres } from '../src/storage/postgres/migrations.js';
import { createPool, type PgPool } from '../src/storage/postgres/pool.js';
import { createSourceRepo } from '../src/storage/postgres/source-repo.js';
import { describePg, dropSchema, freshSchemaName, PG_TEST_URL } from './support/pg-schema.js';

type Repos = Pick<Storage, 'sources' | 'ingest'> & { articles: Omit<Storage['articles'], 'nextEmbargoEnd'> & { nextEmbargoEnd(): unknown } };

const T = (m: number) => new Date(Date.UTC(2025, 0, 1, 10, m)).toISOString();

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
    categories: [{ term: 'World' }],
    assets: [],
    contentHash: `hash-${key}`,
    publishedAt: T(0),
    ...over,
  };
}

const kill = (a: Article): ArticleEvent | undefined => (a.status === 'canceled' ? undefined : { status: 'canceled', reason: 'legal', revisionReason: 'killed' });

async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    return { ok: await p };
  } catch (err) {
    return { error: (err as Error).constructor.name, code: (err as { code?: string }).code };
  }
}

async function scenario(s: Repos): Promise<unknown[]> {
  const out: unknown[] = [];
  const src = await s.sources.create({ url: 'https://feeds.example.com/rss', slug: 'src', title: 'Source', nextFetchAt: T(0), now: T(0) });
  await s.ingest.recordFetch({
    sourceId: src.id,
    startedAt: T(0),
    ms: 5,
    outcome: 'modified',
    warnings: [],
    items: [
      item('a', { assets: [{ url: 'https://img.example/a.jpg', caption: 'Harbour', credit: 'Jo' }, { url: 'https://img.example/b.jpg' }] }),
      item('b'),
      item('c', { publishedAt: T(1) }),
      item('d', { publishedAt: T(2) }),
    ],
    source: { lastFetchedAt: T(0) },
    now: T(0),
  });
  const [a, b, c, d] = (await s.articles.query({ limit: 10, after: 0 })).map((x) => x.id);
  out.push(await s.articles.applyEvent(a!, kill, T(3)));
  // Nothing to do: nothing written, the article as it is.
  out.push(await s.articles.applyEvent(a!, kill, T(4)));
  // Refused: nothing written.
  out.push(
    await outcome(
      s.articles.applyEvent(b!, () => {
        throw new ValidationError('refused', 'no', 409);
      }, T(4)),
    ),
  );
  out.push(await s.articles.applyEvent(b!, () => ({ status: 'withheld', reason: 'check', revisionReason: 'withheld' }), T(5)));
  out.push(
    await s.articles.applyEvent(
      b!,
      () => ({ status: 'withheld', revisionReason: 'corrected', correction: { title: 'Zeppelin over harbour', summary: 'Fixed' } }),
      T(6),
    ),
  );
  out.push(await s.articles.applyEvent(b!, () => ({ status: 'usable', revisionReason: 'released' }), T(7)));
  out.push(await s.articles.applyEvent(a!, () => ({ status: 'canceled', revisionReason: 'caption', correction: { assets: [null as never, { caption: 'Second' }] } }), T(8)));
  // Full text follows the correction: the new words are found, the old ones are not.
  out.push((await s.articles.query({ q: 'zeppelin', limit: 10 })).map((x) => x.id), (await s.articles.query({ q: 'Title b', limit: 10 })).map((x) => x.id));
  out.push(await s.articles.nextEmbargoEnd());
  out.push(await s.articles.applyEvent(c!, () => ({ status: 'embargoed', embargoedUntil: T(30), revisionReason: 'embargo' }), T(9)));
  out.push(await s.articles.applyEvent(d!, () => ({ status: 'embargoed', embargoedUntil: T(20), revisionReason: 'embargo' }), T(9)));
  out.push(await s.articles.nextEmbargoEnd(), await s.articles.liftDueEmbargoes(T(19)), await s.articles.liftDueEmbargoes(T(40)), await s.articles.liftDueEmbargoes(T(41)));
  out.push(await s.articles.nextEmbargoEnd());
  for (const id of [a!, b!, c!, d!]) out.push(await s.articles.revisions(id));
  out.push(await s.articles.revisions(999), await s.articles.applyEvent(999, kill, T(50)), await s.articles.get(999));
  out.push(await s.articles.query({ limit: 10, after: 0, includeWithdrawn: true }), await s.articles.maxSeq());
  return out;
}

describePg('PostgreSQL article lifecycle', () => {
  let schema: string;
  let pools: PgPool[];
  beforeEach(() => {
    schema = freshSchemaName();
    pools = [];
  });
  afterEach(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await dropSchema(schema);
  });

  const instance = async (origin: string) => {
    const pool = createPool({ url: PG_TEST_URL!, schema, size: 4 });
    pools.push(pool);
    await migratePostgres(pool, { schema });
    const ctx = createPgContext({ pool, channel: notifyChannel(schema), origin });
    return {
      pool,
      sources: createSourceRepo(ctx),
      ingest: createIngestRepo(ctx, { storeRevision, applyArticleEvent }),
      articles: { ...createArticleReads(ctx), ...createArticleLifecycle(ctx) },
    };
  };

  it('events, corrections, revisions and embargoes answer exactly as on SQLite', async () => {
    const lite = openSqliteStorage({ path: ':memory:' });
    let expected: unknown[];
    try {
      expected = await scenario(lite);
    } finally {
      lite.close();
    }
    const actual = await scenario(await instance('a'));
    assert.deepStrictEqual(actual, expected);
    // The transcript itself: a killed story stays killed, embargoes lifted one each, in order.
    assert.equal((expected[0] as Article).status, 'canceled');
    assert.equal((expected[1] as Article).seq, (expected[0] as Article).seq);
    assert.deepEqual(expected[2], { error: 'ValidationError', code: 'refused' });
    const b = (expected[3] as Article).id;
    assert.deepEqual(expected.slice(7, 9), [[b], []]);
    assert.deepEqual(expected.slice(12, 17), [T(20), 0, 2, 0, undefined]);
  });

  it('concurrent events on one article from two instances: every revision stored once, every seq new', async () => {
    const a = await instance('a');
    const b = await instance('b');
    const src = await a.sources.create({ url: 'https://feeds.example.com/rss', slug: 'src', title: 'Source', nextFetchAt: T(0), now: T(0) });
    await a.ingest.recordFetch({ sourceId: src.id, startedAt: T(0), ms: 1, outcome: 'modified', warnings: [], items: [item('x')], source: { lastFetchedAt: T(0) }, now: T(0) });
    const [x] = await a.articles.query({ limit: 1 });
    const before = await a.articles.maxSeq();
    const N = 20;
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) =>
        (i % 2 ? a : b).articles.applyEvent(x!.id, (cur) => ({ status: 'usable', revisionReason: `fix ${i}`, correction: { title: `${cur.title} ${i}` } }), T(i + 1)),
      ),
    );
    const seqs = results.map((r) => r!.seq);
    assert.equal(new Set(seqs).size, N);
    assert.deepEqual([...seqs].sort((p, q) => p - q), Array.from({ length: N }, (_, i) => before + 1 + i));
    const revs = (await b.articles.revisions(x!.id))!;
    assert.deepEqual(
      revs.map((r) => r.number),
      Array.from({ length: N + 1 }, (_, i) => i + 1),
    );
    // Each correction saw the one before it: the title carries all N suffixes.
    assert.equal(revs.at(-1)!.title!.split(' ').length, 2 + N);
  });

  it('two instances lifting the same embargoes: each lifted exactly once', async () => {
    const a = await instance('a');
    const b = await instance('b');
    const src = await a.sources.create({ url: 'https://feeds.example.com/rss', slug: 'src', title: 'Source', nextFetchAt: T(0), now: T(0) });
    const keys = Array.from({ length: 12 }, (_, i) => `e${i}`);
    await a.ingest.recordFetch({ sourceId: src.id, startedAt: T(0), ms: 1, outcome: 'modified', warnings: [], items: keys.map((k) => item(k)), source: { lastFetchedAt: T(0) }, now: T(0) });
    for (const [i, art] of (await a.articles.query({ limit: 20 })).entries()) {
      await a.articles.applyEvent(art.id, () => ({ status: 'embargoed', embargoedUntil: T(10 + (i % 3)), revisionReason: 'embargo' }), T(1));
    }
    const before = await a.articles.maxSeq();
    const lifted = await Promise.all([a.articles.liftDueEmbargoes(T(20)), b.articles.liftDueEmbargoes(T(20)), a.articles.liftDueEmbargoes(T(20))]);
    assert.equal(lifted.reduce((p, q) => p + q, 0), keys.length);
    assert.equal(await a.articles.maxSeq(), before + keys.length);
    const page = await b.articles.query({ limit: 20, after: before });
    assert.equal(page.length, keys.length);
    // Oldest embargo first, as on SQLite.
    const ends = page.map((p) => p.embargoedUntil!);
    assert.deepEqual(ends, [...ends].sort());
    assert.equal(await b.articles.nextEmbargoEnd(), undefined);
  });
});
