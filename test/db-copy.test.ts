// `wirefeed db copy` between SQLite files (the PostgreSQL directions: db-copy-postgres.test.ts):
// every table copied with ids and seq, the id marks carried, the search index rebuilt, a
// non-empty target refused, a table the target lacks stops the copy, and a corrupted write
// fails the checksum and leaves the target untouched.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { copyDatabase } from '../src/services/db-copy.js';
import type { CopyTarget } from '../src/storage/copy/endpoint.js';
import { redactDatabaseUrl } from '../src/storage/database-url.js';
import { encodeValue } from '../src/storage/copy/row-checksum.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import { openSqliteCopyEndpoint } from '../src/storage/sqlite/copy-endpoint.js';
import { cli } from './support/cli-in-process.js';
import { SEED_T0, seedEveryTable } from './support/seed-every-table.js';

/** Every user table's rows in key order, integers exact. */
function dump(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const out: Record<string, unknown[]> = {};
    const tables = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'articles_fts%' AND name != 'schema_version' ORDER BY name`).pluck().all() as string[];
    for (const t of tables) {
      const pk = (db.pragma(`table_info("${t}")`) as { name: string; pk: number }[]).filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => `"${c.name}"`);
      out[t] = db.prepare(`SELECT * FROM "${t}" ORDER BY ${pk.join(', ')}`).safeIntegers(true).all();
    }
    out.sqlite_sequence = db.prepare('SELECT name, seq FROM sqlite_sequence ORDER BY name').safeIntegers(true).all();
    // Each database's own migration bookkeeping: the same versions, applied at its own times.
    out.schema_version = db.prepare('SELECT version, name FROM schema_version ORDER BY version').safeIntegers(true).all();
    return out;
  } finally {
    db.close();
  }
}

describe('db copy (SQLite to SQLite)', () => {
  let dir: string;
  let from: string;
  let to: string;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-copy-'));
    from = path.join(dir, 'from.db');
    to = path.join(dir, 'to.db');
    const s = openSqliteStorage({ path: from, writerThread: false });
    try {
      await seedEveryTable(s);
    } finally {
      await s.close();
    }
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the seed puts rows in every table the copy knows (so each is really compared)', async () => {
    const src = openSqliteCopyEndpoint(from, 'source');
    try {
      for (const t of await src.tables()) assert.ok((await src.count(t.name)) > 0, `no rows in ${t.name}: extend test/support/seed-every-table.ts`);
    } finally {
      await src.close();
    }
  });

  it('copies every table with its ids, seq and id marks, prints a verified summary, and the copy works as a database', async () => {
    const res = await cli(['db', 'copy', '--from', `sqlite:${from}`, '--to', `sqlite:${to}`], {});
    assert.equal(res.code, 0, res.err);
    const before = dump(from);
    assert.deepEqual(dump(to), before);
    for (const t of Object.keys(before).filter((t) => t !== 'sqlite_sequence' && t !== 'schema_version')) assert.match(res.out, new RegExp(`^${t} +\\d+ +[0-9a-f]{16} +same$`, 'm'), `${t} in the summary`);
    assert.match(res.out, /counts and checksums verified/);
    assert.match(res.out, /not copied: articles_fts \(full-text index/);
    assert.match(res.err, /^copied articles: 24 rows$/m);

    const removedSourceId = 3;
    const s = openSqliteStorage({ path: to, writerThread: false });
    try {
      // Full text was rebuilt from the copied rows.
      assert.equal((await s.articles.query({ limit: 10, q: 'zebra5' })).length, 2);
      // No id or seq is handed out twice.
      const src = await s.sources.create({ url: 'https://new.example.org/rss', slug: 'new', nextFetchAt: SEED_T0, now: SEED_T0 });
      assert.ok(src.id > removedSourceId, `new source id ${src.id}`);
      const maxSeq = await s.articles.maxSeq();
      await s.ingest.recordFetch({
        sourceId: src.id,
        startedAt: SEED_T0,
        ms: 1,
        outcome: 'modified',
        warnings: [],
        items: [{ identityKey: 'n', identityKind: 'guid', title: 'n', authors: [], categories: [], assets: [], contentHash: 'n' }],
        source: { lastFetchedAt: SEED_T0 },
        now: SEED_T0,
      });
      const [fresh] = await s.articles.query({ limit: 1, after: maxSeq });
      assert.ok(fresh && fresh.seq > maxSeq);
    } finally {
      await s.close();
    }
  });

  it('refuses a target that holds data unless --replace, and writes nothing when refusing', async () => {
    assert.equal((await cli(['db', 'copy', '--from', `sqlite:${from}`, '--to', `sqlite:${to}`], {})).code, 0);
    const s = openSqliteStorage({ path: to, writerThread: false });
    await s.channels.create({ slug: 'extra', title: 'Extra', now: SEED_T0 });
    await s.close();
    const snapshot = dump(to);
    const again = await cli(['db', 'copy', '--from', `sqlite:${from}`, '--to', `sqlite:${to}`], {});
    assert.equal(again.code, 2);
    assert.match(again.err, /target already holds data: .*sources \(2\).*Use --replace/);
    assert.deepEqual(dump(to), snapshot);
    const replaced = await cli(['db', 'copy', '--from', `sqlite:${from}`, '--to', `sqlite:${to}`, '--replace'], {});
    assert.equal(replaced.code, 0, replaced.err);
    assert.deepEqual(dump(to), dump(from));
  });

  it('a table in the source that the target does not have stops the copy before anything is written', async () => {
    const db = new Database(from);
    db.exec(`CREATE TABLE later_feature (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO later_feature (v) VALUES ('x');`);
    db.close();
    const res = await cli(['db', 'copy', '--from', `sqlite:${from}`, '--to', `sqlite:${to}`], {});
    assert.equal(res.code, 1);
    assert.match(res.err, /table later_feature is in the source but not in the target/);
    assert.match(res.err, /Nothing was written/);
    assert.equal(dump(to).sources!.length, 0);
  });

  it('a value changed on the way fails its table checksum and the copy is rolled back', async () => {
    const source = openSqliteCopyEndpoint(from, 'source');
    const real = openSqliteCopyEndpoint(to, 'target');
    // A target that silently alters one title as it writes it.
    const corrupting: CopyTarget = {
      ...real,
      insert: (table, columns, rows) => {
        const i = columns.indexOf('title');
        const altered = table === 'articles' ? rows.map((r, n) => (n === 4 ? r.map((v, j) => (j === i ? `${String(v)}!` : v)) : r)) : rows;
        return real.insert(table, columns, altered);
      },
    };
    try {
      const report = await copyDatabase(source, corrupting);
      assert.equal(report.ok, false);
      assert.deepEqual(report.tables.filter((t) => !t.ok).map((t) => t.table), ['articles']);
      const articles = report.tables.find((t) => t.table === 'articles')!;
      assert.equal(articles.sourceRows, articles.targetRows);
      assert.notEqual(articles.sourceChecksum, articles.targetChecksum);
    } finally {
      await source.close();
      await real.close();
    }
    assert.equal(dump(to).articles!.length, 0);
  });

  it('never shows a database password', async () => {
    assert.equal(redactDatabaseUrl('postgres://wf:hunter2@db.internal:5432/wirefeed'), 'postgres://wf:***@db.internal:5432/wirefeed');
    assert.equal(redactDatabaseUrl('postgresql://wf@db/x?sslmode=require&password=hunter2'), 'postgresql://wf@db/x?sslmode=require&password=***');
    assert.equal(redactDatabaseUrl('sqlite:data/wirefeed.db'), 'sqlite:data/wirefeed.db');
    const res = await cli(['db', 'copy', '--from', `sqlite:${from}`, '--to', 'postgres://wf:hunter2@127.0.0.1:1/none?password=hunter2'], {});
    assert.notEqual(res.code, 0);
    assert.doesNotMatch(res.out + res.err, /hunter2/);
    const bad = await cli(['db', 'copy', '--from', 'mysql://wf:hunter2@h/db', '--to', `sqlite:${to}`], {});
    assert.equal(bad.code, 2);
    assert.doesNotMatch(bad.out + bad.err, /hunter2/);
  });

  it('encodes a value by its column kind, whatever JS type the driver returned', () => {
    const same = (kind: 'integer' | 'text' | 'real', values: unknown[]) => new Set(values.map((v) => encodeValue(kind, v).toString('hex'))).size === 1;
    assert.ok(same('integer', [12n, 12, '12', '+12'.slice(1)]));
    assert.ok(same('integer', [1, true, 1n]));
    assert.ok(same('real', [1.5, '1.5']));
    assert.notEqual(encodeValue('integer', 12).toString('hex'), encodeValue('text', '12').toString('hex'));
    assert.notEqual(encodeValue('text', '').toString('hex'), encodeValue('text', null).toString('hex'));
    assert.throws(() => encodeValue('integer', 'twelve'));
  });
});
