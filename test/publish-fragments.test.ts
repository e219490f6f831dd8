// Rendering to bytes from cached item fragments: the same bytes as a fresh string render, and
// only new or changed items are serialized again.
import assert from 'node:assert/strict';
import type { Article, FeedFormat } from '../src/model/types.js';
import { renderBytes, renderers, serializers } from '../src/publish/index.js';
import type { FeedDocument, FragmentCache } from '../src/publish/types.js';
import { wireArticle } from './fixtures/publish/documents.js';

function doc(items: Article[]): FeedDocument {
  return {
    id: 'https://feeds.example.net/feeds/all',
    title: 'all',
    links: { self: 'https://feeds.example.net/feeds/all.rss', html: 'https://feeds.example.net/' },
    updated: items[0]?.publishedAt,
    generator: { name: 'wirefeed', version: '0', uri: 'https://example.net' },
    items,
  };
}

function countingCache(): FragmentCache & { sets: number } {
  const map = new Map<string, Buffer>();
  const c = {
    sets: 0,
    get: (k: string) => map.get(k),
    set(k: string, v: Buffer) {
      c.sets++;
      map.set(k, v);
    },
  };
  return c;
}

// Forbidden characters and markup in the data: fragments must be as clean as a whole render.
const items = (): Article[] =>
  [0, 1, 2].map((i) => ({ ...wireArticle(), id: i + 1, seq: i + 1, guid: `g${i}`, identityKey: `g${i}`, title: `Story ${i} \u0007 & <b> “${'\uD800'}”` }));

for (const format of ['rss', 'atom', 'json'] as FeedFormat[]) {
  describe(`publish fragments: ${format}`, () => {
    const s = serializers[format];
    const render = renderers[format];

    it('renders the same bytes as the string renderer, cold and warm', () => {
      const cache = countingCache();
      const plain = Buffer.from(render(doc(items())), 'utf8');
      assert.ok(renderBytes(s, doc(items()), cache).equals(plain));
      assert.ok(renderBytes(s, doc(items()), cache).equals(plain));
      assert.ok(renderBytes(s, doc(items())).equals(plain), 'without a cache too');
      assert.equal(cache.sets, 3);
    });

    it('re-serializes only an item whose seq or source attribution changed', () => {
      const cache = countingCache();
      renderBytes(s, doc(items()), cache);
      const changed = items();
      changed[1] = { ...changed[1]!, seq: 10, title: 'Corrected story' };
      changed[2] = { ...changed[2]!, source: { ...changed[2]!.source, title: 'Renamed source' } };
      const out = renderBytes(s, doc(changed), cache);
      assert.equal(cache.sets, 5);
      assert.ok(out.equals(Buffer.from(render(doc(changed)), 'utf8')));
      assert.match(out.toString('utf8'), /Corrected story/);
    });

    it('renders an empty feed', () => {
      assert.ok(renderBytes(s, doc([]), countingCache()).equals(Buffer.from(render(doc([])), 'utf8')));
    });
  });
}
