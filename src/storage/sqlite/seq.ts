// The seq counter: read once per transaction, handed out in memory, written back at the end.
// It only moves forward, even when retention deletes the newest article.
import type { SqliteContext } from './context.js';

/** The next unused seq (call inside a write transaction when you mean to use it). */
export function nextSeq(ctx: SqliteContext): number {
  return (ctx.stmt(`SELECT value FROM counters WHERE name = 'seq'`).pluck().get() as number) + 1;
}

/** Records `seq` as the last one handed out. */
export function setSeq(ctx: SqliteContext, seq: number): void {
  ctx.stmt(`UPDATE counters SET value = ? WHERE name = 'seq' AND value < ?`).run(seq, seq);
}
