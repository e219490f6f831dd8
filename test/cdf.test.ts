// Channel Definition Format (CDF) documents are feeds peers read: a CHANNEL of ITEMs, each with
// TITLE, ABSTRACT, HREF and LASTMOD. Each case is ingested and read back from the stored items and
// the RSS and JSON Feed outputs; a malformed one is refused like any malformed XML.
import assert from 'node:assert/strict';
import { ParseError } from '../src/errors.js';
import { processFeedInline } from '../src/ingest/process.js';
import { ingestAndRender, PIPELINE_NOW } from './support/pipeline.js';

const DOC = 'https://cdf.example.org/channel.cdf';

interface Case {
  name: string;
  xml: string;
  items: { title?: string; url?: string; summary?: string; updated?: string }[];
  site?: string;
}

const CASES: Case[] = [
  {
    name: 'a channel of two items with titles, links, abstracts and LASTMOD dates',
    xml: `<?xml version="1.0"?><CHANNEL HREF="https://cdf.example.org/"><TITLE>Harbour news</TITLE><ABSTRACT>Daily</ABSTRACT>
      <ITEM HREF="https://cdf.example.org/1" LASTMOD="2026-03-01T08:00:00Z"><TITLE>Ferry resumes</TITLE><ABSTRACT>The first crossing since March.</ABSTRACT></ITEM>
      <ITEM HREF="https://cdf.example.org/2" LASTMOD="2026-03-02T09:30:00+01:00"><TITLE>Pier repaired</TITLE></ITEM></CHANNEL>`,
    items: [
      { title: 'Ferry resumes', url: 'https://cdf.example.org/1', summary: 'The first crossing since March.', updated: '2026-03-01T08:00:00.000Z' },
      { title: 'Pier repaired', url: 'https://cdf.example.org/2', updated: '2026-03-02T08:30:00.000Z' },
    ],
    site: 'https://cdf.example.org/',
  },
  {
    name: 'relative HREFs resolve against the BASE attribute',
    xml: `<CHANNEL BASE="https://base.example.org/news/"><ITEM HREF="item/7"><TITLE>Relative</TITLE></ITEM></CHANNEL>`,
    items: [{ title: 'Relative', url: 'https://base.example.org/news/item/7' }],
  },
  {
    name: 'items inside a sub-channel, mixed-case names below the root, markup-like text kept as text',
    xml: `<CHANNEL><TITLE>Top</TITLE><Channel><Title>Section</Title><Item Href="https://cdf.example.org/s/1"><Title>A &lt;b&gt; is not bold &amp; fine</Title></Item></Channel></CHANNEL>`,
    items: [{ title: 'A <b> is not bold & fine', url: 'https://cdf.example.org/s/1' }],
  },
  {
    name: 'an item without TITLE or LASTMOD keeps neither (nothing invented)',
    xml: `<CHANNEL><ITEM HREF="https://cdf.example.org/bare"><ABSTRACT>Only words.</ABSTRACT></ITEM></CHANNEL>`,
    items: [{ url: 'https://cdf.example.org/bare', summary: 'Only words.' }],
  },
];

describe('CDF (Channel Definition Format) documents', function () {
  this.timeout(30_000);
  for (const c of CASES) {
    it(c.name, async () => {
      const { feed, read } = await ingestAndRender(c.xml, DOC);
      assert.equal(feed.meta.format, 'cdf');
      if (c.site) assert.equal(feed.meta.siteUrl, c.site);
      assert.equal(feed.items.length, c.items.length, JSON.stringify(feed.lint));
      const byUrl = new Map(feed.items.map((i) => [i.url, i]));
      for (const want of c.items) {
        const got = byUrl.get(want.url);
        assert.ok(got, `item ${want.url}`);
        assert.equal(got.title, want.title);
        assert.equal(got.updatedAt, want.updated);
        if (want.summary) assert.equal(got.summary, want.summary);
        for (const f of ['rss', 'json'] as const) {
          const out = read[f].items.find((i) => i.url === want.url);
          assert.equal(out?.title, want.title, f);
        }
      }
    });
  }

  it('a malformed CDF document is refused', async () => {
    await assert.rejects(
      processFeedInline(Buffer.from('<CHANNEL><ITEM HREF="https://cdf.example.org/1"><TITLE>cut</ITEM></CHANNEL>'), { documentUrl: DOC, now: PIPELINE_NOW }),
      (e: unknown) => e instanceof ParseError && /malformed XML/.test(e.message),
    );
  });
});
