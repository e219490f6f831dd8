// Aggregates for the operator console and /metrics on PostgreSQL, the twin of
// sqlite/stats-repo.ts. Times are ISO-8601 UTC text of one fixed shape
// (2025-01-01T10:20:30.000Z, COLLATE "C"): the hour is the first 13 characters and text order
// is time order, exactly as on SQLite. No conversion to timestamptz, which would depend on the
// session time zone and could not give back the stored strings byte for byte.
import type { IsoDate } from '../../model/types.js';
import type { HourlyIngest, KillNotice, SourceFigures, SourceStates, StatsRepo } from '../repos.js';
import type { PgContext } from './context.js';

export function createStatsRepo(ctx: PgContext): StatsRepo {
  return {
    async ingestByHour(since: IsoDate): Promise<HourlyIngest[]> {
      return ctx.read('ingest by hour', async (q) =>
        (
          await q.many<{ hour: string; items_new: number; items_updated: number; fetches: number; errors: number }>(
            `SELECT left(started_at, 13) AS hour, sum(items_new) AS items_new, sum(items_updated) AS items_updated,
                    count(*) AS fetches, count(*) FILTER (WHERE outcome = 'error') AS errors
               FROM fetch_log WHERE started_at >= $1 GROUP BY 1 ORDER BY 1`,
            [since],
          )
        ).map((r) => ({ hour: `${r.hour}:00:00.000Z`, itemsNew: r.items_new, itemsUpdated: r.items_updated, fetches: r.fetches, errors: r.errors })),
      );
    },

    async sourceStates(dueBefore: IsoDate): Promise<SourceStates> {
      return ctx.read('source states', async (q) => {
        const r = (await q.one<Omit<SourceStates, 'oldestDueAt'> & { oldest_due_at: string | null }>(
          `SELECT count(*) FILTER (WHERE status = 'active' AND error_count = 0 AND last_fetched_at IS NOT NULL) AS ok,
                  count(*) FILTER (WHERE status = 'active' AND error_count > 0) AS failing,
                  count(*) FILTER (WHERE status = 'paused') AS paused,
                  count(*) FILTER (WHERE status = 'gone') AS gone,
                  count(*) FILTER (WHERE status = 'active' AND error_count = 0 AND last_fetched_at IS NULL) AS new,
                  count(*) FILTER (WHERE status = 'active' AND next_fetch_at < $1) AS overdue,
                  min(next_fetch_at) FILTER (WHERE status = 'active' AND next_fetch_at < $1) AS oldest_due_at
             FROM sources`,
          [dueBefore],
        ))!;
        const { oldest_due_at, ...counts } = r;
        return { ...counts, oldestDueAt: oldest_due_at ?? undefined };
      });
    },

    async killsAfter(afterSeq: number, limit: number): Promise<KillNotice[]> {
      return ctx.read('kills after', async (q) =>
        (
          await q.many<{ id: number; title: string | null; seq: number; reason: string | null; at: string | null }>(
            `SELECT id, title, seq, status_reason AS reason, status_at AS at FROM articles WHERE pub_status = 'canceled' AND seq > $1 ORDER BY seq LIMIT $2`,
            [afterSeq, limit],
          )
        ).map((r) => ({ id: r.id, title: r.title ?? undefined, seq: r.seq, reason: r.reason ?? undefined, at: r.at ?? undefined })),
      );
    },

    async sourceFigures(since: IsoDate): Promise<SourceFigures[]> {
      return ctx.read('source figures', async (q) => {
        // avg() of integers is numeric (text in the driver): float8 rounds like SQLite's avg.
        const fetches = await q.many<{ source_id: number; fetches: number; errors: number; avg_ms: number; max_ms: number }>(
          `SELECT source_id, count(*) AS fetches, count(*) FILTER (WHERE outcome = 'error') AS errors,
                  avg(ms)::float8 AS avg_ms, max(ms) AS max_ms
             FROM fetch_log WHERE started_at >= $1 GROUP BY source_id ORDER BY source_id`,
          [since],
        );
        const articles = await q.many<{ source_id: number; n: number }>('SELECT source_id, count(*) AS n FROM articles GROUP BY source_id ORDER BY source_id');
        // Ordered by source like SQLite's grouped scans, whatever plan PostgreSQL picks.
        const bySource = new Map<number, SourceFigures>();
        const row = (id: number) => {
          let r = bySource.get(id);
          if (!r) bySource.set(id, (r = { sourceId: id, fetches: 0, errors: 0, avgMs: 0, maxMs: 0, articles: 0 }));
          return r;
        };
        for (const f of fetches) Object.assign(row(f.source_id), { fetches: f.fetches, errors: f.errors, avgMs: Math.round(f.avg_ms), maxMs: f.max_ms });
        for (const a of articles) row(a.source_id).articles = a.n;
        return [...bySource.values()];
      });
    },
  };
}
