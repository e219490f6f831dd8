// Retention: deletes old articles. Assets, categories and full-text rows go with them (cascade
// and trigger); the seq counter is left alone so a deleted seq is never handed out again.
// A story that is not usable is a tombstone on cursor pages: it is kept until its status change
// itself is older than the window, so a partner returning after a gap still learns of every
// kill, and the per-source cap never counts or trims tombstones.
import type { RetentionPolicy } from '../repos.js';
import type { SqliteContext } from './context.js';

export function pruneArticles(ctx: SqliteContext, policy: RetentionPolicy): { deleted: number } {
  return ctx.write('prune articles', () => {
    let deleted = 0;
    if (policy.olderThan !== undefined) {
      deleted += ctx
        .stmt(`DELETE FROM articles WHERE first_seen_at < ? AND (status = 'live' OR coalesce(status_at, changed_at) < ?)`)
        .run(policy.olderThan, policy.olderThan).changes;
    }
    if (policy.maxPerSource !== undefined && policy.maxPerSource >= 0) {
      const sourceIds = ctx.stmt('SELECT id FROM sources ORDER BY id').pluck().all() as number[];
      const trim = ctx.stmt(
        `DELETE FROM articles WHERE id IN (
           SELECT id FROM articles WHERE source_id = ? AND status = 'live' ORDER BY sort_at DESC, id DESC LIMIT -1 OFFSET ?)`,
      );
      for (const id of sourceIds) deleted += trim.run(id, policy.maxPerSource).changes;
    }
    return { deleted };
  });
}
