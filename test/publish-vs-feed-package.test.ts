// Why we write our own serializers (DESIGN.md §5): one test per defect of the `feed` package
// (5.x), each rendering the same input with `feed` and with ours. Where `feed` turned out not
// to have the defect DESIGN.md claims, the test shows what it actually does.
import assert from 'node:assert/strict';
import { Feed } from 'feed';
import type { Article } from '../src/model/types.js';
import { isStableIri } from '../src/publish/ids.js';
import { renderAtom, renderJsonFeed, renderRss } from '../src/publish/index.js';
import type { FeedDocument } from '../src/publish/types.js';
import { documentCases, everyFieldArticle, nonUrlGuidArticle } from './fixtures/publish/documents.js';
import { toFeedPackage } from './fixtures/publish/feed-package.js';
import { readAtom, readRss } from './fixtures/publish/read-back.js';
import { kid, kids, parseXml } from './fixtures/publish/xml-tree.js';
import { skipIfMissing, validateJsonFeed11, xmllintOk } from './support/validators.js';

function docWith(items: Article[]): FeedDocument {
  const base = documentCases()[0]?.doc as FeedDocument;
  return { ...base, items };
}

function rssItem(xml: string) {
  const item = kid(kid(parseXml(xml), 'channel') as never, 'item');
  assert.ok(item !== undefined);
  return item;
}

describe('publish: our serializers vs the `feed` package', () => {
  const full = docWith([everyFieldArticle()]);

  it('feed writes JSON Feed 1.0; ours writes valid JSON Feed 1.1', function () {
    const theirs = JSON.parse(toFeedPackage(full).json1()) as { version: string; items: { author?: unknown }[] };
    assert.equal(theirs.version, 'https://jsonfeed.org/version/1');
    assert.ok(theirs.items[0]?.author !== undefined, 'feed uses the 1.0 single `author`');
    const ours = JSON.parse(renderJsonFeed(full)) as { version: string };
    assert.equal(ours.version, 'https://jsonfeed.org/version/1.1');
    const theirCheck = validateJsonFeed11(theirs);
    skipIfMissing(this, theirCheck);
    assert.equal(theirCheck.status, 'invalid');
    assert.deepEqual(validateJsonFeed11(ours), { status: 'ok' });
  });

  it('feed keeps one RSS enclosure of two assets (and its Atom mislabels a video as image/mp4); ours keeps both', () => {
    const theirs = rssItem(toFeedPackage(full).rss2());
    assert.equal(kids(theirs, 'enclosure').length, 1);
    // The image slot overwrites the enclosure slot: the video is gone from its RSS.
    assert.doesNotMatch(toFeedPackage(full).rss2(), /video\.example\.org\/b\.mp4/);
    assert.match(toFeedPackage(full).atom1(), /type="image\/mp4"/);
    const ours = readRss(renderRss(full)).items[0];
    assert.deepEqual(
      ours?.assets.map((a) => [a.url, a.mimeType]),
      [
        ['https://img.example.org/a.jpg', 'image/jpeg'],
        ['https://video.example.org/b.mp4', 'video/mp4'],
      ],
    );
    assert.deepEqual(
      readAtom(renderAtom(full)).items[0]?.enclosureUrls,
      ['https://img.example.org/a.jpg', 'https://video.example.org/b.mp4'],
    );
  });

  it('feed has no Media RSS namespace, so captions and credits are lost; ours carries them', () => {
    for (const xml of [toFeedPackage(full).rss2(), toFeedPackage(full).atom1()]) {
      assert.doesNotMatch(xml, /search\.yahoo\.com\/mrss/);
      assert.doesNotMatch(xml, /Caption A|Credit A/);
    }
    for (const read of [readRss(renderRss(full)), readAtom(renderAtom(full))]) {
      const asset = read.items[0]?.assets[0];
      assert.equal(asset?.caption, 'Caption A');
      assert.equal(asset?.credit, 'Credit A');
      assert.equal(asset?.creditRole, 'photographer');
    }
  });

  it('feed writes no dc:creator, and a name-only RSS `author` (RSS 2.0 wants an email); ours writes dc:creator per author', () => {
    const theirs = rssItem(toFeedPackage(full).rss2());
    assert.equal(kids(theirs, 'dc:creator').length, 0);
    assert.ok(kids(theirs, 'author').some((a) => !(a.children[0] as { data?: string }).data?.includes('@')));
    const ours = rssItem(renderRss(full));
    assert.deepEqual(
      kids(ours, 'dc:creator').map((c) => (c.children[0] as { data: string }).data),
      ['Ana Author', 'Bo Byline'],
    );
    assert.deepEqual(
      kids(ours, 'author').map((c) => (c.children[0] as { data: string }).data),
      ['ana@news.example.org (Ana Author)'],
    );
  });

  it('feed splits only the first "]]>" of a CDATA section, so two make its XML ill-formed; ours stays well-formed', function () {
    const a = { ...everyFieldArticle(), contentHtml: '<p>a ]]> b ]]> c</p>' };
    const theirs = toFeedPackage(docWith([a])).rss2();
    const theirCheck = xmllintOk(theirs);
    skipIfMissing(this, theirCheck);
    assert.equal(theirCheck.status, 'invalid');
    assert.deepEqual(xmllintOk(renderRss(docWith([a]))), { status: 'ok' });
    assert.equal(readRss(renderRss(docWith([a]))).items[0]?.contentHtml, a.contentHtml);
  });

  it('feed passes control characters through (ill-formed XML); ours removes them', function () {
    const a = { ...everyFieldArticle(), title: 'bell\u0007 and escape\u001B', contentHtml: '<p>nul\u0000</p>' };
    const theirs = toFeedPackage(docWith([a]));
    for (const xml of [theirs.rss2(), theirs.atom1()]) {
      const check = xmllintOk(xml);
      skipIfMissing(this, check);
      assert.equal(check.status, 'invalid');
    }
    for (const xml of [renderRss(docWith([a])), renderAtom(docWith([a]))]) assert.deepEqual(xmllintOk(xml), { status: 'ok' });
    assert.equal(readRss(renderRss(docWith([a]))).items[0]?.title, 'bell and escape');
  });

  it('feed does NOT throw on a non-URL id (DESIGN.md says it does): it writes it verbatim, not an IRI; ours writes a valid urn', () => {
    const a = nonUrlGuidArticle();
    const theirs = readAtom(toFeedPackage(docWith([a])).atom1()).items[0];
    assert.equal(theirs?.id, a.guid);
    assert.equal(isStableIri(theirs?.id ?? ''), false);
    const ours = readAtom(renderAtom(docWith([a]))).items[0];
    assert.equal(ours?.id, 'urn:wirefeed:tiny-blog:story%201234%2F5%3Fx%3D1%26y%3D2');
    assert.equal(isStableIri(ours?.id ?? ''), true);
  });

  it('feed throws on a relative (non-URL) asset URL; ours renders it', () => {
    const a = { ...everyFieldArticle(), assets: [{ url: 'images/photo.jpg', mimeType: 'image/jpeg', size: 1 }] };
    assert.throws(() => toFeedPackage(docWith([a])).rss2(), TypeError);
    const f = new Feed({ title: 't', id: 'https://x.example/', copyright: '' });
    f.addItem({ title: 't', link: 'https://x.example/a', date: new Date(0), image: 'images/photo.jpg' });
    assert.throws(() => f.atom1(), /Invalid URL/);
    assert.deepEqual(readRss(renderRss(docWith([a]))).items[0]?.enclosureUrls, ['images/photo.jpg']);
  });
});
