import assert from 'node:assert/strict';
import { assignIdentities, canonicalJson, contentHash, type IdentityCandidate } from '../src/ingest/identity.js';
import { createLintCollector } from '../src/ingest/lint.js';

const run = (items: IdentityCandidate[]) => {
  const lint = createLintCollector();
  const ids = assignIdentities(items, lint);
  return { ids, lint: lint.issues().map((i) => [i.code, i.count]) };
};

describe('assignIdentities', () => {
  const CASES: { name: string; items: IdentityCandidate[]; keys: [string, string][]; lint: [string, number][] }[] = [
    {
      name: 'unique guids are the key',
      items: [{ guid: 'g1', url: 'https://x/1', title: 'a' }, { guid: 'g2', url: 'https://x/2', title: 'b' }],
      keys: [['g1', 'guid'], ['g2', 'guid']],
      lint: [],
    },
    {
      name: 'link when there is no guid',
      items: [{ url: 'https://x/1', title: 'a' }],
      keys: [['https://x/1', 'link']],
      lint: [['missing_guids', 1]],
    },
    {
      name: 'a repeated guid is disambiguated by link, never collapsed',
      items: [{ guid: 'same', url: 'https://x/1', title: 'a' }, { guid: 'same', url: 'https://x/2', title: 'b' }],
      keys: [['same', 'guid'], ['same#https://x/2', 'guid']],
      lint: [['duplicate_guids', 1]],
    },
    {
      name: 'a repeated link without guids falls back to the hash',
      items: [{ url: 'https://x/1', title: 'a' }, { url: 'https://x/1', title: 'b' }],
      keys: [['https://x/1', 'link'], ['HASH', 'hash']],
      lint: [['missing_guids', 2]],
    },
  ];
  for (const c of CASES) {
    it(c.name, () => {
      const { ids, lint } = run(c.items);
      assert.deepEqual(ids.map((i) => [/^[0-9a-f]{64}$/.test(i.key) ? 'HASH' : i.key, i.kind]), c.keys);
      assert.deepEqual(lint, c.lint);
    });
  }

  it('hash identity: same title + content → same key, changed content → different key', () => {
    const a = run([{ title: 'T', contentHtml: '<p>x</p>' }]).ids[0]!;
    const b = run([{ title: 'T', contentHtml: '<p>x</p>' }]).ids[0]!;
    const c = run([{ title: 'T', contentHtml: '<p>y</p>' }]).ids[0]!;
    assert.equal(a.kind, 'hash');
    assert.equal(a.key, b.key);
    assert.notEqual(a.key, c.key);
  });

  it('identical items still get distinct keys', () => {
    const { ids } = run([{ guid: 'g', url: 'https://x/1', title: 't' }, { guid: 'g', url: 'https://x/1', title: 't' }, { guid: 'g', url: 'https://x/1', title: 't' }]);
    assert.equal(new Set(ids.map((i) => i.key)).size, 3);
  });
});

describe('contentHash', () => {
  it('is independent of key order and undefined members', () => {
    assert.equal(contentHash({ a: 1, b: [{ y: 2, x: 1 }], c: undefined }), contentHash({ b: [{ x: 1, y: 2 }], a: 1 }));
    assert.equal(canonicalJson({ b: 1, a: { d: 2, c: [1, 'x'] } }), '{"a":{"c":[1,"x"],"d":2},"b":1}');
  });
  it('changes when any field changes', () => {
    const base = { title: 'T', authors: [{ name: 'A' }], assets: [{ url: 'u', width: 1 }] };
    const h = contentHash(base);
    assert.notEqual(contentHash({ ...base, title: 'T2' }), h);
    assert.notEqual(contentHash({ ...base, authors: [{ name: 'B' }] }), h);
    assert.notEqual(contentHash({ ...base, assets: [{ url: 'u', width: 2 }] }), h);
  });
});
