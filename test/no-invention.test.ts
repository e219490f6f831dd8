// Don't invent content: an untitled item stays untitled (Atom alone derives a title, at render
// time), an undated item gets no date in any output, and Dublin Core terms dates count as dates.
// Each case is ingested for real and read back from all three outputs.
import assert from 'node:assert/strict';
import type { FeedFormat } from '../src/model/types.js';
import { PIPELINE_NOW, ingestAndRender, OUTPUT_FORMATS } from './support/pipeline.js';
import { feedparserReadAll, jingAtom, skipIfMissing, validateJsonFeed11, xmllintOk } from './support/validators.js';

const DOC = 'https://news.example.org/feed';
const MEDIA = 'xmlns:media="http://search.yahoo.com/mrss/"';
const rss = (items: string, ns = '') => `<?xml version="1.0"?><rss version="2.0" ${ns}><channel><title>T</title><link>https://news.example.org/</link><description>d</description>${items}</channel></rss>`;
const json = (items: object[]) => JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'T', items });

interface TitleCase {
  name: string;
  input: string;
  /** What Atom writes (RSS and JSON write no title at all). */
  atomTitle: string;
}

const UNTITLED: TitleCase[] = [
  {
    name: 'RSS 2.0 microblog post (description only)',
    input: rss('<item><guid>p1</guid><description>Just landed in Lisbon. The light here is something else entirely, and the coffee too.</description><pubDate>Mon, 05 Jan 2026 10:00:00 GMT</pubDate></item>'),
    atomTitle: 'Just landed in Lisbon. The light here is something else entirely, and the coffee too.',
  },
  {
    name: 'RSS 2.0 photo item (an enclosure with a media:title, no text)',
    input: rss('<item><guid>p2</guid><enclosure url="https://news.example.org/p.jpg" length="10" type="image/jpeg"/><media:content url="https://news.example.org/p.jpg" type="image/jpeg"><media:title>Harbour at dawn</media:title></media:content><pubDate>Mon, 05 Jan 2026 10:00:00 GMT</pubDate></item>', MEDIA),
    atomTitle: 'Harbour at dawn',
  },
  {
    name: 'RSS 2.0 blank title element',
    input: rss('<item><guid>p3</guid><title>  </title><description>Body text.</description><pubDate>Mon, 05 Jan 2026 10:00:00 GMT</pubDate></item>'),
    atomTitle: 'Body text.',
  },
  {
    name: 'JSON Feed item without title',
    input: json([{ id: 'p4', content_text: 'A note without a headline, long enough to need cutting: ' + 'word '.repeat(40), date_published: '2026-01-05T10:00:00Z' }]),
    atomTitle: `A note without a headline, long enough to need cutting: ${'word '.repeat(12).trim()}…`,
  },
];

function validateAll(ctx: Mocha.Context, outputs: Record<FeedFormat, string>[]): void {
  assert.ok(outputs.length > 0);
  const xml = outputs.flatMap((o) => [o.rss, o.atom]);
  for (const x of xml) {
    const c = xmllintOk(x);
    skipIfMissing(ctx, c);
    assert.equal(c.status, 'ok');
  }
  const j = jingAtom(outputs.map((o) => o.atom));
  skipIfMissing(ctx, j);
  assert.equal(j.status, 'ok', 'message' in j ? j.message : '');
  const fp = feedparserReadAll(xml);
  skipIfMissing(ctx, fp);
  if (fp.status === 'ok') for (const s of fp.summary) assert.equal(s.bozo, 0, s.bozo_exception);
  for (const o of outputs) assert.equal(validateJsonFeed11(JSON.parse(o.json)).status, 'ok');
}

describe('no invented titles', function () {
  this.timeout(30_000);
  const untitledOutputs: Record<FeedFormat, string>[] = [];
  for (const c of UNTITLED) {
    it(c.name, async () => {
      const { feed, read, texts } = await ingestAndRender(c.input, DOC);
      assert.equal(feed.items.length, 1);
      assert.equal(feed.items[0]!.title, undefined, 'stored without a title');
      assert.equal(read.rss.items[0]!.title, undefined, 'RSS: no <title>');
      assert.equal(read.json.items[0]!.title, undefined, 'JSON Feed: no title');
      assert.equal(read.atom.items[0]!.title, c.atomTitle, 'Atom: derived at render time');
      assert.ok(read.atom.items[0]!.title!.length <= 120);
      const rssItem = /<item>[\s\S]*<\/item>/.exec(texts.rss)![0];
      assert.ok(rssItem.includes('<description>'), 'RSS 2.0: an item has a title or a description');
      untitledOutputs.push(texts);
    });
  }
  it('untitled outputs are valid (xmllint, Atom schema, feedparser bozo 0, JSON Feed 1.1)', function () {
    validateAll(this, untitledOutputs);
  });
  it("a source's own title is kept as it is in all three outputs", async () => {
    const { read } = await ingestAndRender(rss('<item><guid>t</guid><title>Real headline</title><description>Body.</description></item>'), DOC);
    for (const f of OUTPUT_FORMATS) assert.equal(read[f].items[0]!.title, 'Real headline', f);
  });
});

describe('no invented dates', function () {
  this.timeout(30_000);
  const UNDATED: [string, string][] = [
    ['RSS 2.0 item without pubDate', rss('<item><guid>u1</guid><title>Undated</title><description>x</description></item>')],
    ['Atom entry with only an unparsable date', `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>T</title><id>urn:x</id><updated>2026-01-01T00:00:00Z</updated><entry><id>urn:x:1</id><title>Undated</title><updated>someday</updated><content>x</content></entry></feed>`],
    ['JSON Feed item without dates', json([{ id: 'u3', title: 'Undated', content_text: 'x' }])],
  ];
  for (const [name, input] of UNDATED) {
    it(`${name}: no published date anywhere; Atom's required updated is the first-seen time`, async () => {
      const { feed, read } = await ingestAndRender(input, DOC);
      assert.equal(feed.items[0]!.publishedAt, undefined);
      assert.ok(feed.lint.some((l) => l.code === 'missing_dates'));
      assert.equal(read.rss.items[0]!.published, undefined, 'RSS: no pubDate');
      assert.equal(read.json.items[0]!.published, undefined, 'JSON Feed: no date_published');
      assert.equal(read.atom.items[0]!.published, undefined, 'Atom: no published');
      assert.equal(read.atom.items[0]!.updated, Date.parse(PIPELINE_NOW), 'Atom: updated = first seen');
    });
  }
});

describe('Dublin Core terms dates', function () {
  this.timeout(30_000);
  const DCTERMS = 'xmlns:dcterms="http://purl.org/dc/terms/"';
  const rssItem = (el: string) => rss(`<item><guid>d</guid><title>D</title>${el}</item>`, DCTERMS);
  const rdf = (el: string) =>
    `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" ${DCTERMS}><channel rdf:about="https://x.example/"><title>T</title><link>https://x.example/</link><description>d</description></channel><item rdf:about="https://x.example/1"><title>D</title><link>https://x.example/1</link>${el}</item></rdf:RDF>`;
  const atom = (el: string) =>
    `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" ${DCTERMS}><title>T</title><id>urn:x</id><updated>2026-01-01T00:00:00Z</updated><entry><id>urn:x:1</id><title>D</title>${el}<content>x</content></entry></feed>`;
  // [name, document, expected publishedAt, expected updatedAt]
  const CASES: [string, string, string, string | undefined][] = [
    ['RSS 2.0 dcterms:issued', rssItem('<dcterms:issued>2026-02-03T04:05:06Z</dcterms:issued>'), '2026-02-03T04:05:06.000Z', undefined],
    ['RSS 2.0 dcterms:created', rssItem('<dcterms:created>2026-02-03</dcterms:created>'), '2026-02-03T00:00:00.000Z', undefined],
    ['RSS 2.0 dcterms:available', rssItem('<dcterms:available>2026-02-04T00:00:00+01:00</dcterms:available>'), '2026-02-03T23:00:00.000Z', undefined],
    ['RSS 2.0 dcterms:modified alone dates the item', rssItem('<dcterms:modified>2026-02-05T00:00:00Z</dcterms:modified>'), '2026-02-05T00:00:00.000Z', '2026-02-05T00:00:00.000Z'],
    ['RSS 2.0 issued and modified', rssItem('<dcterms:issued>2026-02-03T00:00:00Z</dcterms:issued><dcterms:modified>2026-02-06T00:00:00Z</dcterms:modified>'), '2026-02-03T00:00:00.000Z', '2026-02-06T00:00:00.000Z'],
    ['RSS 2.0 pubDate wins over dcterms:issued', rssItem('<pubDate>Mon, 05 Jan 2026 10:00:00 GMT</pubDate><dcterms:issued>2026-02-03T00:00:00Z</dcterms:issued>'), '2026-01-05T10:00:00.000Z', undefined],
    ['RSS 1.0 dcterms:issued', rdf('<dcterms:issued>2026-02-03T04:05:06Z</dcterms:issued>'), '2026-02-03T04:05:06.000Z', undefined],
    ['Atom 1.0 dcterms:created without published', atom('<dcterms:created>2026-02-03T04:05:06Z</dcterms:created>'), '2026-02-03T04:05:06.000Z', undefined],
  ];
  const outputs: Record<FeedFormat, string>[] = [];
  for (const [name, input, published, updated] of CASES) {
    it(name, async () => {
      const { feed, read, texts } = await ingestAndRender(input, DOC);
      const item = feed.items[0]!;
      assert.equal(item.publishedAt, published);
      assert.equal(item.updatedAt, updated);
      assert.ok(!feed.lint.some((l) => l.code === 'missing_dates'));
      for (const f of OUTPUT_FORMATS) assert.equal(read[f].items[0]!.published, Date.parse(published), f);
      outputs.push(texts);
    });
  }
  it('all outputs above are valid (xmllint, Atom schema, feedparser bozo 0, JSON Feed 1.1)', function () {
    validateAll(this, outputs);
  });
});
