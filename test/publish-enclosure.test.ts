// RSS carries one <enclosure> per item and requires its length: a photo of unknown size still
// gets one, with length="0" (the accepted convention), rather than none at all.
import assert from 'node:assert/strict';
import Parser from 'rss-parser';
import type { AssetInput } from '../src/model/types.js';
import { renderRss } from '../src/publish/index.js';
import { forFormat, wireArticle } from './fixtures/publish/documents.js';
import type { FeedDocument } from '../src/publish/types.js';
import { xmllintOk } from './support/validators.js';

const photo = (url: string, size?: number): AssetInput => ({ url, mimeType: 'image/jpeg', medium: 'image', ...(size !== undefined ? { size } : {}) });

function docWith(assets: AssetInput[]): FeedDocument {
  const article = { ...wireArticle(), assets };
  return forFormat(
    { id: 'tag:t,2025:x', title: 'T', links: { self: 'https://feeds.example.com/x.rss', html: 'https://feeds.example.com/x', alternates: [] }, generator: { name: 'wirefeed', version: '0', uri: 'https://feeds.example.com/' }, items: [article] },
    'rss',
  );
}

describe('publish: RSS enclosure', () => {
  const cases: { name: string; assets: AssetInput[]; want: { url: string; length: string } | undefined }[] = [
    { name: 'a photo of known size', assets: [photo('https://img.example.com/a.jpg', 1234)], want: { url: 'https://img.example.com/a.jpg', length: '1234' } },
    { name: 'a photo of unknown size gets length 0', assets: [photo('https://img.example.com/a.jpg')], want: { url: 'https://img.example.com/a.jpg', length: '0' } },
    { name: 'the first photo with a known size is preferred', assets: [photo('https://img.example.com/a.jpg'), photo('https://img.example.com/b.jpg', 99)], want: { url: 'https://img.example.com/b.jpg', length: '99' } },
    { name: 'no asset, no enclosure', assets: [], want: undefined },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const xml = renderRss(docWith(c.assets));
      const lint = xmllintOk(xml);
      if (lint.status === 'invalid') assert.fail(lint.message);
      const feed = await new Parser().parseString(xml);
      const enc = feed.items[0]!.enclosure;
      assert.deepEqual(enc ? { url: enc.url, length: String(enc.length) } : undefined, c.want);
    });
  }
});
