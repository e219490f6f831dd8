import assert from 'node:assert/strict';
import { seedStorage } from '../bench/storage-seed.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';

describe('bench storage seeder', () => {
  it('loads the requested sources and articles through recordFetch, deterministically', async () => {
    const snapshots: string[] = [];
    for (let run = 0; run < 2; run++) {
      const s = openSqliteStorage({ path: ':memory:' });
      try {
        const res = await seedStorage(s, { sources: 3, articles: 95, batch: 10 });
        assert.equal(res.sourceIds.length, 3);
        assert.equal(await s.articles.count(), 95);
        assert.equal(await s.articles.maxSeq(), 95);
        const page = await s.articles.query({ limit: 5 });
        assert.equal(page.length, 5);
        assert.ok((await s.articles.query({ limit: 5, categories: [res.categories[0]!] })).length > 0);
        assert.ok((await s.articles.query({ limit: 5, q: res.words[0]! })).length > 0);
        snapshots.push(JSON.stringify(page.map(({ id, title, categories, assets, publishedAt }) => ({ id, title, categories, assets, publishedAt }))));
      } finally {
        await s.close();
      }
    }
    assert.equal(snapshots[0], snapshots[1]);
  });
});
