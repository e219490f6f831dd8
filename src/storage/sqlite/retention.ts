// Retention: deletes old articles. Assets, categories and full-text rows go with them (cascade
// and trigger); the seq counter is left alone so a deleted seq is never handed out again.
import type { RetentionPolicy } from '../repos.js';
import type { SqliteContext } from './context.js';

export function pruneArticles(ctx: SqliteContext, policy: RetentionPolicy): { deleted: number } {
  return ctx.write('prune articles', () => {
    let deleted = 0;
    if (policy.olderThan !== undefined) {
      deleted += ctx.stmt('DELETE FROM articles WHERE first_seen_at < ?').run(policy.olderThan).changes;
    }
    if (policy.maxPerSource !== undefined && policy.maxPerSource >= 0) {
      const sourceIds = ctx.stmt('SELECT id FROM sources ORDER BY id').pluck().all() as number[];
      const trim = ctx.stmt(
        `DELETE FROM articles WHERE id IN (
           SELECT id FROM articles WHERE source_id = ? ORDER BY sort_at DESC, id DESC LIMIT -1 OFFSET ?)`,
      );
      for (const id of sourceIds) deleted += trim.run(id, policy.maxPerSource).changes;
    }
    return { deleted };
  });
}
