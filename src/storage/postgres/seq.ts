// Commit-ordered seq. A PostgreSQL sequence (or max(seq)+1) hands numbers out in the order
// transactions ASK, not the order they COMMIT: with two writers, T1 takes seq 10, T2 takes 11
// and commits first, a partner reading `after=9` gets 11 and moves its cursor past 10, which
// T1 then commits, unseen forever.
//
// Here the counter is one row (counters.name = 'seq') updated inside the writing transaction:
// `UPDATE … SET value = value + n RETURNING value` takes that row's lock, held until the
// transaction ends. A second writer's UPDATE waits for the lock and then re-reads the row as
// committed by the first (READ COMMITTED re-evaluates the updated row), so it gets the next
// numbers. PostgreSQL releases a transaction's locks only after its commit is visible to new
// snapshots (ProcArrayEndTransaction precedes lock release), so whoever reads the committed
// seq N can already see every seq below N: seq order = commit order, and a cursor never skips.
//
// The price is that writers of articles serialize from the allocation to their COMMIT, so the
// allocation must come LAST: every other row the transaction writes or locks first, then
// allocateSeq, then only the writes that need the numbers (rows it already holds, or new rows
// nobody else can touch). Anything taking a lock after allocateSeq could wait on a transaction
// that waits for the seq row: a deadlock (PostgreSQL would detect and abort it, at a cost).
// Transactions that change no article (unchanged fetches, errors) never touch the row.
import type { PgQuery } from './context.js';

/**
 * Reserves `n` consecutive seqs (n >= 1) and returns the first; the transaction holds the seq
 * row until it ends. Call at the end of a write transaction (see above).
 */
export async function allocateSeq(t: PgQuery, n: number): Promise<number> {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`allocateSeq: n must be a positive integer, not ${n}`);
  const row = await t.one<{ value: number }>(`UPDATE counters SET value = value + $1 WHERE name = 'seq' RETURNING value`, [n]);
  if (!row) throw new Error('the seq counter row is missing');
  return row.value - n + 1;
}

/** Highest seq handed out (0 when none): never goes down, even when the newest article is deleted. */
export async function lastSeq(q: PgQuery): Promise<number> {
  const row = await q.one<{ value: number }>(`SELECT value FROM counters WHERE name = 'seq'`);
  return row?.value ?? 0;
}
