// What the operator console shows beyond plain lists: source health in one word, the ingest of
// the last 24 hours by hour, the slowest and the most overdue sources. Pure over storage reads,
// with `now` passed in.
import type { IsoDate, Source } from '../model/types.js';
import type { HourlyIngest, KillNotice, SourceFigures, Storage } from '../storage/repos.js';

// The console's figures are storage aggregates; the pages take their types from here.
export type { HourlyIngest, KillNotice };

export type SourceHealth = 'ok' | 'failing' | 'paused' | 'gone' | 'new';

/** One word for a source's state: paused/gone by status, failing on an error streak, new before its first fetch. */
export function sourceHealth(s: Source): SourceHealth {
  if (s.status === 'paused') return 'paused';
  if (s.status === 'gone') return 'gone';
  if (s.errorCount > 0) return 'failing';
  return s.lastFetchedAt ? 'ok' : 'new';
}

/** A source is overdue when its fetch is this late: the scheduler ticks each minute. */
export const OVERDUE_GRACE_MS = 2 * 60_000;

export function overdueMs(s: Source, now: Date): number {
  if (s.status !== 'active') return 0;
  const late = now.getTime() - Date.parse(s.nextFetchAt);
  return late > OVERDUE_GRACE_MS ? late : 0;
}

export interface SourceRow extends Source {
  health: SourceHealth;
  figures: SourceFigures;
  overdueMs: number;
}

export interface Overview {
  now: IsoDate;
  byHealth: Record<SourceHealth, number>;
  /** 24 entries, oldest first, zero-filled. */
  hourly: HourlyIngest[];
  errors24h: number;
  fetches24h: number;
  slowest: SourceRow[];
  overdue: SourceRow[];
  failing: SourceRow[];
}

const HOUR = 3_600_000;

/** What the admin console reads: sources with health and figures, the overview, kills after a cursor. */
export interface ConsoleService {
  /** Every source with its health and the figures of the last 24 h. */
  sources(): Promise<SourceRow[]>;
  /** Kills a partner at cursor `seq` has not received yet, oldest first. */
  killsAfter(seq: number, limit?: number): Promise<KillNotice[]>;
  overview(): Promise<Overview>;
}

export function createConsoleService(deps: { storage: Storage; now: () => Date }): ConsoleService {
  const { storage } = deps;

  async function sourceRows(now: Date): Promise<SourceRow[]> {
    const since = new Date(now.getTime() - 24 * HOUR).toISOString();
    const [sources, figures] = await Promise.all([storage.sources.list(), storage.stats.sourceFigures(since)]);
    const byId = new Map(figures.map((f) => [f.sourceId, f]));
    return sources.map((s) => ({
      ...s,
      health: sourceHealth(s),
      figures: byId.get(s.id) ?? { sourceId: s.id, fetches: 0, errors: 0, avgMs: 0, maxMs: 0, articles: 0 },
      overdueMs: overdueMs(s, now),
    }));
  }

  return {
    /** Every source with its health and the figures of the last 24 h. */
    sources: () => sourceRows(deps.now()),

    /** Kills a partner at cursor `seq` has not received yet, oldest first. */
    killsAfter: (seq: number, limit = 20) => storage.stats.killsAfter(seq, limit),

    async overview(): Promise<Overview> {
      const now = deps.now();
      const firstHour = Math.floor(now.getTime() / HOUR) * HOUR - 23 * HOUR;
      const [rows, hours] = await Promise.all([sourceRows(now), storage.stats.ingestByHour(new Date(firstHour).toISOString())]);
      const byHour = new Map(hours.map((h) => [Date.parse(h.hour), h]));
      const hourly = Array.from({ length: 24 }, (_, i) => {
        const t = firstHour + i * HOUR;
        return byHour.get(t) ?? { hour: new Date(t).toISOString(), itemsNew: 0, itemsUpdated: 0, fetches: 0, errors: 0 };
      });
      const byHealth: Record<SourceHealth, number> = { ok: 0, failing: 0, paused: 0, gone: 0, new: 0 };
      for (const r of rows) byHealth[r.health]++;
      return {
        now: now.toISOString(),
        byHealth,
        hourly,
        errors24h: hourly.reduce((n, h) => n + h.errors, 0),
        fetches24h: hourly.reduce((n, h) => n + h.fetches, 0),
        slowest: rows.filter((r) => r.figures.fetches > 0).sort((a, b) => b.figures.avgMs - a.figures.avgMs).slice(0, 5),
        overdue: rows.filter((r) => r.overdueMs > 0).sort((a, b) => b.overdueMs - a.overdueMs).slice(0, 5),
        failing: rows.filter((r) => r.health === 'failing').sort((a, b) => b.errorCount - a.errorCount).slice(0, 5),
      };
    },
  };
}

