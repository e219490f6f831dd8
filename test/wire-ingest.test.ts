import type { WireExpected } from './fixtures/publish/documents.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createFeedProcessor, type FeedProcessor } from '../src/ingest/process.js';

const WIRE = new URL('./fixtures/wire/', import.meta.url);

type Expected = WireExpected;

const FILES: [name: string, file: string, contentType: string][] = [
  ['RSS 2.0', 'seed-story.rss.xml', 'application/rss+xml; charset=utf-8'],
  ['Atom 1.0', 'seed-story.atom.xml', 'application/atom+xml'],
  ['JSON Feed 1.1', 'seed-story.feed.json', 'application/feed+json'],
];

const decodeHtmlText = (s: string): string => s.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"');

describe('wire fixture ingest', function () {
  let expected: Expected;
  const processors: FeedProcessor[] = [];
  before(function () {
    expected = JSON.parse(readFileSync(new URL('seed-story.expected.json', WIRE), 'utf8')) as Expected;
  });
  after(async () => {
    await Promise.all(processors.map((p) => p.close()));
  });

  for (const [name, file, contentType] of FILES) {
    for (const mode of ['inline', 'worker'] as const) {
      it(`${name} (${mode}) yields exactly the expected article`, async () => {
        const bytes = readFileSync(new URL(file, WIRE));
        const processor = createFeedProcessor({ workerThresholdBytes: mode === 'inline' ? bytes.length : 0 });
        processors.push(processor);
        const feed = await processor.process(bytes, { documentUrl: `https://wire.example.com/world/${file}`, now: '2025-12-04T00:00:00.000Z', contentType });
        assert.equal(feed.items.length, 1);
        const a = feed.items[0]!;
        assert.equal(a.guid, expected.guid);
        assert.equal(a.identityKey, expected.guid);
        assert.equal(a.identityKind, 'guid');
        assert.equal(a.url, expected.url);
        assert.equal(a.title, expected.title);
        assert.equal(a.summary, expected.summary_text);
        assert.equal(a.publishedAt, expected.published);
        assert.deepEqual(a.authors.map((x) => x.name), expected.authors);
        assert.deepEqual(a.categories.map((c) => c.term), expected.categories);

        const paragraphs = [...(a.contentHtml ?? '').matchAll(/<p>([\s\S]*?)<\/p>/g)].map((m) => decodeHtmlText(m[1]!));
        assert.deepEqual(paragraphs, expected.body_paragraphs);

        assert.equal(a.assets.length, 1, 'enclosure/link and media:content are one photo');
        const img = a.assets[0]!;
        assert.deepEqual(
          { url: img.url, type: img.mimeType, title: img.title, caption: img.caption, credit: img.credit, rights: img.rights },
          expected.image,
        );
        assert.equal(img.size, 284113);
        assert.equal(img.width, 3000);
        assert.equal(img.height, 2000);
        assert.equal(img.creditRole, 'photographer');
        assert.deepEqual(feed.lint, []);
      });
    }
  }
});
