// Storage at scale on PostgreSQL (issue 13): 1,000,000 articles across 2,000 sources in a
// database of its own (created here, dropped at the end), then p50/p99 of the five page shapes
// bench/storage.bench.ts measures on SQLite, through storage.articles.query, each against a bare
// `SELECT id FROM articles ORDER BY id DESC LIMIT 50` on the same database over its own
// connection. Seeded with INSERT … SELECT generate_series (the write path is not what is
// measured here, and a million recordFetch calls would take most of an hour on this machine):
// the same columns, categories, assets and search vectors the repositories write, in the same
// shape as bench/storage-seed.ts (3 title words, 2 summary words, 4 body words out of 30).
// Needs WIREFEED_BENCH_DATABASE_URL or WIREFEED_TEST_DATABASE_URL (a server where it may
// create a database); without one it reports nothing.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { ArticleQuery } from '../src/model/types.js';
import { openStorage } from '../src/storage/open.js';
import { percentile, prng, round } from './support/stats.js';
import type { BenchModule, BenchResult } from './types.js';

const WORDS = [
  'climate', 'summit', 'election', 'market', 'harbour', 'energy', 'football', 'science', 'health', 'budget',
  'court', 'storm', 'museum', 'railway', 'vaccine', 'satellite', 'festival', 'drought', 'merger', 'strike',
  'ceasefire', 'glacier', 'startup', 'orchestra', 'tariff', 'wildfire', 'parliament', 'telescope', 'harvest', 'protest',
];
const CATEGORIES = ['World', 'Politics', 'Business', 'Sport', 'Science', 'Culture', 'Health', 'Technology', 'Climate', 'Local'];

/** The k-th pseudo-random word of article n (the same in every run). */
const wordSql = (k: number) => `(ARRAY[${WORDS.map((w) => `'${w}'`).join(',')}])[1 + ((n * 2654435761 + ${k * 40503}) % 30)]`;

/** Time of article n: one minute apart, the newest at 2025-06-01, as the repositories store it. */
const timeSql = (articles: number) => `to_char(timestamp '2025-06-01 00:00:00' - (${articles} - n) * interval '1 minute', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

async function seed(c: pg.Client, articles: number, sources: number, log: (l: string) => void): Promise<void> {
  const t0 = performance.now();
  await c.query(`INSERT INTO sources (id, slug, url, title, categories, min_interval_s, max_interval_s, next_fetch_at, created_at, host)
    SELECT i, 'source-' || i, 'https://source' || i || '.example.com/feed.xml', 'Source ' || i, '["' || (ARRAY[${CATEGORIES.map((w) => `'${w}'`).join(',')}])[1 + i % 10] || '"]',
           300, 86400, '2025-06-01T00:00:00.000Z', '2025-06-01T00:00:00.000Z', 'source' || i || '.example.com'
    FROM generate_series(1, ${sources}) AS i`);
  // Rounds of 50 items per source, like bench/storage-seed.ts: ids interleave across sources.
  await c.query(`INSERT INTO articles (id, source_id, identity_key, identity_kind, url, title, summary, content_html, authors, categories,
      published_at, content_hash, seq, first_seen_at, changed_at, sort_at, fts)
    SELECT n, src, key, 'link', key, title, summary, body, '[{"name":"Reporter ' || n % 97 || '"}]', '[{"term":"' || cat || '"}]',
           at, 'seed-' || n, n, at, at, at,
           to_tsvector('simple', title || ' ' || summary || ' ' || title || ' ' || body_words)
    FROM (
      SELECT n, src, 'https://source' || src || '.example.com/article/' || n AS key, at, cat,
             ${wordSql(1)} || ' ' || ${wordSql(2)} || ' ' || ${wordSql(3)} || ' report ' || n AS title,
             ${wordSql(4)} || ' and ' || ${wordSql(5)} || ': a short summary of item ' || n || '.' AS summary,
             ${wordSql(6)} || ' ' || ${wordSql(7)} || ' ' || ${wordSql(8)} || ' ' || ${wordSql(9)} || '. More' AS body_words,
             '<p>' || ${wordSql(6)} || ' ' || ${wordSql(7)} || ' ' || ${wordSql(8)} || ' ' || ${wordSql(9)} || '.</p><p><a href="https://example.com/' || n || '">More</a></p>' AS body
      FROM (
        SELECT n, 1 + ((n - 1) / 50) % ${sources} AS src, ${timeSql(articles)} AS at,
               (ARRAY[${CATEGORIES.map((w) => `'${w}'`).join(',')}])[1 + (n * 7919) % 10] AS cat
        FROM generate_series(1::bigint, ${articles}) AS n
      ) base
    ) rows`);
  log(`articles inserted in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  await c.query(`INSERT INTO article_categories (article_id, term_lower, sort_at)
    SELECT id, lower(categories::json -> 0 ->> 'term'), sort_at FROM articles`);
  // A second, other category on 30% of the articles.
  await c.query(`INSERT INTO article_categories (article_id, term_lower, sort_at)
    SELECT id, lower((ARRAY[${CATEGORIES.map((w) => `'${w}'`).join(',')}])[1 + (id * 31) % 10]), sort_at FROM articles
    WHERE id % 10 < 3 ON CONFLICT DO NOTHING`);
  await c.query(`INSERT INTO assets (article_id, position, url, mime_type, medium, width, height, caption, credit)
    SELECT id, 0, 'https://cdn.example.com/' || id || '.jpg', 'image/jpeg', 'image', 1200, 800, 'Photo for ' || id, 'Staff'
    FROM articles WHERE id % 2 = 0`);
  await c.query(`UPDATE counters SET value = ${articles} WHERE name = 'seq'`);
  for (const t of ['sources', 'articles']) await c.query(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), (SELECT max(id) FROM ${t}))`);
  await c.query('VACUUM ANALYZE');
  log(`seeded ${articles} articles in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

async function timedAsync(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

export const run: BenchModule = async ({ quick, log }) => {
  const adminUrl = process.env.WIREFEED_BENCH_DATABASE_URL || process.env.WIREFEED_TEST_DATABASE_URL;
  if (!adminUrl) {
    log('skipped: set WIREFEED_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test (a server where it may create a database)');
    return [];
  }
  const results: BenchResult[] = [];
  const articles = quick ? 100_000 : 1_000_000;
  const sources = quick ? 200 : 2_000;
  const name = `wf_bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const bare = new pg.Client({ connectionString: url });
  try {
    const storage = await openStorage({ url, poolSize: 4, instanceId: 'bench' });
    try {
      await bare.connect();
      await seed(bare, articles, sources, log);
      const sourceIds = (await bare.query<{ id: string }>('SELECT id FROM sources ORDER BY id')).rows.map((r) => Number(r.id));
      const rnd = prng(99);
      const pick = <T>(list: readonly T[]) => list[Math.floor(rnd() * list.length)]!;
      const N = quick ? 100 : 400;
      const shapes: { name: string; make: () => ArticleQuery; target: number }[] = [
        { name: 'all, newest 50', make: () => ({ limit: 50 }), target: 2 },
        { name: 'one source, newest 50', make: () => ({ sourceIds: [pick(sourceIds)], limit: 50 }), target: 2 },
        { name: 'one category, newest 50', make: () => ({ categories: [pick(CATEGORIES)], limit: 50 }), target: 2 },
        { name: 'cursor page (after=seq), 50', make: () => ({ after: Math.floor(rnd() * articles), limit: 50 }), target: 2 },
        { name: 'full text (one word), newest 50', make: () => ({ q: pick(WORDS), limit: 50 }), target: 10 },
      ];
      const bareQuery = () => bare.query('SELECT id FROM articles ORDER BY id DESC LIMIT 50');
      // Warm both (shared buffers, plans), then interleave so noise hits both alike.
      for (let i = 0; i < 20; i++) await bareQuery();
      for (const s of shapes) for (let i = 0; i < 10; i++) await storage.articles.query(s.make());
      for (const s of shapes) {
        const ours: number[] = [];
        const base: number[] = [];
        for (let i = 0; i < N; i++) {
          const q = s.make();
          const rows = await storage.articles.query(q);
          if (i === 0 && rows.length === 0) throw new Error(`bench: ${s.name} found nothing: the seed does not match the query`);
          ours.push(await timedAsync(() => storage.articles.query(q)));
          base.push(await timedAsync(bareQuery));
        }
        const p50 = percentile(ours, 50);
        const p99 = percentile(ours, 99);
        const b50 = percentile(base, 50);
        log(`${s.name}: p50 ${p50.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms (bare p50 ${b50.toFixed(3)} ms)`);
        results.push({
          name: `PostgreSQL: query ${s.name} at ${articles.toLocaleString('en-US')} articles (p50)`,
          subject: { name: 'storage.articles.query, full rows + assets', value: round(p50, 3), unit: 'ms' },
          baseline: { name: 'bare SELECT id … ORDER BY id DESC LIMIT 50 (own connection)', value: round(b50, 3), unit: 'ms' },
          ratio: round(b50 / p50, 3),
          target: `p50 < ${s.target} ms`,
          pass: p50 < s.target,
          notes: `p99 ${p99.toFixed(2)} ms (bare p99 ${percentile(base, 99).toFixed(2)} ms); ${N} queries, varied parameters; PostgreSQL on loopback`,
        });
      }
      const size = await bare.query<{ bytes: string }>('SELECT pg_database_size(current_database()) AS bytes');
      const bytes = Number(size.rows[0]!.bytes);
      log(`database size ${(bytes / 2 ** 20).toFixed(0)} MiB (${(bytes / articles).toFixed(0)} bytes per article, indexes included)`);
      results.push({
        name: `PostgreSQL: database size at ${articles.toLocaleString('en-US')} articles`,
        subject: { name: 'pg_database_size', value: round(bytes / 2 ** 20, 0), unit: 'MiB' },
        target: 'information (capacity model)',
        pass: true,
        notes: `${(bytes / articles).toFixed(0)} bytes per article with its categories, assets (half of them), search vector and indexes`,
      });
    } finally {
      await storage.close();
    }
  } finally {
    await bare.end().catch(() => undefined);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  return results;
};
