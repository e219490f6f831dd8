import assert from 'node:assert/strict';
import { createPgContext, notifyChannel } from '../src/storage/postgres/context.js';
import { PG_MIGRATIONS, PG_SCHEMA_VERSION, migratePostgres, pgSchemaVersion } from '../src/storage/postgres/migrations.js';
import { createPool, redactDatabaseUrl, type PgPool } from '../src/storage/postgres/pool.js';
import { allocateSeq, lastSeq } from '../src/storage/postgres/seq.js';
import { describePg, dropSchema, freshSchemaName, PG_TEST_URL } from './support/pg-schema.js';

describe('postgres pool', () => {
  it('masks the password of a database URL', () => {
    assert.equal(redactDatabaseUrl('postgres://u:s3cret@db.example:5432/x'), 'postgres://u:***@db.example:5432/x');
    assert.equal(redactDatabaseUrl('postgres://u@h/x'), 'postgres://u@h/x');
    assert.doesNotMatch(redactDatabaseUrl('postgres://u:s3cr%20et@h/x'), /s3cr/);
  });
  it('refuses a schema name that would need quoting', () => {
    assert.throws(() => createPool({ url: 'postgres://h/x', schema: 'a; DROP TABLE x' }), /schema name/);
  });
});

describePg('postgres base (migrations, seq, transactions)', () => {
  let schema: string;
  let pools: PgPool[];
  const pool = (size?: number) => {
    const p = createPool({ url: PG_TEST_URL!, schema, size });
    pools.push(p);
    return p;
  };
  beforeEach(() => {
    schema = freshSchemaName();
    pools = [];
  });
  afterEach(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await dropSchema(schema);
  });

  it('migrates once when two instances start together, and again finds nothing to do', async () => {
    const [a, b] = [pool(), pool()];
    const results = await Promise.all([migratePostgres(a, { schema }), migratePostgres(b, { schema })]);
    assert.deepEqual(
      results.map((r) => r.to),
      [PG_SCHEMA_VERSION, PG_SCHEMA_VERSION],
    );
    assert.deepEqual(results.map((r) => r.from).sort(), [0, PG_SCHEMA_VERSION]);
    assert.equal(await pgSchemaVersion(a), PG_SCHEMA_VERSION);
    assert.deepEqual(await migratePostgres(a, { schema }), { from: PG_SCHEMA_VERSION, to: PG_SCHEMA_VERSION });
    const rows = await a.query('SELECT count(*)::int AS n FROM schema_version');
    assert.equal(rows.rows[0].n, PG_MIGRATIONS.length);
  });

  it('applies a migration that landed after a higher one (a schema at 45 without 40 gets 40)', async () => {
    const p = pool();
    assert.deepEqual(await migratePostgres(p, { schema }), { from: 0, to: PG_SCHEMA_VERSION });
    const late = { version: PG_SCHEMA_VERSION - 5, name: 'late', up: 'CREATE TABLE t_late (x int)' };
    const withLate = [...PG_MIGRATIONS.filter((m) => m.version < late.version), late, ...PG_MIGRATIONS.filter((m) => m.version > late.version)];
    assert.deepEqual(await migratePostgres(p, { schema, migrations: withLate }), { from: PG_SCHEMA_VERSION, to: PG_SCHEMA_VERSION });
    assert.equal((await p.query(`SELECT to_regclass('t_late') AS t`)).rows[0].t, 't_late');
    const versions = (await p.query<{ version: number }>('SELECT version FROM schema_version ORDER BY version')).rows.map((r) => r.version);
    assert.deepEqual(versions, withLate.map((m) => m.version));
    // Applied once: running again finds nothing to do (CREATE TABLE would fail a second time).
    assert.deepEqual(await migratePostgres(p, { schema, migrations: withLate }), { from: PG_SCHEMA_VERSION, to: PG_SCHEMA_VERSION });
  });

  it('refuses a schema written by a newer version', async () => {
    const p = pool();
    await migratePostgres(p, { schema });
    await p.query(`INSERT INTO schema_version (version, name) VALUES (9999, 'future')`);
    await assert.rejects(migratePostgres(p, { schema }), /newer than this wirefeed supports/);
  });

  it('rolls back a failing migration with its version', async () => {
    const p = pool();
    const bad = [...PG_MIGRATIONS, { version: PG_SCHEMA_VERSION + 1, name: 'bad', up: 'CREATE TABLE t_ok (x int); SELECT 1/0' }];
    await assert.rejects(migratePostgres(p, { schema, migrations: bad }), /migration \d+ \(bad\) failed/);
    assert.equal(await pgSchemaVersion(p), PG_SCHEMA_VERSION);
    const t = await p.query(`SELECT to_regclass('t_ok') AS t`);
    assert.equal(t.rows[0].t, null);
  });

  it('returns BIGINT columns as numbers', async () => {
    const p = pool();
    await migratePostgres(p, { schema });
    const r = await p.query(`SELECT value FROM counters WHERE name = 'seq'`);
    assert.equal(r.rows[0].value, 0);
    await assert.rejects(p.query(`SELECT 9007199254740993::bigint AS big`), /beyond 2\^53/);
  });

  it('hands out seq in commit order: a writer that takes seq later cannot commit earlier', async () => {
    const p = pool(4);
    await migratePostgres(p, { schema });
    const ctx = createPgContext({ pool: p, channel: notifyChannel(schema), origin: 't' });
    const order: string[] = [];
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((r) => (releaseFirst = r));
    let firstHasSeq!: () => void;
    const seqTaken = new Promise<void>((r) => (firstHasSeq = r));
    const first = ctx.tx('first', async (t) => {
      const s = await allocateSeq(t, 2);
      firstHasSeq();
      await firstHolds;
      order.push('first commits');
      return s;
    });
    await seqTaken;
    const second = ctx.tx('second', async (t) => {
      const s = await allocateSeq(t, 1);
      order.push('second has seq');
      return s;
    });
    // The second writer waits on the seq row while the first is open.
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(order, []);
    releaseFirst();
    assert.equal(await first, 1);
    assert.equal(await second, 3);
    assert.deepEqual(order, ['first commits', 'second has seq']);
    assert.equal(await lastSeq(ctx), 3);
  });

  it('rolls back a failed transaction entirely and counts only commits', async () => {
    const p = pool();
    await migratePostgres(p, { schema });
    const ctx = createPgContext({ pool: p, channel: notifyChannel(schema), origin: 't' });
    await assert.rejects(
      ctx.tx('boom', async (t) => {
        await t.exec(`INSERT INTO settings (key, value) VALUES ('a', '1')`);
        await t.exec(`INSERT INTO settings (key, value) VALUES ('a', '2')`);
      }),
      /storage: boom failed: .*duplicate key/,
    );
    assert.equal(await ctx.one(`SELECT * FROM settings`), undefined);
    assert.equal(ctx.commits.data, 0);
    await ctx.tx('ok', (t) => t.exec(`INSERT INTO settings (key, value) VALUES ('a', '1')`));
    await ctx.tx('quiet', (t) => t.exec(`UPDATE settings SET value = '2'`), { kind: 'none' });
    assert.deepEqual(ctx.commits, { data: 1, partners: 0 });
  });
});
