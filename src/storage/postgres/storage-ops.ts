// The Storage-level operations of the PostgreSQL twin that belong to no repository: settings,
// retention, maintenance and the data version.
import { StorageError } from '../../errors.js';
import type { RetentionPolicy } from '../repos.js';
import type { CommitListener } from './commit-listener.js';
import type { PgContext } from './context.js';
import { PRUNE_RATE_WINDOWS_SQL } from './rate-window-repo.js';

export async function getSetting(ctx: PgContext, key: string): Promise<string | undefined> {
  return ctx.read('get setting', async (q) => (await q.one<{ value: string }>('SELECT value FROM settings WHERE key = $1', [key]))?.value);
}

export async function setSetting(ctx: PgContext, key: string, value: string): Promise<void> {
  await ctx.tx('set setting', (t) =>
    t.exec('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]),
  );
}

/**
 * Retention, as sqlite/retention.ts: deletes old articles (assets, categories and revisions go by
 * cascade); the seq counter is left alone so a deleted seq is never handed out again. A story
 * that is not usable is a tombstone on cursor pages, kept until its status change itself is older
 * than the window; the per-source cap never counts or trims tombstones.
 */
export async function pruneArticles(ctx: PgContext, policy: RetentionPolicy): Promise<{ deleted: number }> {
  return ctx.tx('prune articles', async (t) => {
    let deleted = 0;
    if (policy.olderThan !== undefined) {
      deleted += await t.exec(`DELETE FROM articles WHERE first_seen_at < $1 AND (status = 'live' OR coalesce(status_at, changed_at) < $1)`, [
        policy.olderThan,
      ]);
    }
    if (policy.maxPerSource !== undefined && policy.maxPerSource >= 0) {
      deleted += await t.exec(
        // One index walk per source (articles_source_sort), as SQLite's loop does.
        `DELETE FROM articles WHERE id IN (
           SELECT a.id FROM sources s CROSS JOIN LATERAL (
             SELECT id FROM articles WHERE source_id = s.id AND status = 'live' ORDER BY sort_at DESC, id DESC OFFSET $1) a)`,
        [policy.maxPerSource],
      );
    }
    return { deleted };
  });
}

/**
 * Ended partner rate windows deleted, and fresh planner statistics (autovacuum does the
 * vacuuming; VACUUM cannot run in a transaction anyway).
 */
export async function maintenance(ctx: PgContext): Promise<void> {
  await ctx.tx('prune rate windows', (t) => t.exec(PRUNE_RATE_WINDOWS_SQL), { kind: 'none' });
  await ctx.read('maintenance', (q) => q.exec('ANALYZE'));
}

/** How long a cache may be served while the database is unreachable, by default (ms). */
export const DEFAULT_STALE_IF_ERROR_MS = 60_000;

/**
 * dataVersion() and partners.version(): this instance's commits plus the others' as heard by the
 * listener, from memory, synchronously (dataVersion wraps it in a promise). While the listener's
 * session is down the others' commits go unheard: for up to `staleIfErrorMs` the version stands
 * still (this instance's own commits still move it), so what is cached keeps being served, at
 * most that much older than the database; past that it throws (the database is unreachable:
 * /healthz and uncached requests answer 503) until the listener is back, which counts a change
 * of every kind. Throws after close().
 */
export function versionOf(
  ctx: PgContext,
  listener: CommitListener,
  kind: 'data' | 'partners',
  isClosed: () => boolean,
  staleIfErrorMs: number = DEFAULT_STALE_IF_ERROR_MS,
  now: () => number = Date.now,
): () => number {
  return () => {
    if (isClosed()) throw new StorageError('storage: the database is closed');
    const deafSince = listener.deafSince;
    if (!listener.listening && (deafSince === undefined || now() - deafSince > staleIfErrorMs)) {
      throw new StorageError('storage: the database is unreachable (commit listener reconnecting)', { code: 'database_unavailable' });
    }
    return ctx.commits[kind] + listener.received[kind];
  };
}
