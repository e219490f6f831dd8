// LeaseRepo on SQLite. Every write transaction takes SQLite's single write lock (IMMEDIATE), so
// a claim is serialized against every other claim, in this process or another on the same file:
// the per-host count it reads cannot move before its UPDATE commits. The same statement shape
// as PostgreSQL's twin, without FOR UPDATE SKIP LOCKED (nothing to skip under one writer).
import type { ClaimRequest, ClaimedSource, LeaseRef, LeaseRepo } from '../repos.js';
import type { SqliteContext } from './context.js';
import { toSource, type SourceRow } from '../rows.js';
import { CLAIM_WINDOW_FACTOR } from '../defaults.js';

type LeasedRow = SourceRow & { lease_owner: string; lease_until: string; lease_token: number };

// Hosts at their limit are left out before the window is taken, so every host in the window has
// a free slot and a non-empty window always yields a claim (no stall behind a crowded host).
const CLAIM_SQL = `
WITH live AS (
  SELECT host, count(*) AS n FROM sources WHERE lease_until > @now GROUP BY host
),
due AS (
  SELECT id, host, next_fetch_at FROM sources
  WHERE status = 'active' AND next_fetch_at <= @now
    AND (lease_until IS NULL OR lease_until <= @now)
    AND NOT EXISTS (SELECT 1 FROM live WHERE live.host = sources.host AND live.n >= @perHost)
  ORDER BY next_fetch_at, id
  LIMIT @window
),
ranked AS (
  SELECT due.id, due.next_fetch_at,
    row_number() OVER (PARTITION BY due.host ORDER BY due.next_fetch_at, due.id) + coalesce(live.n, 0) AS slot
  FROM due LEFT JOIN live ON live.host = due.host
)
UPDATE sources SET lease_owner = @owner, lease_until = @until, lease_token = lease_token + 1
WHERE id IN (SELECT id FROM ranked WHERE slot <= @perHost ORDER BY next_fetch_at, id LIMIT @limit)
RETURNING *`;

export function createLeaseRepo(ctx: SqliteContext): LeaseRepo {
  return {
    async claimDue(req: ClaimRequest): Promise<ClaimedSource[]> {
      if (req.limit <= 0) return [];
      // quiet: a lease changes nothing a feed shows.
      const rows = ctx.write(
        'claim due sources',
        () =>
          ctx.stmt(CLAIM_SQL).all({
            now: req.now,
            until: req.leaseUntil,
            owner: req.owner,
            perHost: req.perHostLimit,
            limit: req.limit,
            window: req.limit * CLAIM_WINDOW_FACTOR,
          }) as LeasedRow[],
        { quiet: true },
      );
      rows.sort((a, b) => (a.next_fetch_at < b.next_fetch_at ? -1 : a.next_fetch_at > b.next_fetch_at ? 1 : a.id - b.id));
      return rows.map((r) => ({
        source: toSource(r),
        lease: { sourceId: r.id, owner: r.lease_owner, token: r.lease_token, until: r.lease_until },
      }));
    },

    async renewLeases(owner: string, leases: readonly LeaseRef[], until) {
      if (!leases.length) return [];
      return ctx.write(
        'renew leases',
        () => {
          const renew = ctx.stmt('UPDATE sources SET lease_until = ? WHERE id = ? AND lease_owner = ? AND lease_token = ? RETURNING id').pluck();
          const kept: number[] = [];
          for (const l of leases) {
            const id = renew.get(until, l.sourceId, owner, l.token) as number | undefined;
            if (id !== undefined) kept.push(id);
          }
          return kept;
        },
        { quiet: true },
      );
    },

    async releaseLeases(owner: string, leases: readonly LeaseRef[]) {
      if (!leases.length) return;
      ctx.write(
        'release leases',
        () => {
          const release = ctx.stmt('UPDATE sources SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ? AND lease_token = ?');
          for (const l of leases) release.run(l.sourceId, owner, l.token);
        },
        { quiet: true },
      );
    },

    async liveLeases(now) {
      return ctx.read('live leases', () =>
        ctx.stmt('SELECT host, count(*) AS leases FROM sources WHERE lease_until > ? GROUP BY host ORDER BY host').all(now) as { host: string; leases: number }[],
      );
    },
  };
}
