import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ParseError } from '../src/errors.js';
import type { ParsedDocument } from '../src/ingest/formats/document.js';
import { parseFeedDocument } from '../src/ingest/parse.js';

const FIX = new URL('./fixtures/ingest/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIX), 'utf8');

const itemCount = (d: ParsedDocument): number => d.feed.items.length;

const FORMATS: { name: string; file: string; kind: 'xml' | 'json'; format: string; items: number }[] = [
  { name: 'RSS 0.91 with a DOCTYPE', file: 'rss091.xml', kind: 'xml', format: 'rss09x', items: 2 },
  { name: 'RSS without a version attribute (0.92 in practice)', file: 'rss092-noversion.xml', kind: 'xml', format: 'rss09x', items: 1 },
  { name: 'RSS 1.0 (RDF)', file: 'rss1.rdf', kind: 'xml', format: 'rss1', items: 1 },
  { name: 'RSS 2.0 with Media RSS', file: 'rss-media.xml', kind: 'xml', format: 'rss2', items: 2 },
  { name: 'Atom 0.3', file: 'atom03.xml', kind: 'xml', format: 'atom03', items: 2 },
  { name: 'Atom 1.0 with xml:base', file: 'atom-xmlbase.xml', kind: 'xml', format: 'atom10', items: 2 },
  { name: 'JSON Feed 1.0', file: 'json10.json', kind: 'json', format: 'json10', items: 2 },
];

describe('parseFeedDocument', () => {
  describe('formats', () => {
    for (const c of FORMATS) {
      it(c.name, async () => {
        const doc = await parseFeedDocument(fixture(c.file));
        assert.equal(doc.kind, c.kind);
        assert.equal(doc.format, c.format);
        assert.equal(itemCount(doc), c.items);
      });
    }
  });

  it('keeps every Atom author and category with scheme and label', async () => {
    const doc = await parseFeedDocument(fixture('atom-xmlbase.xml'));
    assert.equal(doc.kind, 'xml');
    const entry = doc.feed.items[0]!;
    assert.equal(entry.authorsRaw?.length, 2);
    assert.deepEqual(JSON.parse(JSON.stringify(entry.categoriesRaw)), [{ $: { term: 'science', scheme: 'https://base.example.org/tags/', label: 'Science' } }, { $: { term: 'space' } }]);
    assert.equal(entry.attrs?.['xml:base'], 'posts/2026/');
    assert.equal(doc.rootBase, 'https://base.example.org/blog/');
  });

  it('turns inline XHTML content into HTML text in document order', async () => {
    const doc = await parseFeedDocument(fixture('atom-xmlbase.xml'));
    assert.equal(doc.kind, 'xml');
    const content = doc.feed.items[0]!.contentRaw?.[0];
    assert.equal(typeof content === 'object' && content._, '<p>Read <a href="more.html">more</a> and <b>bold</b> text.</p><img src="pic.jpg" alt="pic"/>');
  });

  it('keeps every dc:creator and Media RSS group', async () => {
    const doc = await parseFeedDocument(fixture('rss-media.xml'));
    assert.equal(doc.kind, 'xml');
    assert.deepEqual(doc.feed.items[0]!.dcCreatorRaw, ['Cora Lens', 'Dev Frame']);
    assert.equal(doc.feed.items[0]!.mediaGroupRaw?.length, 1);
    assert.equal(doc.feed.items[1]!.mediaContentRaw?.length, 2);
  });

  it('a bad Atom date costs the field, not the feed', async () => {
    const doc = await parseFeedDocument(fixture('atom-bad-date.xml'));
    assert.equal(doc.kind, 'xml');
    assert.equal(doc.feed.items.length, 3);
    assert.deepEqual(doc.lint.map((l) => [l.code, l.count]), [['bad_date', 1]]);
    assert.deepEqual(doc.feed.items[0]!.publishedRaw, ['']);
    // Readable to us but not to `new Date`: repaired rather than dropped.
    assert.deepEqual(doc.feed.items[1]!.publishedRaw, ['2026-03-01T08:00:00.000Z']);
  });

  describe('well-formed documents with nothing in them are empty feeds, not malformed XML', () => {
    const EMPTY: [string, string, string][] = [
      ['RSS 1.0 root without a channel', '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"></rdf:RDF>', 'rss1'],
      ['RSS 2.0 root without a channel', '<rss version="2.0"></rss>', 'rss2'],
    ];
    for (const [name, text, format] of EMPTY) {
      it(name, async () => {
        const doc = await parseFeedDocument(text);
        assert.equal(doc.format, format);
        assert.equal(itemCount(doc), 0);
      });
    }
  });

  it('malformed XML names the line and the cause', async () => {
    await assert.rejects(parseFeedDocument(fixture('malformed.xml')), (e: unknown) => {
      assert.ok(e instanceof ParseError);
      assert.equal(e.code, 'parse_failed');
      assert.match(e.message, /^parse: malformed XML at line 7\b.*: Unexpected close tag/);
      return true;
    });
  });

  const NOT_FEEDS: [string, string, RegExp][] = [
    ['an HTML page', fixture('html-page.html'), /^parse: not a feed \(got an HTML page\)$/],
    ['an HTML page without a doctype', '<html><body>hi</body></html>', /got an HTML page/],
    ['another XML vocabulary', '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', /root element <svg>/],
    ['plain text', 'hello world', /neither XML nor JSON/],
    ['JSON that is not a feed', '{"hello": "world"}', /items/],
    ['empty', '   ', /empty document/],
  ];
  for (const [name, text, re] of NOT_FEEDS) {
    it(`not_a_feed: ${name}`, async () => {
      await assert.rejects(parseFeedDocument(text), (e: unknown) => e instanceof ParseError && e.code === 'not_a_feed' && re.test(e.message));
    });
  }

  it('malformed JSON names the line', async () => {
    await assert.rejects(parseFeedDocument('{\n"version": "https://jsonfeed.org/version/1.1",\n"items": [,]\n}'), (e: unknown) => e instanceof ParseError && /^parse: malformed JSON at line 3/.test(e.message));
  });

  it('JSON Feed 1.1 reads authors, attachments and wirefeed extensions', async () => {
    const doc = await parseFeedDocument(
      JSON.stringify({
        version: 'https://jsonfeed.org/version/1.1',
        items: [{ id: 'a', authors: [{ name: 'X' }, { name: 'Y' }], attachments: [{ url: 'https://e.x/a.jpg', _media: { width: 10, credit: 'C' } }], _rights: { text: 'R' }, _source: { title: 'S', url: 'https://s.x/' } }],
      }),
    );
    assert.equal(doc.kind, 'json');
    assert.equal(doc.format, 'json11');
    const item = doc.feed.items[0]!;
    assert.deepEqual(item.authors, [{ name: 'X' }, { name: 'Y' }]);
    assert.deepEqual(item.attachments[0]?._media, { width: 10, credit: 'C' });
    assert.deepEqual(item._rights, { text: 'R' });
    assert.deepEqual(item._source, { title: 'S', url: 'https://s.x/' });
  });

  it('JSON Feed 1.0 `author` and numeric ids are read', async () => {
    const doc = await parseFeedDocument(fixture('json10.json'));
    assert.equal(doc.kind, 'json');
    assert.equal(doc.feed.items[0]!.id, '42');
    assert.deepEqual(doc.feed.items[0]!.authors, [{ name: 'Item Author', url: 'https://json10.example.org/item-author' }]);
    assert.deepEqual(doc.feed.authors, [{ name: 'Feed Level Author' }]);
  });
});
