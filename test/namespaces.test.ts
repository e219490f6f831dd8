// Read what peers read: RSS/Atom elements by namespace whatever their prefix, namespaced and
// foreign roots, Dublin Core and Media RSS under other prefixes, internal DTD entities (with a
// bound; billion laughs and external entities refused). Each case is ingested for real and
// read back from the three outputs.
import assert from 'node:assert/strict';
import { ParseError } from '../src/errors.js';
import { normalizeNamespaces } from '../src/ingest/namespaces.js';
import { processFeedInline } from '../src/ingest/process.js';
import { ingestAndRender, OUTPUT_FORMATS } from './support/pipeline.js';

const DOC = 'https://ns.example.org/feed';
const RDF = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"';

interface Case {
  name: string;
  xml: string;
  title: string;
  link: string;
  published?: string;
  caption?: string;
}

const CASES: Case[] = [
  {
    name: 'RSS 1.0 with every element under an rss: prefix',
    xml: `<?xml version="1.0"?><rdf:RDF ${RDF} xmlns:rss="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"><rss:channel rdf:about="https://ns.example.org/"><rss:title>C</rss:title><rss:link>https://ns.example.org/</rss:link><rss:description>d</rss:description></rss:channel><rss:item rdf:about="https://ns.example.org/1"><rss:title>Prefixed item</rss:title><rss:link>https://ns.example.org/1</rss:link><dc:date>2026-02-01T10:00:00Z</dc:date></rss:item></rdf:RDF>`,
    title: 'Prefixed item', link: 'https://ns.example.org/1', published: '2026-02-01T10:00:00.000Z',
  },
  {
    name: 'RSS 1.0 with the rdf namespace under another prefix',
    xml: `<?xml version="1.0"?><r:RDF xmlns:r="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel r:about="https://ns.example.org/"><title>C</title><link>https://ns.example.org/</link><description>d</description></channel><item r:about="https://ns.example.org/2"><title>Other rdf prefix</title><link>https://ns.example.org/2</link></item></r:RDF>`,
    title: 'Other rdf prefix', link: 'https://ns.example.org/2',
  },
  {
    name: 'RSS 2.0 with a namespaced root (userland rss2 namespace as a prefix)',
    xml: `<?xml version="1.0"?><r:rss xmlns:r="http://backend.userland.com/rss2" version="2.0"><r:channel><r:title>C</r:title><r:link>https://ns.example.org/</r:link><r:description>d</r:description><r:item><r:title>Namespaced root</r:title><r:link>https://ns.example.org/3</r:link><r:pubDate>Mon, 02 Feb 2026 10:00:00 GMT</r:pubDate></r:item></r:channel></r:rss>`,
    title: 'Namespaced root', link: 'https://ns.example.org/3', published: '2026-02-02T10:00:00.000Z',
  },
  {
    name: 'RSS 2.0 in the userland default namespace',
    xml: `<?xml version="1.0"?><rss xmlns="http://backend.userland.com/rss2" version="2.0"><channel><title>C</title><link>https://ns.example.org/</link><description>d</description><item><title>Default namespace</title><link>https://ns.example.org/4</link></item></channel></rss>`,
    title: 'Default namespace', link: 'https://ns.example.org/4',
  },
  {
    name: 'a root in an unknown namespace around RSS 2.0 children',
    xml: `<?xml version="1.0"?><x:wrapper xmlns:x="http://example.com/unknown"><channel><title>C</title><link>https://ns.example.org/</link><description>d</description><item><title>Foreign root</title><link>https://ns.example.org/5</link></item></channel></x:wrapper>`,
    title: 'Foreign root', link: 'https://ns.example.org/5',
  },
  {
    name: 'a root in an unknown namespace around RSS 1.0 children',
    xml: `<?xml version="1.0"?><x:wrapper xmlns:x="http://example.com/unknown" xmlns="http://purl.org/rss/1.0/"><channel><title>C</title><link>https://ns.example.org/</link><description>d</description></channel><item><title>Foreign root 1.0</title><link>https://ns.example.org/6</link></item></x:wrapper>`,
    title: 'Foreign root 1.0', link: 'https://ns.example.org/6',
  },
  {
    name: 'Dublin Core terms under a dct: prefix, Media RSS under m:',
    xml: `<?xml version="1.0"?><rss version="2.0" xmlns:dct="http://purl.org/dc/terms/" xmlns:m="http://search.yahoo.com/mrss/"><channel><title>C</title><link>https://ns.example.org/</link><description>d</description><item><title>Other prefixes</title><link>https://ns.example.org/7</link><dct:issued>2026-02-03T00:00:00Z</dct:issued><m:content url="https://ns.example.org/p.jpg" type="image/jpeg"><m:description>A caption</m:description></m:content></item></channel></rss>`,
    title: 'Other prefixes', link: 'https://ns.example.org/7', published: '2026-02-03T00:00:00.000Z', caption: 'A caption',
  },
  {
    name: 'Atom 1.0 with every element under an atom: prefix',
    xml: `<?xml version="1.0"?><a:feed xmlns:a="http://www.w3.org/2005/Atom"><a:title>C</a:title><a:id>urn:x</a:id><a:updated>2026-02-04T00:00:00Z</a:updated><a:entry><a:id>urn:x:1</a:id><a:title>Prefixed Atom</a:title><a:link href="https://ns.example.org/8"/><a:published>2026-02-04T00:00:00Z</a:published><a:updated>2026-02-04T00:00:00Z</a:updated></a:entry></a:feed>`,
    title: 'Prefixed Atom', link: 'https://ns.example.org/8', published: '2026-02-04T00:00:00.000Z',
  },
  {
    name: 'internal DTD entities are expanded',
    xml: `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY co "Example &amp; Co"><!ENTITY site 'https://ns.example.org'>]><rss version="2.0"><channel><title>&co;</title><link>&site;/</link><description>d</description><item><title>News from &co;</title><link>&site;/9</link></item></channel></rss>`,
    title: 'News from Example & Co', link: 'https://ns.example.org/9',
  },
  {
    name: 'nested internal entities within the bound',
    xml: `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "A"><!ENTITY b "&a;&a;"><!ENTITY c "&b;&b;">]><rss version="2.0"><channel><title>C</title><link>https://ns.example.org/</link><description>d</description><item><title>&c;</title><link>https://ns.example.org/10</link></item></channel></rss>`,
    title: 'AAAA', link: 'https://ns.example.org/10',
  },
];

describe('namespaces and DTD entities: documents peers read', function () {
  this.timeout(30_000);
  for (const c of CASES) {
    it(c.name, async () => {
      const { feed, read } = await ingestAndRender(c.xml, DOC);
      assert.equal(feed.items.length, 1, JSON.stringify(feed.lint));
      for (const f of OUTPUT_FORMATS) {
        const item = read[f].items[0]!;
        assert.equal(item.title, c.title, f);
        assert.equal(item.url, c.link, f);
        if (c.published) assert.equal(item.published, Date.parse(c.published), f);
        if (c.caption) assert.equal(item.assets[0]?.caption, c.caption, f);
      }
    });
  }

  it('an ordinary feed is left exactly as it is (no rewrite, no lint)', () => {
    const xml = `<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>C</title><item><title>x: y</title><dc:creator>A</dc:creator></item></channel></rss>`;
    assert.deepEqual(normalizeNamespaces(xml), { text: xml, changes: [] });
  });

  const laughs = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY l0 "ha">${Array.from({ length: 9 }, (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`).join('')}]><rss version="2.0"><channel><title>&l9;</title></channel></rss>`;
  const wide = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY big "${'x'.repeat(60_000)}">]><rss version="2.0"><channel><title>t</title>${'<item><title>&big;</title></item>'.repeat(40)}</channel></rss>`;
  const REFUSED: [string, string][] = [
    ['billion laughs (deep nesting)', laughs],
    ['quadratic blowup (one big entity referenced many times)', wide],
  ];
  for (const [name, xml] of REFUSED) {
    it(`${name} is refused with a clear error`, async () => {
      await assert.rejects(processFeedInline(Buffer.from(xml), { documentUrl: DOC, now: '2026-06-01T00:00:00.000Z' }), (e: unknown) => e instanceof ParseError && /entit/.test(e.message));
    });
  }

  it('an external entity is never resolved', async () => {
    const xml = `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY ok "fine">]><rss version="2.0"><channel><title>&ok;</title><item><title>&xxe;</title></item></channel></rss>`;
    const outcome = await processFeedInline(Buffer.from(xml), { documentUrl: DOC, now: '2026-06-01T00:00:00.000Z' }).then(
      (f) => JSON.stringify(f),
      (e: unknown) => (e instanceof ParseError ? 'refused' : `other error: ${String(e)}`),
    );
    assert.ok(outcome === 'refused' || !outcome.includes('root:'), outcome);
  });
});
