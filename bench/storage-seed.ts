// Fills a database with synthetic sources and articles for the scale benchmarks, through the
// real write path (ingest.recordFetch), one transaction per source batch (1,000,000 articles
// over 2,000 sources: about 90 s, ~970 MiB). Deterministic: the same options give the same data.
import type { ArticleInput, AssetInput, Category } from '../src/model/types.js';
import { prng } from './support/stats.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import type { Storage } from '../src/storage/repos.js';

export interface SeedOptions {
  sources: number;
  articles: number;
  /** Items per recordFetch call (one transaction each); default 50. */
  batch?: number;
  /** Newest publication date; older articles step back one minute each. */
  now?: Date;
}

export interface SeedResult {
  sourceIds: number[];
  articles: number;
  /** Category terms used, most frequent first. */
  categories: string[];
  /** Words every title draws from, for full-text probes. */
  words: string[];
  ms: number;
}

const WORDS = [
  'climate', 'summit', 'election', 'market', 'harbour', 'energy', 'football', 'science', 'health', 'budget',
  'court', 'storm', 'museum', 'railway', 'vaccine', 'satellite', 'festival', 'drought', 'merger', 'strike',
  'ceasefire', 'glacier', 'startup', 'orchestra', 'tariff', 'wildfire', 'parliament', 'telescope', 'harvest', 'protest',
];
const CATEGORIES = ['World', 'Politics', 'Business', 'Sport', 'Science', 'Culture', 'Health', 'Technology', 'Climate', 'Local'];


function makeItem(n: number, sourceIndex: number, publishedAt: string, rnd: () => number): ArticleInput {
  const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
  const title = `${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} report ${n}`;
  const categories: Category[] = [{ term: pick(CATEGORIES) }];
  if (rnd() < 0.3) categories.push({ term: pick(CATEGORIES).toLowerCase() });
  const assets: AssetInput[] =
    rnd() < 0.5
      ? [{ url: `https://cdn.example.com/s${sourceIndex}/${n}.jpg`, mimeType: 'image/jpeg', medium: 'image', width: 1200, height: 800, caption: `Photo for ${n}`, credit: 'Staff' }]
      : [];
  return {
    identityKey: `https://source${sourceIndex}.example.com/article/${n}`,
    identityKind: 'link',
    url: `https://source${sourceIndex}.example.com/article/${n}`,
    title,
    summary: `${pick(WORDS)} and ${pick(WORDS)}: a short summary of item ${n}.`,
    contentHtml: `<p>${title}. ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)} ${pick(WORDS)}.</p><p><a href="https://example.com/${n}">More</a></p>`,
    authors: [{ name: `Reporter ${n % 97}` }],
    categories,
    publishedAt,
    assets,
    contentHash: `seed-${n}`,
  };
}

export async function seedStorage(target: Storage | string, opts: SeedOptions): Promise<SeedResult> {
  const storage = typeof target === 'string' ? openSqliteStorage({ path: target }) : target;
  const started = performance.now();
  try {
    const batch = Math.max(1, opts.batch ?? 50);
    const newest = (opts.now ?? new Date('2025-06-01T00:00:00.000Z')).getTime();
    const nowIso = new Date(newest).toISOString();
    const rnd = prng(42);
    const sourceIds: number[] = [];
    for (let i = 0; i < opts.sources; i++) {
      const src = await storage.sources.create({
        url: `https://source${i}.example.com/feed.xml`,
        slug: `source-${i}`,
        title: `Source ${i}`,
        categories: [CATEGORIES[i % CATEGORIES.length]!],
        nextFetchAt: nowIso,
        now: nowIso,
      });
      sourceIds.push(src.id);
    }
    // Rounds over all sources, `batch` items each, like a live system where every source posts
    // now and then: ids interleave across sources and publication time grows with the id.
    let n = 0;
    while (n < opts.articles) {
      for (let i = 0; i < opts.sources && n < opts.articles; i++) {
        const items: ArticleInput[] = [];
        for (let k = 0; k < batch && n < opts.articles; k++, n++) {
          items.push(makeItem(n, i, new Date(newest - (opts.articles - n) * 60_000).toISOString(), rnd));
        }
        await storage.ingest.recordFetch({
          sourceId: sourceIds[i]!,
          startedAt: nowIso,
          ms: 1,
          outcome: 'modified',
          httpStatus: 200,
          warnings: [],
          items,
          source: { lastFetchedAt: nowIso, lastSuccessAt: nowIso },
          now: items[items.length - 1]!.publishedAt!,
        });
      }
    }
    await storage.maintenance();
    return { sourceIds, articles: opts.articles, categories: CATEGORIES, words: WORDS, ms: performance.now() - started };
  } finally {
    if (typeof target === 'string') await storage.close();
  }
}
