import assert from 'node:assert/strict';
import { processFeedInline } from '../src/ingest/process.js';
import { cutOversized, MAX_ITEM_TEXT_CHARS } from '../src/ingest/item-bounds.js';

describe('item bounds: one item cannot carry unbounded text', () => {
  describe('cutOversized', () => {
    const cases: { name: string; value: string; max: number; want: string | undefined }[] = [
      { name: 'fits: untouched', value: '<p>short</p>', max: 20, want: undefined },
      { name: 'exactly the limit: untouched', value: 'x'.repeat(10), max: 10, want: undefined },
      { name: 'text: cut at the limit', value: 'abcdefghijkl', max: 5, want: 'abcde' },
      { name: 'markup: a tag cut in half is dropped whole', value: '<p>abc</p><p class="x">def', max: 16, want: '<p>abc</p>' },
      { name: 'markup: cut inside text keeps the text', value: '<p>abcdefgh</p>', max: 8, want: '<p>abcde' },
      { name: 'never half a surrogate pair', value: 'ab\u{1F600}cd', max: 3, want: 'ab' },
    ];
    for (const c of cases) it(c.name, () => assert.equal(cutOversized(c.value, c.max), c.want));
  });

  describe('normalize applies it to content, summary and title', () => {
    const big = (n: number) => `<p>${'word '.repeat(Math.ceil(n / 5)).slice(0, n)}</p>`;
    const rss = (description: string, title = 'T') =>
      Buffer.from(`<?xml version="1.0"?><rss version="2.0"><channel><title>c</title><link>http://example.org/</link><description>d</description>
        <item><title>${title}</title><link>http://example.org/1</link><guid>g1</guid><description><![CDATA[${description}]]></description></item></channel></rss>`);
    const opts = { documentUrl: 'http://example.org/feed', now: '2026-01-05T10:00:00.000Z' };

    it('cuts a body over the bound, records oversized_content, keeps the item', async () => {
      const feed = await processFeedInline(rss(big(MAX_ITEM_TEXT_CHARS + 100_000)), opts);
      assert.equal(feed.items.length, 1);
      const html = feed.items[0]!.contentHtml!;
      assert.ok(html.length <= MAX_ITEM_TEXT_CHARS + 16, `content ${html.length} chars`);
      assert.ok(html.length > MAX_ITEM_TEXT_CHARS / 2);
      assert.ok(feed.items[0]!.summary!.length < 10_000);
      assert.deepEqual(feed.lint.filter((l) => l.code === 'oversized_content').map((l) => l.count), [1]);
    });

    it('cuts an oversized title too', async () => {
      const feed = await processFeedInline(rss('<p>x</p>', 't'.repeat(MAX_ITEM_TEXT_CHARS + 10)), opts);
      assert.equal(feed.items[0]!.title!.length, MAX_ITEM_TEXT_CHARS);
      assert.ok(feed.lint.some((l) => l.code === 'oversized_content'));
    });

    it('leaves an item within the bound as it was, with no finding', async () => {
      const feed = await processFeedInline(rss(big(100_000)), opts);
      assert.ok(feed.items[0]!.contentHtml!.length >= 100_000);
      assert.ok(!feed.lint.some((l) => l.code === 'oversized_content'));
    });
  });
});
