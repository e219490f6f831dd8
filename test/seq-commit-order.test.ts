// Why seq is commit-ordered on PostgreSQL, shown with two transactions in a fixed interleaving
// and one cursor reader (skipped without WIREFEED_TEST_DATABASE_URL). With a plain sequence the
// second writer's seq commits first, the reader moves its cursor past it, and the first writer's
// lower seq, committed afterwards, is never seen: the check below finds the skip. With
// allocateSeq (storage/postgres/seq.ts) the second writer waits for the first to commit, so the
// same interleaving and the same check find none.
import assert from 'node:assert/strict';
import { createPgContext, notifyChannel } from '../src/storage/postgres/context.js';
import { migratePostgres } from '../src/storage/postgres/migrations.js';
import { createPool, type PgPool } from '../src/storage/postgres/pool.js';
import { allocateSeq } from '../src/storage/postgres/seq.js';
import { describePg, dropSchema, freshSchemaName, PG_TEST_URL } from './support/pg-schema.js';

/** Seqs committed but never delivered to a reader that only moved forward. */
function skippedSeqs(committed: readonly number[], observed: readonly number[]): number[] {
  const seen = new Set(observed);
  return committed.filter((s) => !seen.has(s)).sort((a, b) => a - b);
}

describePg('seq is commit-ordered on PostgreSQL (a cursor never passes an uncommitted seq)', function () {
  this.timeout(30_000);
  let schema: string;
  let pool: PgPool;
  beforeEach(async () => {
    schema = freshSchemaName();
    pool = createPool({ url: PG_TEST_URL!, schema, size: 4 });
    await migratePostgres(pool, { schema });
    await pool.query('CREATE TABLE events (seq BIGINT PRIMARY KEY)');
  });
  afterEach(async () => {
    await pool.end();
    await dropSchema(schema);
  });

  /** One reader step: every event after the cursor, the cursor moved to the last one read. */
  async function follow(state: { cursor: number; observed: number[] }): Promise<void> {
    const rows = (await pool.query<{ seq: number }>('SELECT seq FROM events WHERE seq > $1 ORDER BY seq', [state.cursor])).rows;
    for (const r of rows) state.observed.push(r.seq);
    if (rows.length) state.cursor = rows[rows.length - 1]!.seq;
  }

  it('a plain sequence skips: the later writer commits first and the reader passes the earlier seq', async () => {
    await pool.query('CREATE SEQUENCE naive_seq');
    const t1 = await pool.connect();
    const t2 = await pool.connect();
    const reader = { cursor: 0, observed: [] as number[] };
    try {
      await t1.query('BEGIN');
      const s1 = (await t1.query<{ seq: number }>(`INSERT INTO events VALUES (nextval('naive_seq')) RETURNING seq`)).rows[0]!.seq;
      await t2.query('BEGIN');
      const s2 = (await t2.query<{ seq: number }>(`INSERT INTO events VALUES (nextval('naive_seq')) RETURNING seq`)).rows[0]!.seq;
      await t2.query('COMMIT');
      await follow(reader);
      await t1.query('COMMIT');
      await follow(reader);
      assert.deepEqual(skippedSeqs([s1, s2], reader.observed), [s1]);
    } finally {
      t1.release();
      t2.release();
    }
  });

  it('allocateSeq does not: the later writer waits for the earlier commit, and the reader sees both in order', async () => {
    const ctx = createPgContext({ pool, channel: notifyChannel(schema), origin: 'test' });
    const reader = { cursor: 0, observed: [] as number[] };
    let releaseFirst!: () => void;
    const firstMayCommit = new Promise<void>((r) => (releaseFirst = r));
    let firstAllocated!: () => void;
    const allocated = new Promise<void>((r) => (firstAllocated = r));
    const committed: number[] = [];
    const first = ctx.tx('first', async (t) => {
      const seq = await allocateSeq(t, 1);
      await t.exec('INSERT INTO events VALUES ($1)', [seq]);
      firstAllocated();
      await firstMayCommit;
      return seq;
    });
    await allocated;
    let secondDone = false;
    const second = ctx
      .tx('second', async (t) => {
        const seq = await allocateSeq(t, 1);
        await t.exec('INSERT INTO events VALUES ($1)', [seq]);
        return seq;
      })
      .finally(() => (secondDone = true));
    // The second writer is blocked on the seq row: nothing is visible, nothing can be passed.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(secondDone, false, 'the second writer must wait for the first to end');
    await follow(reader);
    assert.deepEqual(reader.observed, []);
    releaseFirst();
    committed.push(await first, await second);
    await follow(reader);
    assert.deepEqual(committed, [1, 2]);
    assert.deepEqual(skippedSeqs(committed, reader.observed), []);
    assert.deepEqual(reader.observed, [1, 2]);
  });
});
