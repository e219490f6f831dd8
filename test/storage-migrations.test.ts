import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StorageError } from '../src/errors.js';
import { CURRENT_SCHEMA_VERSION, MIGRATIONS, appliedVersions, migrate, schemaVersion } from '../src/storage/sqlite/migrations.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';

const T0 = '2025-01-01T00:00:00.000Z';

describe('storage migrations', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-migrate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('are numbered 1..N in order, with names and SQL', () => {
    // Versions are allocated per branch in ranges, so gaps are allowed; order is not optional.
    const versions = MIGRATIONS.map((m) => m.version);
    assert.equal(versions[0], 1);
    versions.slice(1).forEach((v, i) => assert.ok(v > versions[i]!, `migration ${v} after ${versions[i]}`));
    assert.equal(CURRENT_SCHEMA_VERSION, versions[versions.length - 1]);
    for (const m of MIGRATIONS) assert.ok(m.name && m.up.trim(), `migration ${m.version}`);
  });

  it('bring an empty database to the current version, and running again changes nothing', () => {
    const db = new Database(':memory:');
    try {
      assert.deepEqual(migrate(db), { from: 0, to: CURRENT_SCHEMA_VERSION });
      assert.deepEqual(migrate(db), { from: CURRENT_SCHEMA_VERSION, to: CURRENT_SCHEMA_VERSION });
      const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'articles_fts_%' ORDER BY name`).pluck().all();
      assert.deepEqual(tables, [
        'article_categories', 'article_revisions', 'articles', 'articles_fts', 'assets', 'channels', 'counters', 'deliveries', 'delivery_payloads', 'fetch_log', 'partner_cursors', 'partner_keys', 'partners', 'schema_version', 'settings', 'sources', 'sqlite_sequence',
        'websub_contents', 'websub_deliveries', 'websub_source_subscriptions', 'websub_subscriptions', 'websub_topics',
      ]);
    } finally {
      db.close();
    }
  });

  it('upgrade a database written at version 1 and keep its data searchable', async () => {
    const file = path.join(dir, 'old.db');
    const db = new Database(file);
    assert.deepEqual(migrate(db, { to: 1 }), { from: 0, to: 1 });
    db.prepare(
      `INSERT INTO sources (id, slug, url, title, min_interval_s, max_interval_s, next_fetch_at, created_at)
       VALUES (1, 'old', 'https://old.example/rss', 'Old', 900, 3600, ?, ?)`,
    ).run(T0, T0);
    db.prepare(
      `INSERT INTO articles (id, source_id, identity_key, identity_kind, title, summary, content_html, categories,
         content_hash, seq, first_seen_at, changed_at, sort_at)
       VALUES (1, 1, 'k', 'guid', 'Harbour report', 'Ships', '<p>Cargo <em>volumes</em> rose</p>',
         '[{"term":"Économie"},{"term":"économie"},{"term":"Ports"}]', 'h', 1, ?, ?, ?)`,
    ).run(T0, T0, T0);
    db.prepare(`UPDATE counters SET value = 1 WHERE name = 'seq'`).run();
    db.close();

    const s = openSqliteStorage({ path: file });
    try {
      const raw = new Database(file, { readonly: true });
      assert.equal(schemaVersion(raw), CURRENT_SCHEMA_VERSION);
      raw.close();
      const byCategory = await s.articles.query({ limit: 5, categories: ['ÉCONOMIE'] });
      assert.deepEqual(byCategory.map((a) => a.title), ['Harbour report']);
      assert.deepEqual((await s.articles.query({ limit: 5, q: 'volumes' })).map((a) => a.id), [1]);
      assert.deepEqual(await s.articles.query({ limit: 5, q: 'em' }), [], 'backfill indexes text, not tags');
      assert.equal((await s.sources.get(1))!.title, 'Old');
      await s.ingest.recordFetch({
        sourceId: 1, startedAt: T0, ms: 1, outcome: 'modified', warnings: [], now: T0, source: { lastFetchedAt: T0 },
        items: [{ identityKey: 'k2', identityKind: 'guid', title: 'Next', authors: [], categories: [], assets: [], contentHash: 'h2' }],
      });
      assert.equal(await s.articles.maxSeq(), 2, 'the counter carried over');
      // Migration 10: the title is optional now; the old row kept its own.
      await s.ingest.recordFetch({
        sourceId: 1, startedAt: T0, ms: 1, outcome: 'modified', warnings: [], now: T0, source: { lastFetchedAt: T0 },
        items: [{ identityKey: 'k3', identityKind: 'guid', summary: 'A photo post', authors: [], categories: [], assets: [], contentHash: 'h3' }],
      });
      const all = await s.articles.query({ limit: 5 });
      assert.deepEqual(all.map((a) => [a.identityKey, a.title]).sort(), [['k', 'Harbour report'], ['k2', 'Next'], ['k3', undefined]]);
      const check = new Database(file, { readonly: true });
      assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
      check.close();
    } finally {
      await s.close();
    }
  });

  // Migration 40 (source leases) landed after 45 (raw hashes): a database migrated to 45 in
  // between has 45 without 40, and a runner going by the highest version would skip 40 forever.
  const without40 = MIGRATIONS.filter((m) => m.version !== 40);
  const hasLeaseColumns = (file: string): boolean => {
    const db = new Database(file, { readonly: true });
    try {
      return (db.pragma('table_info(sources)') as { name: string }[]).some((c) => c.name === 'lease_owner');
    } finally {
      db.close();
    }
  };

  it('apply a migration that landed after a higher one: a database at 45 without 40 gets 40 when opened', async () => {
    const file = path.join(dir, 'gap.db');
    const db = new Database(file);
    assert.deepEqual(migrate(db, { migrations: without40 }), { from: 0, to: 45 });
    assert.equal(appliedVersions(db).has(40), false);
    db.close();
    assert.equal(hasLeaseColumns(file), false);

    const s = openSqliteStorage({ path: file });
    try {
      const source = await s.sources.create({ url: 'https://gap.example/rss', slug: 'gap', title: 'Gap', categories: [], nextFetchAt: T0, now: T0 });
      const claimed = await s.leases.claimDue({ owner: 'a', now: T0, leaseUntil: '2025-01-01T00:01:00.000Z', limit: 5, perHostLimit: 2 });
      assert.deepEqual(claimed.map((c) => c.source.id), [source.id], 'leases work: 40 was applied');
    } finally {
      await s.close();
    }
    assert.ok(hasLeaseColumns(file));
    const check = new Database(file, { readonly: true });
    assert.deepEqual([...appliedVersions(check)].sort((a, b) => a - b), MIGRATIONS.map((m) => m.version));
    assert.equal(schemaVersion(check), CURRENT_SCHEMA_VERSION);
    check.close();
  });

  it('a database from before the applied-migrations table: 40 is applied if missing, and only then', () => {
    for (const has40 of [false, true]) {
      const file = path.join(dir, `legacy-${has40}.db`);
      const db = new Database(file);
      migrate(db, { migrations: has40 ? MIGRATIONS : without40 });
      // What the previous runner left: only PRAGMA user_version.
      db.exec('DROP TABLE schema_version');
      assert.equal(schemaVersion(db), 45);
      assert.deepEqual(migrate(db), { from: 45, to: CURRENT_SCHEMA_VERSION }, `with 40: ${has40}`);
      assert.deepEqual([...appliedVersions(db)].sort((a, b) => a - b), MIGRATIONS.map((m) => m.version));
      db.close();
      assert.ok(hasLeaseColumns(file));
    }
  });

  it('refuse a database that has a migration this build does not know', () => {
    const db = new Database(':memory:');
    try {
      migrate(db);
      db.prepare(`INSERT INTO schema_version (version, name) VALUES (37, 'from another branch')`).run();
      assert.throws(() => migrate(db), (err: unknown) => err instanceof StorageError && err.code === 'schema_too_new' && /version 37 is newer/.test(err.message));
    } finally {
      db.close();
    }
  });

  it('refuse a database from a newer wirefeed with one clear line', () => {
    const file = path.join(dir, 'new.db');
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    assert.throws(
      () => openSqliteStorage({ path: file }),
      (err: unknown) =>
        err instanceof StorageError &&
        err.message ===
          `storage: database schema version 99 is newer than this wirefeed supports (${CURRENT_SCHEMA_VERSION}); upgrade wirefeed or point WIREFEED_DB elsewhere` &&
        !err.message.includes('\n'),
    );
  });

  it('roll back a failing migration and keep the previous version', () => {
    const db = new Database(':memory:');
    try {
      const broken = [...MIGRATIONS.slice(0, 1), { version: 2, name: 'broken', up: 'CREATE TABLE ok_part (x INTEGER); THIS IS NOT SQL;' }];
      assert.throws(() => migrate(db, { migrations: broken }), (err: unknown) => err instanceof StorageError && /migration 2 \(broken\)/.test(err.message));
      assert.equal(schemaVersion(db), 1);
      assert.equal(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'ok_part'`).pluck().get(), 0);
    } finally {
      db.close();
    }
  });
});
