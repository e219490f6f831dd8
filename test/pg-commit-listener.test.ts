import assert from 'node:assert/strict';
import { startCommitListener, type CommitListener } from '../src/storage/postgres/commit-listener.js';
import { createPgContext, notifyChannel } from '../src/storage/postgres/context.js';
import { migratePostgres } from '../src/storage/postgres/migrations.js';
import { createPool, type PgPool } from '../src/storage/postgres/pool.js';
import { describePg, dropSchema, freshSchemaName, PG_TEST_URL } from './support/pg-schema.js';

async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describePg('postgres commit listener (LISTEN/NOTIFY)', () => {
  let schema: string;
  let pool: PgPool;
  let listeners: CommitListener[];
  beforeEach(async () => {
    schema = freshSchemaName();
    pool = createPool({ url: PG_TEST_URL!, schema, size: 3 });
    listeners = [];
    await migratePostgres(pool, { schema });
  });
  afterEach(async () => {
    await Promise.all(listeners.map((l) => l.close()));
    await pool.end();
    await dropSchema(schema);
  });
  const listen = async (origin: string, retryMs = { min: 20, max: 100 }) => {
    const l = await startCommitListener({ connection: { url: PG_TEST_URL!, schema }, channel: notifyChannel(schema), origin, retryMs });
    listeners.push(l);
    return l;
  };

  it("hears other instances' commits by kind, not its own, and nothing of rolled-back or quiet writes", async () => {
    const a = await listen('a');
    const b = await listen('b');
    const ctxA = createPgContext({ pool, channel: notifyChannel(schema), origin: 'a' });
    await ctxA.tx('w', (t) => t.exec(`INSERT INTO settings VALUES ('k', 'v')`));
    await ctxA.tx('p', (t) => t.exec(`UPDATE counters SET value = value + 1 WHERE name = 'partners'`), { kind: 'partners' });
    await ctxA.tx('q', (t) => t.exec(`UPDATE settings SET value = 'w'`), { kind: 'none' });
    await assert.rejects(ctxA.tx('r', async (t) => { await t.exec(`UPDATE settings SET value = 'x'`); throw new Error('no'); }));
    await until(() => b.received.data === 1 && b.received.partners === 1, 'notices at b');
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual({ ...b.received }, { data: 1, partners: 1 });
    assert.deepEqual({ ...a.received }, { data: 0, partners: 0 });
    assert.deepEqual(ctxA.commits, { data: 1, partners: 1 });
  });

  it('counts a change when its connection is lost, reconnects, and hears commits again', async () => {
    const b = await listen('b');
    const seen: string[] = [];
    b.onChange((k) => seen.push(k));
    await pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'wirefeed listener' AND query LIKE 'LISTEN "${notifyChannel(schema)}"'`);
    await until(() => seen.length >= 2, 'the loss to count');
    await until(() => b.listening, 'reconnection');
    const before = b.received.data;
    const ctx = createPgContext({ pool, channel: notifyChannel(schema), origin: 'a' });
    await ctx.tx('w', (t) => t.exec(`INSERT INTO settings VALUES ('k', 'v')`));
    await until(() => b.received.data === before + 1, 'a notice after reconnecting');
  });

  it('while deaf the counts stand still and say since when; the reconnect counts a change of every kind', async () => {
    // Deaf for half a second before reconnecting: long enough to be seen.
    const b = await listen('b', { min: 500, max: 500 });
    const ctx = createPgContext({ pool, channel: notifyChannel(schema), origin: 'a' });
    const t0 = Date.now();
    await pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'wirefeed listener' AND query LIKE 'LISTEN "${notifyChannel(schema)}"'`);
    await until(() => !b.listening, 'the loss');
    assert.ok(b.deafSince !== undefined && b.deafSince >= t0);
    const deaf = { ...b.received };
    assert.deepEqual({ ...b.received }, deaf, 'reading the counts changes nothing');
    await until(() => b.listening, 'reconnection');
    assert.equal(b.deafSince, undefined);
    await until(() => b.received.data > deaf.data && b.received.partners > deaf.partners, 'the gap counted as a change');
    const after = b.received.data;
    await ctx.tx('w', (t) => t.exec(`INSERT INTO settings VALUES ('k', 'v')`));
    await until(() => b.received.data === after + 1, 'a notice after reconnecting');
  });
});
