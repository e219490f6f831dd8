// Aggregates for the operator console and /metrics: read-only, over the fetch log and articles.
import type { IsoDate } from '../../model/types.js';
import type { HourlyIngest, KillNotice, SourceFigures, SourceStates, StatsRepo } from '../repos.js';
import type { SqliteContext } from './context.js';

export function createStatsRepo(ctx: SqliteContext): StatsRepo {
  return {
    async ingestByHour(since: IsoDate): Promise<HourlyIngest[]> {
      return ctx.read('ingest by hour', () =>
        (
          ctx
            .stmt(
              `SELECT substr(started_at, 1, 13) AS hour, sum(items_new) AS itemsNew, sum(items_updated) AS itemsUpdated,
                      count(*) AS fetches, coalesce(sum(outcome = 'error'), 0) AS errors
                 FROM fetch_log WHERE started_at >= ? GROUP BY hour ORDER BY hour`,
            )
            .all(since) as { hour: string; itemsNew: number; itemsUpdated: number; fetches: number; errors: number }[]
        ).map((r) => ({ ...r, hour: `${r.hour}:00:00.000Z` })),
      );
    },

    async sourceStates(dueBefore: IsoDate): Promise<SourceStates> {
      return ctx.read('source states', () => {
        const r = ctx
          .stmt(
            `SELECT coalesce(sum(status = 'active' AND error_count = 0 AND last_fetched_at IS NOT NULL), 0) AS ok,
                    coalesce(sum(status = 'active' AND error_count > 0), 0) AS failing,
                    coalesce(sum(status = 'paused'), 0) AS paused,
                    coalesce(sum(status = 'gone'), 0) AS gone,
                    coalesce(sum(status = 'active' AND error_count = 0 AND last_fetched_at IS NULL), 0) AS new,
                    coalesce(sum(status = 'active' AND next_fetch_at < ?), 0) AS overdue,
                    min(CASE WHEN status = 'active' AND next_fetch_at < ? THEN next_fetch_at END) AS oldestDueAt
               FROM sources`,
          )
          .get(dueBefore, dueBefore) as Omit<SourceStates, 'oldestDueAt'> & { oldestDueAt: string | null };
        return { ...r, oldestDueAt: r.oldestDueAt ?? undefined };
      });
    },

    async killsAfter(afterSeq: number, limit: number): Promise<KillNotice[]> {
      return ctx.read('kills after', () =>
        (
          ctx
            .stmt(`SELECT id, title, seq, status_reason AS reason, status_at AS at FROM articles WHERE pub_status = 'canceled' AND seq > ? ORDER BY seq LIMIT ?`)
            .all(afterSeq, limit) as { id: number; title: string | null; seq: number; reason: string | null; at: string | null }[]
        ).map((r) => ({ id: r.id, title: r.title ?? undefined, seq: r.seq, reason: r.reason ?? undefined, at: r.at ?? undefined })),
      );
    },

    async sourceFigures(since: IsoDate): Promise<SourceFigures[]> {
      return ctx.read('source figures', () => {
        const fetches = ctx
          .stmt(
            `SELECT source_id AS sourceId, count(*) AS fetches, coalesce(sum(outcome = 'error'), 0) AS errors,
                    avg(ms) AS avgMs, max(ms) AS maxMs
               FROM fetch_log WHERE started_at >= ? GROUP BY source_id`,
          )
          .all(since) as { sourceId: number; fetches: number; errors: number; avgMs: number; maxMs: number }[];
        const articles = ctx.stmt(`SELECT source_id AS sourceId, count(*) AS n FROM articles GROUP BY source_id`).all() as { sourceId: number; n: number }[];
        const bySource = new Map<number, SourceFigures>();
        const row = (id: number) => {
          let r = bySource.get(id);
          if (!r) bySource.set(id, (r = { sourceId: id, fetches: 0, errors: 0, avgMs: 0, maxMs: 0, articles: 0 }));
          return r;
        };
        for (const f of fetches) Object.assign(row(f.sourceId), { fetches: f.fetches, errors: f.errors, avgMs: Math.round(f.avgMs), maxMs: f.maxMs });
        for (const a of articles) row(a.sourceId).articles = a.n;
        return [...bySource.values()];
      });
    },
  };
}
