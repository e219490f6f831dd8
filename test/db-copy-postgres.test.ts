// `wirefeed db copy` with PostgreSQL (skipped without WIREFEED_TEST_DATABASE_URL): SQLite →
// PostgreSQL → SQLite gives back every row of every table exactly, with the per-table checksums
// of both copies equal (one encoding for both backends), the identities moved past the removed
// source's id, and a non-empty PostgreSQL target refused.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { copyDatabase } from '../src/services/db-copy.js';
import { openPostgresCopyEndpoint } from '../src/storage/postgres/copy-endpoint.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import { openSqliteCopyEndpoint } from '../src/storage/sqlite/copy-endpoint.js';
import { describePg, dropSchema, freshSchemaName, PG_TEST_URL, pgExec, schemaUrl } from './support/pg-schema.js';
import { cli } from './support/cli-in-process.js';
import { SEED_T0, seedEveryTable } from './support/seed-every-table.js';

function dump(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const out: Record<string, unknown[]> = {};
    const tables = db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'articles_fts%' AND name != 'schema_version' ORDER BY name`).pluck().all() as string[];
    for (const t of tables) {
      const pk = (db.pragma(`table_info("${t}")`) as { name: string; pk: number }[]).filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => `"${c.name}"`);
      out[t] = db.prepare(`SELECT * FROM "${t}" ORDER BY ${pk.join(', ')}`).safeIntegers(true).all();
    }
    // Each database's own migration bookkeeping: the same versions, applied at its own times.
    out.schema_version = db.prepare('SELECT version, name FROM schema_version ORDER BY version').safeIntegers(true).all();
    // The id high-water marks: a removed row's id stays used after a round trip.
    out.sqlite_sequence = db.prepare('SELECT name, seq FROM sqlite_sequence ORDER BY name').safeIntegers(true).all();
    return out;
  } finally {
    db.close();
  }
}

describePg('db copy between SQLite and PostgreSQL', function () {
  this.timeout(60_000);
  let dir: string;
  let schema: string;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-pgcopy-'));
    schema = freshSchemaName();
    const s = openSqliteStorage({ path: path.join(dir, 'from.db'), writerThread: false });
    try {
      await seedEveryTable(s);
    } finally {
      await s.close();
    }
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropSchema(schema);
  });

  it('SQLite → PostgreSQL → SQLite keeps every row of every table, with equal checksums on both backends', async () => {
    const from = path.join(dir, 'from.db');
    const back = path.join(dir, 'back.db');
    const src = openSqliteCopyEndpoint(from, 'source');
    const pgTarget = await openPostgresCopyEndpoint({ url: PG_TEST_URL!, schema });
    const toPg = await copyDatabase(src, pgTarget);
    await src.close();
    await pgTarget.close();
    assert.ok(toPg.ok, JSON.stringify(toPg.tables.filter((t) => !t.ok)));
    assert.ok(toPg.tables.length >= 19);
    assert.deepEqual(toPg.skipped.map((s) => `${s.table}${s.column ? `.${s.column}` : ''}`).filter((n) => n.includes('fts')), ['articles_fts']);
    const sourcesMark = toPg.idMarks.find((m) => m.table === 'sources')!;
    assert.equal(sourcesMark.target, 3n, 'the removed source 3 stays used');

    // Back to SQLite. Columns PostgreSQL has that this SQLite schema lacks (a twin ahead of its
    // SQLite migration) must stop the copy by name, never be dropped silently.
    const pgSource = await openPostgresCopyEndpoint({ url: PG_TEST_URL!, schema });
    const sqliteTarget = openSqliteCopyEndpoint(back, 'target');
    const sqliteCols = new Set((await sqliteTarget.tables()).flatMap((t) => t.columns.map((c) => `${t.name}.${c.name}`)));
    const pgOnly = (await pgSource.tables()).flatMap((t) => t.columns.map((c) => `${t.name}.${c.name}`)).filter((c) => !sqliteCols.has(c));
    if (pgOnly.length) {
      await assert.rejects(copyDatabase(pgSource, sqliteTarget), (err: Error) => pgOnly.every((c) => err.message.includes(`column ${c} is in the source but not in the target`)));
      await pgSource.close();
      await sqliteTarget.close();
      return;
    }
    const fromPg = await copyDatabase(pgSource, sqliteTarget);
    await pgSource.close();
    await sqliteTarget.close();
    assert.ok(fromPg.ok, JSON.stringify(fromPg.tables.filter((t) => !t.ok)));
    assert.ok(fromPg.skipped.some((s) => s.table === 'articles' && s.column === 'fts'));
    // The same checksums whichever backend computed them.
    for (const t of fromPg.tables) assert.equal(t.sourceChecksum, toPg.tables.find((x) => x.table === t.table)!.sourceChecksum, t.table);
    assert.deepEqual(dump(back), dump(from));
    const s = openSqliteStorage({ path: back, writerThread: false });
    try {
      assert.equal((await s.articles.query({ limit: 10, q: 'zebra5' })).length, 2);
    } finally {
      await s.close();
    }
  });

  it('`wirefeed db copy` sqlite → postgres → sqlite: both runs verify counts and checksums, and the file comes back with every row, id and seq', async () => {
    const from = path.join(dir, 'from.db');
    const back = path.join(dir, 'back.db');
    // The CLI names the schema as a user would: libpq `options` setting the session's search_path.
    const pgUrl = schemaUrl(schema);
    await pgExec(`CREATE SCHEMA ${schema}`);
    const summary = (out: string) => Object.fromEntries([...out.matchAll(/^(\w+) +(\d+) +([0-9a-f]{16}) +same$/gm)].map((m) => [m[1]!, [Number(m[2]), m[3]]]));

    const there = await cli(['db', 'copy', '--from', `sqlite:${from}`, '--to', pgUrl], {});
    assert.equal(there.code, 0, there.err);
    assert.match(there.out, /counts and checksums verified/);
    const back1 = await cli(['db', 'copy', '--from', pgUrl, '--to', `sqlite:${back}`], {});
    assert.equal(back1.code, 0, back1.err);
    assert.match(back1.out, /counts and checksums verified/);

    const before = dump(from);
    const tables = Object.keys(before).filter((t) => t !== 'sqlite_sequence' && t !== 'schema_version');
    const thereSummary = summary(there.out);
    assert.deepEqual(Object.keys(thereSummary).sort(), [...tables].sort(), 'one verified line per table');
    for (const t of tables) assert.equal(thereSummary[t]![0], before[t]!.length, `${t}: rows counted`);
    assert.deepEqual(summary(back1.out), thereSummary, 'the same counts and checksums in both directions');
    assert.deepEqual(dump(back), before, 'every row, ids, seq counter and id marks');
    const s = openSqliteStorage({ path: back, writerThread: false });
    try {
      // The search index was rebuilt from the copied rows; the removed source's id stays used.
      assert.equal((await s.articles.query({ limit: 10, q: 'zebra5' })).length, 2);
      const added = await s.sources.create({ url: 'https://after.example/feed', slug: 'after-copy', nextFetchAt: SEED_T0, now: SEED_T0 });
      assert.ok(added.id > 3, `a new source gets id ${added.id}, not the removed source's 3`);
    } finally {
      await s.close();
    }
  });

  it('refuses a PostgreSQL target that holds data, writing nothing', async () => {
    const from = path.join(dir, 'from.db');
    const copy = async (replace: boolean) => {
      const src = openSqliteCopyEndpoint(from, 'source');
      const target = await openPostgresCopyEndpoint({ url: PG_TEST_URL!, schema });
      try {
        return await copyDatabase(src, target, { replace });
      } finally {
        await src.close();
        await target.close();
      }
    };
    assert.ok((await copy(false)).ok);
    await assert.rejects(copy(false), /target already holds data: sources \(2\)/);
    assert.ok((await copy(true)).ok);
  });
});
