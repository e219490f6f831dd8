import assert from 'node:assert/strict';
import { rebuildSearch, resetIdentities } from '../src/storage/postgres/after-bulk-load.js';
import { articleSearchDocument } from '../src/storage/postgres/article-derived.js';
import { createPgContext, notifyChannel } from '../src/storage/postgres/context.js';
import { migratePostgres } from '../src/storage/postgres/migrations.js';
import { createPool, type PgPool } from '../src/storage/postgres/pool.js';
import { describePg, dropSchema, freshSchemaName, PG_TEST_URL } from './support/pg-schema.js';

describePg('postgres after a bulk load with explicit ids', () => {
  let schema: string;
  let pool: PgPool;
  beforeEach(async () => {
    schema = freshSchemaName();
    pool = createPool({ url: PG_TEST_URL!, schema, size: 2 });
    await migratePostgres(pool, { schema });
  });
  afterEach(async () => {
    await pool.end();
    await dropSchema(schema);
  });

  it('fills the search column and moves identities past the copied ids', async () => {
    const ctx = createPgContext({ pool, channel: notifyChannel(schema), origin: 't' });
    await pool.query(`INSERT INTO sources (id, slug, url, min_interval_s, max_interval_s, next_fetch_at, created_at) VALUES (41, 's', 'u', 1, 2, 't', 't')`);
    for (let i = 1; i <= 1200; i += 1) {
      if (i % 600 !== 0 && i !== 7) continue;
      await pool.query(
        `INSERT INTO articles (id, source_id, identity_key, identity_kind, title, summary, content_html, content_hash, seq, first_seen_at, changed_at, sort_at)
         VALUES ($1, 41, $2, 'guid', $3, 'Sum', '<p>Body <b>x</b></p>', 'h', $1, 't', 't', 't')`,
        [i, `k${i}`, `Café ${i}`],
      );
    }
    assert.equal(await ctx.tx('rebuild', (t) => rebuildSearch(t)), 3);
    const row = await pool.query(`SELECT fts::text AS fts FROM articles WHERE id = 600`);
    const want = await pool.query(`SELECT $1::tsvector::text AS fts`, [articleSearchDocument({ title: 'Café 600', summary: 'Sum', contentHtml: '<p>Body <b>x</b></p>' })]);
    assert.equal(row.rows[0].fts, want.rows[0].fts);
    await ctx.tx('identities', (t) => resetIdentities(t));
    const src = await pool.query(`INSERT INTO sources (slug, url, min_interval_s, max_interval_s, next_fetch_at, created_at) VALUES ('n', 'v', 1, 2, 't', 't') RETURNING id`);
    assert.equal(src.rows[0].id, 42);
    const log = await pool.query(`INSERT INTO fetch_log (source_id, started_at, ms, outcome) VALUES (41, 't', 1, 'ok') RETURNING id`);
    assert.equal(log.rows[0].id, 1);
  });
});
