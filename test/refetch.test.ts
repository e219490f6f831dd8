// The re-fetch shortcut: the raw scan splits documents into items exactly, and a re-fetch that
// skips known items stores the same articles, counts and schedule as processing everything.
import assert from 'node:assert/strict';
import { createFetcher } from '../src/ingest/fetch.js';
import { createFeedProcessor, processFeedInline } from '../src/ingest/process.js';
import { scanRawItems } from '../src/ingest/raw-scan.js';
import { silentLogger } from '../src/log.js';
import type { ArticleInput, NormalizedFeed, RawItemRef } from '../src/model/types.js';
import { createRefreshService } from '../src/services/refresh.js';
import { describeBackends } from './support/backends.js';
import { startFixtureServer, type FixtureServer } from './support/fixture-server.js';

const NOW = '2026-01-10T12:00:00.000Z';
const URL_ = 'https://news.example.org/feed';

interface Item {
  n: number;
  v: number;
}
const rssItem = ({ n, v }: Item) =>
  `<item><title>Story ${n} v${v} &amp; more</title><link>/s/${n}</link><guid isPermaLink="false">g-${n}</guid>` +
  `<description><![CDATA[<p>Body ${n} v${v} <a href="rel/${n}">link</a> <item>not an item</item></p>]]></description>` +
  `<category>c${n % 3}</category><pubDate>Sat, 10 Jan 2026 ${String(n % 24).padStart(2, '0')}:00:00 GMT</pubDate></item>`;
const rss = (items: Item[], build = 'Sat, 10 Jan 2026 11:00:00 GMT', lang = 'en') =>
  `<?xml version="1.0"?>\n<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel xml:base="https://news.example.org/base/">` +
  `<title>News</title><link>https://news.example.org/</link><language>${lang}</language><lastBuildDate>${build}</lastBuildDate>` +
  `<!-- <item>commented out</item> -->\n${items.map(rssItem).join('\n')}\n</channel></rss>`;
const atom = (items: Item[]) =>
  `<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="de"><title>A</title><id>urn:a</id>` +
  `<updated>2026-01-10T11:00:00Z</updated><author><name>Desk</name></author>` +
  items
    .map(
      ({ n, v }) =>
        `<entry><id>urn:a:${n}</id><title type="html">E ${n} &lt;b&gt;v${v}&lt;/b&gt;</title><link href="https://a.example/${n}"/>` +
        `<updated>2026-01-0${1 + (n % 9)}T10:00:00Z</updated><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>X ${n} v${v}</p></div></content></entry>`,
    )
    .join('') +
  `</feed>`;
const rdf = (items: Item[]) =>
  `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/">` +
  `<channel rdf:about="https://r.example/"><title>R</title><link>https://r.example/</link><description>d</description>` +
  `<items><rdf:Seq>${items.map(({ n }) => `<rdf:li rdf:resource="https://r.example/${n}"/>`).join('')}</rdf:Seq></items></channel>` +
  items.map(({ n, v }) => `<item rdf:about="https://r.example/${n}"><title>R ${n} v${v}</title><link>https://r.example/${n}</link><description>r ${n} v${v}</description></item>`).join('\n') +
  `</rdf:RDF>`;
const json = (items: Item[]) =>
  JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: 'J',
    items: items.map(({ n, v }) => ({ id: `j-${n}`, url: `https://j.example/${n}`, title: `J ${n} v${v}`, content_html: `<p>J ${n} v${v}</p>`, date_published: '2026-01-09T10:00:00Z' })),
  });

const items = (count: number, changed: (n: number) => boolean = () => false): Item[] =>
  Array.from({ length: count }, (_, i) => ({ n: count - i, v: changed(count - i) ? 2 : 1 }));

const opts = { documentUrl: URL_, now: NOW };
/** What a source's articles would offer after storing `feed` (items keyed by their own guid or link). */
const knownFrom = (feed: NormalizedFeed): RawItemRef[] =>
  feed.items
    .filter((a) => a.rawHash && ((a.identityKind === 'guid' && a.identityKey === a.guid) || (a.identityKind === 'link' && !a.guid && a.identityKey === a.url)))
    .map((a) => ({ rawHash: a.rawHash!, identityKey: a.identityKey, ...(a.publishedAt ? { publishedAt: a.publishedAt } : {}) }));
const strip = ({ rawHash: _, ...a }: ArticleInput) => a;

describe('re-fetch shortcut', () => {
  describe('raw scan', () => {
    it('splits RSS items, ignoring item tags inside CDATA and comments', () => {
      const text = rss(items(5));
      const scan = scanRawItems(text, opts)!;
      assert.equal(scan.items.length, 5);
      for (const it of scan.items) assert.match(text.slice(it.start, it.end), /^<item>[\s\S]*<\/item>$/);
      assert.equal(scan.reduce(() => true), text.replace(/^\s+/, ''));
      assert.doesNotMatch(scan.reduce(() => false), /<guid/);
    });

    it('splits Atom entries and JSON Feed items', () => {
      assert.equal(scanRawItems(atom(items(4)), opts)!.items.length, 4);
      assert.equal(scanRawItems(json(items(3)), opts)!.items.length, 3);
    });

    it('hashes an item with its context: same item, other head or document URL, other hash', () => {
      const a = scanRawItems(rss(items(3)), opts)!.items[0]!.hash;
      assert.equal(scanRawItems(rss(items(3), 'Sun, 11 Jan 2026 00:00:00 GMT'), opts)!.items[0]!.hash, a, 'lastBuildDate is not context');
      assert.notEqual(scanRawItems(rss(items(3), undefined, 'fr'), opts)!.items[0]!.hash, a, 'channel language is');
      assert.notEqual(scanRawItems(rss(items(3)), { ...opts, documentUrl: 'https://other.example/feed' })!.items[0]!.hash, a);
      assert.notEqual(scanRawItems(rss(items(3)), { ...opts, defaultRights: 'AP' })!.items[0]!.hash, a);
    });

    it('gives up on documents it cannot split exactly', () => {
      const same = rssItem({ n: 1, v: 1 });
      assert.equal(scanRawItems(`<rss><channel>${same}${same}</channel></rss>`, opts), undefined, 'identical items');
      assert.equal(scanRawItems('<rss><channel><item><title>x</title></channel></rss>', opts), undefined, 'unclosed item');
      assert.equal(scanRawItems('<rss><channel><item/><entry/></channel></rss>', opts), undefined, 'both kinds');
      assert.equal(scanRawItems('{"items": 3}', opts), undefined);
    });
  });

  describe('processing a re-fetch', () => {
    for (const [name, doc] of [
      ['RSS 2.0', rss],
      ['Atom', atom],
      ['RSS 1.0 (items identified by link)', rdf],
      ['JSON Feed', json],
    ] as const) {
      it(`${name}: skipped + processed items are exactly the full path's items`, async () => {
        const first = await processFeedInline(Buffer.from(doc(items(20))), { ...opts, known: { items: [], lint: [] } });
        assert.equal(first.items.length, 20);
        assert.ok(first.items.every((a) => a.rawHash), 'every item carries its raw hash');
        const known = { items: knownFrom(first), lint: first.lint };
        const second = Buffer.from(doc([{ n: 21, v: 1 }, ...items(20, (n) => n % 10 === 3)]));
        const full = await processFeedInline(second, opts);
        const quick = await processFeedInline(second, { ...opts, known });
        assert.deepEqual(quick.meta, full.meta);
        assert.equal(quick.items.length, 3, 'the new item and the two changed ones');
        assert.equal(quick.unchanged?.length, 18);
        const byKey = new Map(full.items.map((a) => [a.identityKey, a]));
        for (const a of quick.items) assert.deepEqual(strip(a), byKey.get(a.identityKey));
        for (const u of quick.unchanged!) {
          const f = byKey.get(u.identityKey)!;
          assert.equal(first.items.find((a) => a.identityKey === u.identityKey)?.contentHash, f.contentHash, 'skipped item is unchanged');
          assert.equal(u.publishedAt, f.publishedAt);
        }
        assert.equal(quick.items.length + quick.unchanged!.length, full.items.length);
      });
    }

    it('runs the full document when a changed item takes the guid of a skipped one', async () => {
      const first = await processFeedInline(Buffer.from(rss(items(3))), { ...opts, known: { items: [], lint: [] } });
      // A new item first in the document with guid g-2: in the full document it keeps g-2 and the old g-2 is told apart.
      const twin = rssItem({ n: 2, v: 9 });
      const text = rss(items(3)).replace('<item>', `${twin}\n<item>`);
      const full = await processFeedInline(Buffer.from(text), opts);
      const quick = await processFeedInline(Buffer.from(text), { ...opts, known: { items: knownFrom(first), lint: [] } });
      assert.equal(quick.unchanged, undefined);
      assert.deepEqual(quick.items.map(strip), full.items);
    });
  });

  describeBackends('refresh with storage', function (backend) {
    this.timeout(20_000);
    let fixture: FixtureServer;
    let fetcher: ReturnType<typeof createFetcher>;
    let processor: ReturnType<typeof createFeedProcessor>;
    before(async () => {
      fixture = await startFixtureServer();
      fetcher = createFetcher({ timeoutMs: 2000, maxBytes: 1 << 20, userAgent: 'wirefeed-test', allowPrivateNetworks: true, privateNetworkAllowlist: [] });
      processor = createFeedProcessor({ workerThresholdBytes: 1 << 20 });
    });
    after(async () => {
      await fixture.close();
      await fetcher.close();
      await processor.close();
    });

    /** Two refreshes of one source (second body changed) on a storage with or without knownItems. */
    async function twoFetches(shortcut: boolean, route: string) {
      const storage = await backend.open();
      const ingest = shortcut ? storage.ingest : { recordFetch: storage.ingest.recordFetch };
      let clock = new Date(NOW);
      let skipped = 0;
      const refresh = createRefreshService({
        storage: { ...storage, ingest },
        fetchFeed: fetcher.fetchFeed,
        processFeed: async (bytes, o) => {
          const feed = await processor.process(bytes, o);
          skipped += feed.unchanged?.length ?? 0;
          return feed;
        },
        log: silentLogger(),
        now: () => clock,
        random: () => 0.5,
        fetchConcurrency: 2,
        perHostConcurrency: 2,
        instanceId: 'refetch-test',
      });
      const source = await storage.sources.create({ url: `${fixture.origin}${route}`, slug: 's', nextFetchAt: NOW, now: NOW });
      fixture.routes.set(route, { headers: { 'content-type': 'application/rss+xml' }, body: rss(items(10)) });
      await refresh.refreshSource((await storage.sources.get(source.id))!);
      clock = new Date(Date.parse(NOW) + 3_600_000);
      fixture.routes.set(route, { headers: { 'content-type': 'application/rss+xml' }, body: rss([{ n: 11, v: 1 }, ...items(9, (n) => n === 4)], 'Sat, 10 Jan 2026 12:30:00 GMT') });
      const outcome = await refresh.refreshSource((await storage.sources.get(source.id))!);
      const articles = await storage.articles.query({ limit: 100 });
      return { log: outcome.log, articles, skipped, source: await storage.sources.get(source.id) };
    }

    it('stores the same articles, counts and schedule as processing every item', async () => {
      const full = await twoFetches(false, '/feed');
      const quick = await twoFetches(true, '/feed');
      assert.deepEqual(
        [quick.log.itemsNew, quick.log.itemsUpdated, quick.log.itemsUnchanged],
        [full.log.itemsNew, full.log.itemsUpdated, full.log.itemsUnchanged],
      );
      assert.deepEqual([full.log.itemsNew, full.log.itemsUpdated, full.log.itemsUnchanged], [1, 1, 8]);
      assert.deepEqual([full.skipped, quick.skipped], [0, 8], 'the shortcut skipped the unchanged items');
      assert.deepEqual(quick.articles, full.articles);
      assert.equal(quick.source?.nextFetchAt, full.source?.nextFetchAt);
      assert.deepEqual(quick.source?.lint, full.source?.lint);
    });
  });
});
