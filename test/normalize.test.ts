import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { NormalizedFeed } from '../src/model/types.js';
import { processFeedInline } from '../src/ingest/process.js';
import type { ProcessOptions } from '../src/ingest/types.js';

const FIX = new URL('./fixtures/ingest/', import.meta.url);
const DOC_URL = 'https://doc.example.net/feeds/main.xml';
const NOW = '2026-06-01T00:00:00.000Z';

const run = (input: string | Buffer, opts: Partial<ProcessOptions> = {}): Promise<NormalizedFeed> => {
  const bytes = typeof input === 'string' ? readFileSync(new URL(input, FIX)) : input;
  return processFeedInline(bytes, { documentUrl: DOC_URL, now: NOW, ...opts });
};
const lintOf = (f: NormalizedFeed): Record<string, number | undefined> => Object.fromEntries(f.lint.map((l) => [l.code, l.count]));

describe('normalizeFeed', () => {
  describe('Atom 1.0 with an xml:base chain', () => {
    it('resolves entry base → feed base, before the document URL', async () => {
      const feed = await run('atom-xmlbase.xml');
      const [first, second] = feed.items;
      assert.equal(first!.url, 'https://base.example.org/blog/posts/2026/first.html');
      assert.equal(second!.url, 'https://base.example.org/blog/second.html');
      assert.match(first!.contentHtml!, /<a href="https:\/\/base\.example\.org\/blog\/posts\/2026\/more\.html"/);
      assert.match(first!.contentHtml!, /<img src="https:\/\/base\.example\.org\/blog\/posts\/2026\/pic\.jpg"/);
      assert.equal(first!.assets[0]!.url, 'https://base.example.org/blog/posts/2026/first.mp3');
      assert.equal(feed.meta.siteUrl, 'https://base.example.org/blog/');
      assert.equal(lintOf(feed).relative_links, undefined);
    });
    it('keeps every author (name, email, uri) and category (scheme, label)', async () => {
      const [first, second] = (await run('atom-xmlbase.xml')).items;
      assert.deepEqual(first!.authors, [{ name: 'Ada Writer', email: 'ada@example.org', url: 'https://base.example.org/people/ada' }, { name: 'Ben Editor' }]);
      assert.deepEqual(first!.categories, [{ term: 'science', scheme: 'https://base.example.org/tags/', label: 'Science' }, { term: 'space' }]);
      assert.deepEqual(second!.authors, [{ name: 'Feed Author' }], 'an entry without authors inherits the feed author');
    });
    it('reads inline XHTML in order and titles as text', async () => {
      const feed = await run('atom-xmlbase.xml');
      assert.match(feed.items[0]!.contentHtml!, /^<p>Read <a [^>]+>more<\/a> and <b>bold<\/b> text\.<\/p>/);
      assert.equal(feed.meta.title, 'Base Chain');
      assert.equal(feed.items[1]!.summary, 'Only a summary.');
      assert.equal(feed.items[0]!.language, 'en');
    });
  });

  describe('Atom entry links', () => {
    const entry = (links: string) =>
      Buffer.from(`<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:x:feed</id><updated>2026-01-01T00:00:00Z</updated>
        <entry><id>urn:uuid:1</id><title>e</title><updated>2026-01-01T00:00:00Z</updated>${links}</entry></feed>`);
    const cases: { name: string; links: string; want: string | undefined }[] = [
      { name: 'href of the alternate link', links: '<link rel="alternate" type="text/html" href="https://example.org/a"/>', want: 'https://example.org/a' },
      { name: 'rel defaults to alternate', links: '<link href="https://example.org/a"/>', want: 'https://example.org/a' },
      { name: 'the HTML alternate over another type', links: '<link href="https://example.org/a.pdf" type="application/pdf"/><link href="https://example.org/a" type="text/html"/>', want: 'https://example.org/a' },
      { name: 'an enclosure is not the link', links: '<link rel="enclosure" href="https://example.org/a.mp3"/>', want: undefined },
      { name: 'URL written as the text of the link (no href), as feedparser reads it', links: '<link rel="alternate" type="text/html">https://example.org/t</link>', want: 'https://example.org/t' },
      { name: 'text-only alternate wins over a text-only enclosure before it', links: '<link rel="enclosure">https://example.org/e</link><link rel="alternate">https://example.org/t</link>', want: 'https://example.org/t' },
      { name: 'the id is an identifier, never the link (RFC 4287 §4.2.6)', links: '', want: undefined },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const feed = await run(entry(c.links));
        assert.equal(feed.items[0]!.url, c.want);
      });
    }
  });

  describe('RSS 2.0 with Media RSS and relative links', () => {
    it('resolves relative links against the document URL and says so', async () => {
      const feed = await run('rss-media.xml');
      assert.equal(feed.items[0]!.url, 'https://doc.example.net/media/gallery');
      assert.match(feed.items[0]!.contentHtml!, /src="https:\/\/doc\.example\.net\/img\/inline\.jpg"/);
      assert.equal(feed.meta.siteUrl, 'https://doc.example.net/media/');
      assert.equal(lintOf(feed).relative_links, 2, "both items needed the document URL");
      assert.equal(feed.meta.ttlMinutes, 30);
    });
    it('merges an enclosure and a media:content of the same URL and inherits media:group metadata', async () => {
      const [gallery] = (await run('rss-media.xml')).items;
      assert.deepEqual(gallery!.assets, [
        {
          url: 'https://doc.example.net/img/one.jpg',
          mimeType: 'image/jpeg',
          medium: 'image',
          size: 1111,
          width: 1200,
          height: 800,
          title: 'Group title',
          caption: 'Group caption',
          credit: 'Group Credit',
          creditRole: 'photographer',
          rights: 'Group Copyright',
          thumbnailUrl: 'https://doc.example.net/img/thumb.jpg',
        },
        {
          url: 'https://doc.example.net/img/two.jpg',
          mimeType: 'image/jpeg',
          medium: 'image',
          width: 800,
          height: 600,
          title: 'Own title',
          caption: 'Group caption',
          credit: 'Own Credit',
          rights: 'Group Copyright',
          thumbnailUrl: 'https://doc.example.net/img/thumb.jpg',
        },
      ]);
    });
    it('puts the image first, maps media:license to rights and fills source defaults', async () => {
      const video = (await run('rss-media.xml', { defaultCredit: 'Demo Desk', defaultRights: 'All rights reserved' })).items[1]!;
      assert.deepEqual(
        video.assets.map((a) => [a.url, a.medium, a.credit, a.rights]),
        [
          ['https://cdn.media.example.org/poster.jpg', 'image', 'Demo Desk', 'All rights reserved'],
          ['https://cdn.media.example.org/v.mp4', 'video', 'Demo Desk', 'CC BY 4.0'],
        ],
      );
      assert.equal(video.assets[1]!.size, 99999);
    });
    it('reads every author and category with its domain', async () => {
      const [gallery] = (await run('rss-media.xml')).items;
      assert.deepEqual(gallery!.authors, [{ name: 'News Desk', email: 'desk@media.example.org' }, { name: 'Cora Lens' }, { name: 'Dev Frame' }]);
      assert.deepEqual(gallery!.categories, [{ term: 'Photos', scheme: 'https://media.example.org/sections' }, { term: 'Harbour' }]);
      assert.equal(gallery!.publishedAt, '2026-01-05T09:00:00.000Z');
    });
  });

  describe('older formats', () => {
    it('RSS 0.91: HTML titles become text, undated items get no date', async () => {
      const feed = await run('rss091.xml');
      assert.equal(feed.meta.title, 'Demo Gazette & Times');
      assert.equal(feed.meta.format, 'rss09x');
      assert.equal(feed.items[0]!.title, 'Harbour reopens after storm');
      assert.equal(feed.items[0]!.summary, 'The harbour reopened on Monday.');
      assert.equal(feed.items[0]!.contentHtml, 'The <em>harbour</em> reopened on Monday.');
      assert.equal(feed.items[0]!.publishedAt, undefined);
      assert.equal(feed.items[0]!.identityKind, 'link');
      const lint = lintOf(feed);
      assert.equal(lint.html_in_title, 1);
      assert.equal(lint.missing_dates, 2);
      assert.equal(lint.missing_guids, 2);
    });
    it('RSS 0.92 without version: enclosure and entity-escaped text', async () => {
      const [item] = (await run('rss092-noversion.xml')).items;
      assert.equal(item!.summary, 'Body text');
      assert.deepEqual(item!.assets, [{ url: 'https://versionless.example.org/a.mp3', mimeType: 'audio/mpeg', medium: 'audio', size: 1234 }]);
      assert.equal(item!.identityKind, 'hash');
    });
    it('RSS 1.0: dc:date, all dc:creators, dc:subject, dc:language, dc:rights', async () => {
      const feed = await run('rss1.rdf');
      const item = feed.items[0]!;
      assert.equal(item.publishedAt, '2026-01-05T08:30:00.000Z');
      assert.deepEqual(item.authors, [{ name: 'Anna Beispiel' }, { name: 'Bernd Muster' }]);
      assert.deepEqual(item.categories, [{ term: 'Kultur' }]);
      assert.equal(item.language, 'de');
      assert.equal(item.rights, 'CC BY 4.0');
      assert.equal(item.summary, 'Kurzfassung.');
      assert.equal(item.contentHtml, '<p>Volltext mit <a href="https://doc.example.net/mehr" rel="noopener noreferrer">Link</a>.</p>');
      assert.equal(feed.meta.format, 'rss1');
    });
    it('Atom 0.3: issued/modified, escaped and base64 content, feed author', async () => {
      const feed = await run('atom03.xml');
      const [escaped, b64] = feed.items;
      assert.equal(escaped!.publishedAt, '2026-02-01T08:00:00.000Z');
      assert.equal(escaped!.updatedAt, '2026-02-01T11:00:00.000Z');
      assert.equal(escaped!.contentHtml, '<p>Bonjour <strong>monde</strong></p>');
      assert.equal(escaped!.summary, 'Bonjour monde');
      assert.equal(b64!.contentHtml, '<p>Encoded <em>body</em></p>');
      assert.deepEqual(escaped!.authors, [{ name: 'Claire Exemple', url: 'https://atom03.example.org/claire' }]);
      assert.equal(escaped!.language, 'fr');
      assert.equal(feed.meta.description, 'An old Atom feed');
    });
  });

  describe('dates', () => {
    it('an unparsable Atom date falls back to updated and is linted once', async () => {
      const feed = await run('atom-bad-date.xml');
      assert.deepEqual(feed.items.map((i) => i.publishedAt), ['2026-03-01T08:00:00.000Z', '2026-03-01T08:00:00.000Z', '2026-03-01T06:00:00.000Z']);
      assert.equal(lintOf(feed).bad_date, 1);
    });
    it('a far-future date is clamped to now', async () => {
      const rss = '<rss version="2.0"><channel><title>t</title><item><title>a</title><guid>a</guid><pubDate>Fri, 01 Jan 2100 00:00:00 GMT</pubDate></item></channel></rss>';
      const feed = await run(Buffer.from(rss));
      assert.equal(feed.items[0]!.publishedAt, NOW);
      assert.equal(lintOf(feed).future_date, 1);
    });
  });

  describe('JSON Feed 1.0', () => {
    it('content_text becomes escaped paragraphs; feed author is inherited', async () => {
      const feed = await run('json10.json');
      const [first, second] = feed.items;
      assert.equal(first!.identityKey, '42');
      assert.equal(first!.contentHtml, '<p>First paragraph.</p>\n<p>Second &lt;paragraph&gt; &amp; more.</p>');
      assert.equal(first!.publishedAt, '2026-01-10T17:00:00.000Z');
      assert.deepEqual(first!.categories, [{ term: 'one' }, { term: 'two' }]);
      assert.deepEqual(second!.authors, [{ name: 'Feed Level Author' }]);
      assert.equal(second!.publishedAt, undefined);
      assert.equal(lintOf(feed).missing_dates, 1);
    });
  });

  describe('identity and hashing', () => {
    const rss = (items: string) => Buffer.from(`<rss version="2.0"><channel><title>t</title>${items}</channel></rss>`);
    it('duplicate guids inside one document stay separate articles', async () => {
      const feed = await run(rss('<item><guid>dup</guid><link>https://x.example/1</link><title>one</title></item><item><guid>dup</guid><link>https://x.example/2</link><title>two</title></item>'));
      assert.deepEqual(feed.items.map((i) => i.identityKey), ['dup', 'dup#https://x.example/2']);
      assert.equal(lintOf(feed).duplicate_guids, 1);
    });
    it('the same document gives the same hash, even for undated items fetched at another time', async () => {
      const doc = rss('<item><title>undated</title><description>same</description></item>');
      const a = await run(doc, { now: '2026-01-01T00:00:00.000Z' });
      const b = await run(doc, { now: '2026-02-01T00:00:00.000Z' });
      assert.equal(a.items[0]!.contentHash, b.items[0]!.contentHash);
      assert.equal(a.items[0]!.identityKey, b.items[0]!.identityKey);
    });
    it('a changed body changes the content hash but not a guid identity', async () => {
      const a = await run(rss('<item><guid>g</guid><title>t</title><description>v1</description></item>'));
      const b = await run(rss('<item><guid>g</guid><title>t</title><description>v2</description></item>'));
      assert.equal(a.items[0]!.identityKey, b.items[0]!.identityKey);
      assert.notEqual(a.items[0]!.contentHash, b.items[0]!.contentHash);
    });
  });

  it('an empty feed is linted no_items', async () => {
    const feed = await run(Buffer.from('<rss version="2.0"><channel><title>Empty</title></channel></rss>'));
    assert.deepEqual(feed.items, []);
    assert.equal(lintOf(feed).no_items, 1);
  });

  it('a long description that is the body gives a truncated summary', async () => {
    const body = 'Sentence number one is here. '.repeat(40);
    const feed = await run(Buffer.from(`<rss version="2.0"><channel><title>t</title><item><guid>g</guid><title>t</title><description>${body}</description></item></channel></rss>`));
    const summary = feed.items[0]!.summary!;
    assert.ok(summary.length <= 400 && summary.length > 200, `summary length ${summary.length}`);
    assert.ok(summary.endsWith('.'));
  });
});
