// An RSS item may carry its headline as Dublin Core's dc:title instead of <title> (RSS 1.0
// modules, DC-only items): it is the item's title, as peers read it. <title> keeps precedence, and
// an item with neither still gets no made-up title. Each case is ingested and read back from the
// stored item and the RSS and JSON Feed outputs (Atom derives a title of its own when none).
import assert from 'node:assert/strict';
import { ingestAndRender } from './support/pipeline.js';

const DOC = 'https://dc.example.org/feed';
const DC = 'xmlns:dc="http://purl.org/dc/elements/1.1/"';
const RDF = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"';

interface Case {
  name: string;
  xml: string;
  title: string | undefined;
}

const rss2 = (item: string, ns = DC) =>
  `<?xml version="1.0"?><rss version="2.0" ${ns}><channel><title>C</title><link>https://dc.example.org/</link><description>d</description><item>${item}<link>https://dc.example.org/a</link><description>Body text.</description></item></channel></rss>`;

const CASES: Case[] = [
  { name: 'an RSS 2.0 item whose only headline is dc:title', xml: rss2('<dc:title>Harbour reopens after storm</dc:title>'), title: 'Harbour reopens after storm' },
  {
    name: 'dc:title under another prefix bound to the DC elements namespace',
    xml: rss2('<e:title>Council votes on budget</e:title>', 'xmlns:e="http://purl.org/dc/elements/1.1/"'),
    title: 'Council votes on budget',
  },
  {
    name: 'an RSS 1.0 item titled by dc:title only',
    xml: `<?xml version="1.0"?><rdf:RDF ${RDF} xmlns="http://purl.org/rss/1.0/" ${DC}><channel rdf:about="https://dc.example.org/"><title>C</title><link>https://dc.example.org/</link><description>d</description></channel><item rdf:about="https://dc.example.org/a"><dc:title>Rail strike called off</dc:title><link>https://dc.example.org/a</link></item></rdf:RDF>`,
    title: 'Rail strike called off',
  },
  { name: '<title> wins over dc:title when both are there', xml: rss2('<title>Own headline</title><dc:title>DC headline</dc:title>'), title: 'Own headline' },
  { name: 'an item with neither keeps no title', xml: rss2('<dc:creator>Desk</dc:creator>'), title: undefined },
];

describe('Dublin Core dc:title as an item title', function () {
  this.timeout(30_000);
  for (const c of CASES) {
    it(c.name, async () => {
      const { feed, read } = await ingestAndRender(c.xml, DOC);
      assert.equal(feed.items.length, 1, JSON.stringify(feed.lint));
      assert.equal(feed.items[0]!.title, c.title);
      for (const f of ['rss', 'json'] as const) assert.equal(read[f].items[0]!.title, c.title, f);
    });
  }
});
