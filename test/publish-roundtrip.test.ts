// Read-back tests: what goes in as an Article comes out of every format intact (DESIGN.md §5
// "nothing the model holds is dropped", §7 the wire story round trip).
import assert from 'node:assert/strict';
import { DomUtils, parseDocument } from 'htmlparser2';
import type { Article, FeedFormat } from '../src/model/types.js';
import { renderers } from '../src/publish/index.js';
import type { FeedDocument } from '../src/publish/types.js';
import { documentCases, everyFieldArticle, forFormat, WIRE_EXPECTED, wireArticle } from './fixtures/publish/documents.js';
import { type ReadItem, readers } from './fixtures/publish/read-back.js';

const FORMATS: FeedFormat[] = ['rss', 'atom', 'json'];

function single(article: Article): FeedDocument {
  const doc = documentCases()[0]?.doc as FeedDocument;
  return { ...doc, items: [article] };
}

function readOne(format: FeedFormat, article: Article): ReadItem {
  const feed = readers[format](renderers[format](forFormat(single(article), format)));
  assert.equal(feed.items.length, 1);
  return feed.items[0] as ReadItem;
}

/** Paragraph and caption texts of an HTML fragment, as a browser would show them. */
function htmlTexts(html: string): { paragraphs: string[]; captions: string[] } {
  const dom = parseDocument(html);
  const texts = (tag: string): string[] => DomUtils.getElementsByTagName(tag, dom).map((e) => DomUtils.textContent(e));
  return { paragraphs: texts('p'), captions: texts('figcaption') };
}

describe('publish: the wire story survives every format', () => {
  const e = WIRE_EXPECTED;
  for (const format of FORMATS) {
    it(`as ${format}`, () => {
      const item = readOne(format, wireArticle());
      assert.equal(item.id, e.guid);
      assert.equal(item.url, e.url);
      assert.equal(item.title, e.title);
      assert.equal(item.summary, e.summary_text);
      const body = htmlTexts(item.contentHtml ?? '');
      assert.deepEqual(body.paragraphs, e.body_paragraphs);
      assert.deepEqual(body.captions, [e.image.caption]);
      assert.equal(item.published, Date.parse(e.published));
      assert.deepEqual(
        item.authors.map((a) => a.name),
        e.authors,
      );
      assert.deepEqual(
        item.categories.map((c) => c.term),
        e.categories,
      );
      assert.equal(item.rights, e.image.rights);
      const photo = item.assets[0];
      assert.ok(photo !== undefined);
      assert.equal(photo.url, e.image.url);
      assert.equal(photo.mimeType, e.image.type);
      assert.equal(photo.title, e.image.title);
      assert.equal(photo.caption, e.image.caption);
      assert.equal(photo.credit, e.image.credit);
      assert.equal(photo.rights, e.image.rights);
      assert.deepEqual(item.enclosureUrls, [e.image.url]);
      if (format === 'json') assert.equal(item.image, e.image.url);
    });
  }

});

/** What each format can express; everything else the model holds must come back. */
const GAPS: Record<FeedFormat, string> = {
  // RSS 2.0 has no place for an author URL (dc:creator is a name), a category label, or the
  // source's site URL (`source` carries only the feed URL and title).
  rss: 'author url, category label, source site URL',
  atom: 'none',
  json: 'none',
};

function expectedItem(a: Article, format: FeedFormat): ReadItem {
  const rss = format === 'rss';
  const primary = a.assets.find((x) => x.size !== undefined);
  return {
    id: a.guid,
    title: a.title,
    url: a.url,
    published: Date.parse(a.publishedAt as string),
    updated: Date.parse(a.updatedAt as string),
    authors: a.authors.map((p) => (rss ? { name: p.name, ...(p.email ? { email: p.email } : {}) } : { ...p })),
    categories: a.categories.map((c) => (rss ? { term: c.term, scheme: c.scheme as string } : { ...c })),
    language: a.language,
    summary: a.summary,
    contentHtml: a.contentHtml,
    rights: a.rights,
    assets: a.assets,
    enclosureUrls: rss ? [primary?.url as string] : a.assets.map((x) => x.url),
    ...(format === 'json' ? { image: a.assets[0]?.url } : {}),
    source: rss
      ? { title: a.source.title, feedUrl: a.source.feedUrl }
      : { title: a.source.title, siteUrl: a.source.siteUrl, feedUrl: a.source.feedUrl },
  };
}

describe('publish: nothing the model holds is dropped', () => {
  const article = everyFieldArticle();
  it('the fixture really sets every field', () => {
    assert.equal(article.authors.length, 2);
    assert.equal(article.authors.filter((p) => p.email !== undefined).length, 1);
    assert.equal(article.categories.filter((c) => c.scheme !== undefined && c.label !== undefined).length, 3);
    assert.equal(article.assets.length, 2);
    for (const asset of article.assets) assert.equal(Object.values(asset).filter((v) => v === undefined).length, 0);
    assert.equal(Object.keys(article.assets[0] ?? {}).length, 12);
  });

  for (const format of FORMATS) {
    it(`as ${format} (gaps the format cannot express: ${GAPS[format]})`, () => {
      assert.deepEqual(readOne(format, article), expectedItem(article, format));
    });
  }

  it('cursor pages carry RFC 5005 links in every format', () => {
    const cursor = documentCases().find((c) => c.name === 'cursor-page')?.doc as FeedDocument;
    for (const format of FORMATS) {
      const d = forFormat(cursor, format);
      const feed = readers[format](renderers[format](d));
      assert.equal(feed.self, d.links.self, format);
      assert.equal(feed.next, d.links.next, format);
      assert.equal(feed.first, d.links.first, format);
      assert.equal(feed.prevArchive, d.links.prevArchive, format);
      assert.deepEqual(
        feed.items.map((i) => i.title),
        cursor.items.map((i) => i.title),
      );
    }
  });
});
