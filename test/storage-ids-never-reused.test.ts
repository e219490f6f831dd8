// Migration 5 rebuilds sources and articles with AUTOINCREMENT: on a database written at
// version 4 every row, index, trigger and full-text entry must survive unchanged, and an id
// that was ever used (or that a channel still names) is never handed out again.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { migrate, schemaVersion } from '../src/storage/sqlite/migrations.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';

const T0 = '2025-01-01T00:00:00.000Z';
const DATA_TABLES = ['sources', 'articles', 'assets', 'article_categories', 'fetch_log', 'channels', 'counters'];

function dump(db: Database.Database): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const t of DATA_TABLES) out[t] = db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all();
  return out;
}

/** Index, trigger and table names besides the rebuilt tables' own names. */
function schemaObjects(db: Database.Database): string[] {
  return db.prepare(`SELECT type || ' ' || name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY 1`).pluck().all() as string[];
}

function seedVersion4(file: string): void {
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  assert.deepEqual(migrate(db, { to: 4 }), { from: 0, to: 4 });
  const src = db.prepare(
    `INSERT INTO sources (id, slug, url, title, min_interval_s, max_interval_s, next_fetch_at, created_at, body_hash, etag)
     VALUES (?, ?, ?, ?, 300, 3600, ?, ?, ?, ?)`,
  );
  src.run(1, 'wire-a', 'https://a.example/rss', 'A', T0, T0, 'hash-a', '"e1"');
  src.run(2, 'wire-b', 'https://b.example/rss', 'B', T0, T0, null, null);
  const art = db.prepare(
    `INSERT INTO articles (id, source_id, identity_key, identity_kind, title, summary, content_html, categories, content_hash, seq,
       first_seen_at, changed_at, sort_at) VALUES (?, ?, ?, 'guid', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  art.run(1, 1, 'k1', 'Harbour report', 'Ships', '<p>Cargo volumes rose</p>', '[{"term":"Ports"}]', 'h1', 1, T0, T0, T0);
  art.run(2, 2, 'k2', 'Bridge deal', null, '<p>Two towns agree</p>', '[]', 'h2', 2, T0, T0, T0);
  db.prepare(`INSERT INTO article_categories (article_id, term_lower, sort_at) VALUES (1, 'ports', ?)`).run(T0);
  db.prepare(`INSERT INTO assets (article_id, position, url, medium, size) VALUES (1, 0, 'https://a.example/p.jpg', 'image', 1234)`).run();
  db.prepare(`INSERT INTO articles_fts (rowid, title, summary, body) SELECT id, title, coalesce(summary, ''), content_html FROM articles`).run();
  db.prepare(`INSERT INTO fetch_log (source_id, started_at, ms, outcome, items_new) VALUES (1, ?, 12, 'modified', 1)`).run(T0);
  db.prepare(`UPDATE counters SET value = 2 WHERE name = 'seq'`).run();
  // A channel still naming source 7, removed before this version existed.
  db.prepare(`INSERT INTO channels (slug, title, filter, default_limit, created_at) VALUES ('onlyc', 'Only C', '{"sourceIds":[7]}', 50, ?)`).run(T0);
  db.close();
}

describe('storage: ids are never reused (migration 5)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-ids-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('upgrades a version-4 database with every row, index, trigger and FTS entry intact', () => {
    const file = path.join(dir, 'v4.db');
    seedVersion4(file);
    const before = new Database(file);
    const rowsBefore = dump(before);
    const objectsBefore = schemaObjects(before);
    before.close();

    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    migrate(db, { to: 5 });
    try {
      assert.equal(schemaVersion(db), 5);
      assert.deepEqual(dump(db), rowsBefore, 'data identical');
      assert.deepEqual(schemaObjects(db), objectsBefore, 'same tables, indexes and triggers');
      assert.equal(db.pragma('foreign_keys', { simple: true }), 1, 'foreign keys back on');
      assert.deepEqual(db.pragma('foreign_key_check'), []);
      assert.deepEqual(db.prepare(`SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'cargo'`).pluck().all(), [1]);
      assert.match(db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'sources'`).pluck().get() as string, /AUTOINCREMENT/);
      assert.match(db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'articles'`).pluck().get() as string, /AUTOINCREMENT/);
      // The delete trigger still reaches the index, and cascades still work.
      db.prepare('DELETE FROM sources WHERE id = 1').run();
      assert.deepEqual(db.prepare(`SELECT rowid FROM articles_fts WHERE articles_fts MATCH 'cargo'`).pluck().all(), []);
      assert.equal(db.prepare('SELECT count(*) FROM assets').pluck().get(), 0);
      assert.equal(db.prepare('SELECT count(*) FROM fetch_log').pluck().get(), 0);
    } finally {
      db.close();
    }
  });

  it('never hands out a removed id, nor one a channel still names', async () => {
    const file = path.join(dir, 'v4.db');
    seedVersion4(file);
    const s = openSqliteStorage({ path: file });
    try {
      const add = (slug: string) =>
        s.sources.create({ url: `https://${slug}.example/rss`, slug, categories: [], minIntervalS: 300, maxIntervalS: 3600, nextFetchAt: T0, now: T0 });
      const third = await add('third');
      assert.equal(third.id, 8, 'above the id channel "onlyc" still names');
      assert.ok(await s.sources.remove(third.id));
      const fourth = await add('fourth');
      assert.equal(fourth.id, 9, 'the removed id 8 is not reused');

      await s.ingest.recordFetch({
        sourceId: fourth.id, startedAt: T0, ms: 1, outcome: 'modified', warnings: [], now: T0, source: { lastFetchedAt: T0 },
        items: [{ identityKey: 'n1', identityKind: 'guid', title: 'Newest', authors: [], categories: [], assets: [], contentHash: 'n' }],
      });
      const [newest] = await s.articles.query({ limit: 1, sourceIds: [fourth.id] });
      assert.equal(newest!.id, 3);
      assert.ok(await s.sources.remove(fourth.id));
      await s.ingest.recordFetch({
        sourceId: 2, startedAt: T0, ms: 1, outcome: 'modified', warnings: [], now: T0, source: { lastFetchedAt: T0 },
        items: [{ identityKey: 'n2', identityKind: 'guid', title: 'After', authors: [], categories: [], assets: [], contentHash: 'm' }],
      });
      const ids = (await s.articles.query({ limit: 5, sourceIds: [2] })).map((a) => a.id).sort();
      assert.deepEqual(ids, [2, 4], 'article id 3 (deleted with its source) is not reused');
    } finally {
      await s.close();
    }
  });
});
