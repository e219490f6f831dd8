import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';
import { NotFoundError, ValidationError } from '../src/errors.js';
import type { FeedFormat, OutputFormat } from '../src/model/types.js';
import { CONTENT_TYPES } from '../src/publish/index.js';
import { canonicalQuery, originFromHost, parseFeedQuery, queryStringToRecord } from '../src/services/feed-query.js';
import { createFeedService } from '../src/services/feeds.js';
import type { FeedQuery, FeedService, FeedTarget } from '../src/services/types.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import type { Storage } from '../src/storage/repos.js';
import { parseFeedPath } from '../src/services/feed-path.js';
import { addSource, articleInput, countingSerializers, ingest } from './http-fixtures.js';

interface JsonFeed {
  feed_url: string;
  home_page_url: string;
  next_url?: string;
  _paging?: { first?: string };
  items: { id: string; title: string; date_modified?: string }[];
}

/** Non-URL guids come out as urn:wirefeed:<source>:<guid>; the test keys are the last part. */
const key = (id: string) => id.slice(id.lastIndexOf(':') + 1);

const ALL: FeedTarget = { kind: 'channel', slug: 'all' };

async function json(feeds: FeedService, target: FeedTarget, query: FeedQuery, origin?: string): Promise<JsonFeed> {
  const f = await feeds.getFeed(target, 'json', query, origin);
  return JSON.parse(f.body.toString('utf8')) as JsonFeed;
}

/** What a partner does with a next link: parse it back into target + query. */
function follow(url: string): { target: FeedTarget; format: OutputFormat; query: FeedQuery } {
  const u = new URL(url);
  const p = parseFeedPath(u.pathname);
  assert.ok(p, `next link ${url} is a feed URL`);
  return { ...p, query: parseFeedQuery(queryStringToRecord(u.search.slice(1))) };
}

describe('feed service', () => {
  let storage: Storage;
  let counting: ReturnType<typeof countingSerializers>;
  let feeds: FeedService;

  beforeEach(() => {
    storage = openSqliteStorage({ path: ':memory:' });
    counting = countingSerializers();
    feeds = createFeedService({ storage, serializers: counting.serializers, contentTypes: CONTENT_TYPES, baseUrl: 'https://feeds.example.org', cacheEntries: 50, version: '1.2.3' });
  });
  afterEach(() => storage.close());

  describe('cursor pages (the partner protocol)', () => {
    it('deliver every insert and every update exactly once, following next links', async () => {
      const src = await addSource(storage, 'wire');
      await ingest(storage, src.id, ['a', 'b', 'c', 'd', 'e'].map((k) => articleInput(k)));

      const seen: string[] = [];
      let next: string | undefined = 'https://feeds.example.org/feeds/all.json?limit=2&after=0';
      // Drain: follow next until a page comes back empty.
      async function drain(): Promise<string[]> {
        const got: string[] = [];
        for (let i = 0; i < 20; i++) {
          const { target, format, query } = follow(next!);
          assert.equal(format, 'json');
          const page = await json(feeds, target, query);
          assert.ok(page.next_url, 'every cursor page has a next link, even a short or empty one');
          assert.equal(page._paging?.first, 'https://feeds.example.org/feeds/all.json?limit=2&after=0');
          next = page.next_url;
          if (page.items.length === 0) return got;
          got.push(...page.items.map((x) => `${key(x.id)}:${x.title}`));
        }
        assert.fail('the cursor never reached the end');
      }

      seen.push(...(await drain()));
      assert.deepEqual(seen, ['a:Story a', 'b:Story b', 'c:Story c', 'd:Story d', 'e:Story e'], 'oldest first, each once');
      const parked = next;
      assert.deepEqual(await drain(), [], 'nothing new: the same next link comes back');
      assert.equal(next, parked);

      // One update (new content hash) and one insert, the way a refresh records them.
      await ingest(storage, src.id, [articleInput('c', { title: 'Story c, corrected', contentHash: 'hash-c2' }), articleInput('f')], '2025-03-01T11:00:00.000Z');
      assert.deepEqual(await drain(), ['c:Story c, corrected', 'f:Story f'], 'exactly the changed and the new item');
      assert.deepEqual(await drain(), []);
    });

    it('without after, newest first and no paging links', async () => {
      const src = await addSource(storage, 'wire');
      await ingest(storage, src.id, [articleInput('a')]);
      await ingest(storage, src.id, [articleInput('b')]);
      const page = await json(feeds, ALL, {});
      assert.deepEqual(page.items.map((x) => key(x.id)), ['b', 'a']);
      assert.equal(page.next_url, undefined);
    });
  });

  describe('selection', () => {
    beforeEach(async () => {
      const one = await addSource(storage, 'one');
      const two = await addSource(storage, 'two');
      await ingest(storage, one.id, [
        articleInput('w1', { categories: [{ term: 'World' }], title: 'Harbour strike ends' }),
        articleInput('s1', { categories: [{ term: 'sport' }], title: 'Cup final tonight' }),
        articleInput('t1', { categories: [{ term: 'tech' }], title: 'Chip plant opens' }),
      ]);
      await ingest(storage, two.id, [articleInput('w2', { categories: [{ term: 'world' }], title: 'Harbour reopens' })]);
      await storage.channels.create({ slug: 'news', title: 'News', filter: { categories: ['world', 'sport'] }, defaultLimit: 2, now: '2025-01-01T00:00:00.000Z' });
      await storage.channels.create({ slug: 'one-only', title: 'One', filter: { sourceIds: [one.id] }, now: '2025-01-01T00:00:00.000Z' });
      await storage.channels.create({ slug: 'harbour', title: 'Harbour', filter: { query: 'harbour' }, now: '2025-01-01T00:00:00.000Z' });
    });

    const cases: { name: string; target: FeedTarget; query: FeedQuery; ids: string[] }[] = [
      { name: 'all, every source, newest first', target: ALL, query: {}, ids: ['w2', 't1', 's1', 'w1'] },
      { name: 'channel default limit applies', target: { kind: 'channel', slug: 'news' }, query: {}, ids: ['w2', 's1'] },
      { name: 'explicit limit overrides the default', target: { kind: 'channel', slug: 'news' }, query: { limit: 3 }, ids: ['w2', 's1', 'w1'] },
      { name: 'request category inside the channel narrows it', target: { kind: 'channel', slug: 'news' }, query: { category: 'SPORT' }, ids: ['s1'] },
      { name: 'request category outside the channel matches nothing', target: { kind: 'channel', slug: 'news' }, query: { category: 'tech' }, ids: [] },
      { name: 'category on all', target: ALL, query: { category: 'tech' }, ids: ['t1'] },
      { name: 'channel source filter', target: { kind: 'channel', slug: 'one-only' }, query: {}, ids: ['t1', 's1', 'w1'] },
      { name: 'source feed', target: { kind: 'source', slug: 'two' }, query: {}, ids: ['w2'] },
      { name: 'source feed with category', target: { kind: 'source', slug: 'one' }, query: { category: 'world' }, ids: ['w1'] },
      { name: 'full text on all', target: ALL, query: { q: 'harbour' }, ids: ['w2', 'w1'] },
      { name: 'channel query AND request q', target: { kind: 'channel', slug: 'harbour' }, query: { q: 'strike' }, ids: ['w1'] },
      { name: 'limit 1', target: ALL, query: { limit: 1 }, ids: ['w2'] },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const page = await json(feeds, c.target, c.query);
        assert.deepEqual(page.items.map((x) => key(x.id)), c.ids);
      });
    }

    it('default limit of all is 50', async () => {
      const src = await addSource(storage, 'bulk');
      await ingest(storage, src.id, Array.from({ length: 60 }, (_, i) => articleInput(`bulk-${i}`)));
      assert.equal((await json(feeds, ALL, {})).items.length, 50);
      assert.equal((await json(feeds, ALL, { limit: 500 })).items.length, 64);
    });

    const missing: { name: string; target: FeedTarget }[] = [
      { name: 'unknown channel', target: { kind: 'channel', slug: 'nope' } },
      { name: 'unknown source', target: { kind: 'source', slug: 'nope' } },
    ];
    for (const c of missing) {
      it(`${c.name} → NotFoundError`, async () => {
        await assert.rejects(feeds.getFeed(c.target, 'rss', {}), NotFoundError);
        await assert.rejects(feeds.getPage(c.target), NotFoundError);
      });
    }

    it('getPage and directory', async () => {
      const page = await feeds.getPage({ kind: 'channel', slug: 'news' }, { limit: 10 });
      assert.equal(page.title, 'News');
      assert.deepEqual(page.items.map((a) => a.identityKey), ['w2', 's1', 'w1']);
      const dir = await feeds.directory();
      assert.deepEqual(dir.channels.map((c) => c.slug).sort(), ['all', 'harbour', 'news', 'one-only']);
      assert.deepEqual(dir.sources.map((s) => s.slug).sort(), ['one', 'two']);
    });
  });

  describe('document and cache', () => {
    it('links, id and dates come from the data, never the clock or the Host', async () => {
      const src = await addSource(storage, 'wire');
      await ingest(storage, src.id, [
        articleInput('old', { publishedAt: '2025-01-01T00:00:00.000Z' }),
        articleInput('new', { publishedAt: '2025-02-01T00:00:00.000Z', updatedAt: '2025-02-03T00:00:00.000Z' }),
      ]);
      const f = await feeds.getFeed(ALL, 'json', { q: 'story', limit: 5 }, 'http://evil.example');
      const doc = JSON.parse(f.body.toString()) as JsonFeed & { _paging?: unknown };
      assert.equal(doc.feed_url, 'https://feeds.example.org/feeds/all.json?limit=5&q=story');
      assert.equal(doc.home_page_url, 'https://feeds.example.org/feeds/all');
      assert.equal(f.lastModified?.toISOString(), '2025-03-01T10:00:00.000Z', 'newest changedAt');
      const atom = (await feeds.getFeed(ALL, 'atom', {})).body.toString();
      assert.match(atom, /<updated>2025-02-03T00:00:00(\.000)?Z<\/updated>/);
      assert.match(atom, /<id>https:\/\/feeds\.example\.org\/feeds\/all<\/id>/);
    });

    it('without a base URL, links follow a safe request origin and the cache keeps origins apart', async () => {
      const local = createFeedService({ storage, serializers: counting.serializers, contentTypes: CONTENT_TYPES, cacheEntries: 10, version: '1' });
      const a = JSON.parse((await local.getFeed(ALL, 'json', {}, 'http://a.test:8080')).body.toString()) as JsonFeed;
      const b = JSON.parse((await local.getFeed(ALL, 'json', {}, 'http://b.test')).body.toString()) as JsonFeed;
      const bad = JSON.parse((await local.getFeed(ALL, 'json', {}, 'http://x"><script>')).body.toString()) as JsonFeed;
      assert.equal(a.feed_url, 'http://a.test:8080/feeds/all.json');
      assert.equal(b.feed_url, 'http://b.test/feeds/all.json');
      assert.equal(bad.feed_url, 'http://localhost/feeds/all.json');
    });

    it('renders once per data version, compresses, and hashes the body into a strong ETag', async () => {
      const src = await addSource(storage, 'wire');
      await ingest(storage, src.id, [articleInput('a')]);
      assert.equal(await feeds.peekFeed(ALL, 'rss', {}), undefined, 'cold cache');
      const first = await feeds.getFeed(ALL, 'rss', {});
      const again = await feeds.getFeed(ALL, 'rss', {});
      assert.equal(again, first);
      assert.equal(await feeds.peekFeed(ALL, 'rss', {}), first);
      assert.equal(counting.calls.rss, 1, 'a hit never renders');
      assert.equal(first.etag, `"${createHash('sha256').update(first.body).digest('base64url')}"`);
      assert.deepEqual(zlib.gunzipSync(first.gzip), first.body);
      assert.deepEqual(zlib.brotliDecompressSync(first.br), first.body);
      assert.ok(first.br.length < first.body.length && first.gzip.length < first.body.length);
      assert.equal(first.contentType, 'application/rss+xml; charset=utf-8');

      await ingest(storage, src.id, [articleInput('b')]);
      assert.equal(await feeds.peekFeed(ALL, 'rss', {}), undefined, 'a write moves the data version');
      const fresh = await feeds.getFeed(ALL, 'rss', {});
      assert.equal(counting.calls.rss, 2);
      assert.notEqual(fresh.etag, first.etag);
    });

    it('while a new version renders, requests get the previous render instead of waiting', async () => {
      const src = await addSource(storage, 'wire');
      await ingest(storage, src.id, [articleInput('a')]);
      const v1 = await feeds.getFeed(ALL, 'rss', {});
      await ingest(storage, src.id, [articleInput('b')]);
      const rendering = feeds.getFeed(ALL, 'rss', {});
      assert.equal(await feeds.peekFeed(ALL, 'rss', {}), v1, 'stale while the render runs');
      assert.equal(await feeds.getFeed(ALL, 'rss', {}), v1);
      const v2 = await rendering;
      assert.notEqual(v2.etag, v1.etag);
      assert.equal(await feeds.peekFeed(ALL, 'rss', {}), v2, 'fresh once it is done');
      assert.equal(counting.calls.rss, 2);
    });

    it('with a render interval, a feed re-renders at most once per interval while data changes', async () => {
      let t = Date.parse('2026-01-01T00:00:00Z');
      const paced = createFeedService({ storage, serializers: counting.serializers, contentTypes: CONTENT_TYPES, baseUrl: 'https://x.test', cacheEntries: 10, version: '1', renderIntervalMs: 1000, now: () => new Date(t) });
      const src = await addSource(storage, 'wire');
      await ingest(storage, src.id, [articleInput('a')]);
      const first = await paced.getFeed(ALL, 'json', {});
      await ingest(storage, src.id, [articleInput('b')]);
      t += 500;
      assert.equal(await paced.getFeed(ALL, 'json', {}), first, 'within the interval: served as rendered');
      assert.equal(await paced.peekFeed(ALL, 'json', {}), first);
      assert.equal(counting.calls.json, 1);
      t += 600;
      const second = await paced.getFeed(ALL, 'json', {});
      assert.notEqual(second.etag, first.etag, 'after the interval: fresh');
      assert.equal(counting.calls.json, 2);
    });

    it('concurrent misses render once; the size bound evicts the least recently used', async () => {
      const small = createFeedService({ storage, serializers: counting.serializers, contentTypes: CONTENT_TYPES, baseUrl: 'https://x.test', cacheEntries: 2, version: '1' });
      await Promise.all([small.getFeed(ALL, 'atom', {}), small.getFeed(ALL, 'atom', {}), small.getFeed(ALL, 'atom', {})]);
      assert.equal(counting.calls.atom, 1);
      await small.getFeed(ALL, 'atom', { limit: 1 });
      await small.peekFeed(ALL, 'atom', {}); // touch: now the most recent
      await small.getFeed(ALL, 'atom', { limit: 2 });
      assert.ok(await small.peekFeed(ALL, 'atom', {}), 'recently used stays');
      assert.equal(await small.peekFeed(ALL, 'atom', { limit: 1 }), undefined, 'least recently used went');
    });
  });
});

describe('feed query', () => {
  const ok: { name: string; raw: Record<string, unknown>; want: FeedQuery; canonical: string }[] = [
    { name: 'empty', raw: {}, want: {}, canonical: '' },
    { name: 'all four', raw: { after: '7', q: ' tide  ', category: 'World News', limit: '500' }, want: { limit: 500, category: 'World News', q: 'tide', after: 7 }, canonical: '?limit=500&category=World%20News&q=tide&after=7' },
    { name: 'after=0', raw: { after: '0' }, want: { after: 0 }, canonical: '?after=0' },
    { name: 'limit=1', raw: { limit: '1' }, want: { limit: 1 }, canonical: '?limit=1' },
  ];
  for (const c of ok) {
    it(`accepts ${c.name}`, () => {
      const q = parseFeedQuery(c.raw);
      assert.deepEqual(q, c.want);
      assert.equal(canonicalQuery(q), c.canonical);
    });
  }

  const bad: { name: string; search: string }[] = [
    { name: 'limit 0', search: 'limit=0' },
    { name: 'limit 501', search: 'limit=501' },
    { name: 'limit not a number', search: 'limit=ten' },
    { name: 'limit exponent', search: 'limit=1e2' },
    { name: 'limit negative', search: 'limit=-1' },
    { name: 'after negative', search: 'after=-5' },
    { name: 'after fraction', search: 'after=1.5' },
    { name: 'after empty', search: 'after=' },
    { name: 'repeated limit', search: 'limit=1&limit=2' },
    { name: 'unknown parameter', search: 'limt=5' },
    { name: 'empty q', search: 'q=%20' },
    { name: 'overlong category', search: `category=${'x'.repeat(201)}` },
  ];
  for (const c of bad) {
    it(`refuses ${c.name} with a 400 ValidationError`, () => {
      assert.throws(
        () => parseFeedQuery(queryStringToRecord(c.search)),
        (err: unknown) => err instanceof ValidationError && err.status === 400 && err.code === 'invalid_query',
      );
    });
  }

  const hosts: { name: string; host: string | undefined; want: string }[] = [
    { name: 'plain host', host: 'Feeds.Example.org', want: 'http://feeds.example.org' },
    { name: 'host and port', host: '127.0.0.1:8080', want: 'http://127.0.0.1:8080' },
    { name: 'missing', host: undefined, want: 'http://localhost' },
    { name: 'markup', host: 'a"><b', want: 'http://localhost' },
    { name: 'userinfo', host: 'user@evil.test', want: 'http://localhost' },
    { name: 'path', host: 'evil.test/x', want: 'http://localhost' },
  ];
  for (const c of hosts) {
    it(`origin from Host: ${c.name}`, () => assert.equal(originFromHost(c.host), c.want));
  }
});
