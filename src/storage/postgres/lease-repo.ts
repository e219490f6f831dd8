// LeaseRepo on PostgreSQL: the twin of sqlite/lease-repo.ts. A claim is one transaction:
// 1. pg_advisory_xact_lock on this schema's claim key: claims from every instance take turns
//    (a claim is one short statement), so the per-host count the next statement reads cannot be
//    raised by another claim before this one commits. Under READ COMMITTED each statement sees
//    what committed before it started, so the count is exact once the lock is held.
// 2. UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING: due sources whose lease is
//    free or expired, hosts at their limit left out, rows another transaction holds (an ingest
//    writing a source) skipped rather than waited for; owner, until and token+1 set in the same
//    statement. Fetches, renewals and writes never take the claim lock.
// A claim leaves next_fetch_at as it was: a source whose holder dies keeps its place in the due
// order and is taken over first once the lease has run out. (Moving it to the lease's end, tried
// to keep claims from adding index entries among the due rows, put a killed instance's sources
// behind the whole backlog: taken over 70 s after a kill -9 with a 10 s lease, scale-out bench.
// The claims' own entries cost nothing: claims take turns, so the scan's pages do not change
// under it and the dead entries it meets are marked and skipped from then on.)
import type { ClaimRequest, ClaimedSource, LeaseRef, LeaseRepo } from '../repos.js';
import { CLAIM_WINDOW_FACTOR } from '../defaults.js';
import { toSource, type SourceRow } from '../rows.js';
import type { PgContext } from './context.js';

type LeasedRow = SourceRow & { lease_owner: string; lease_until: string; lease_token: number };

const CLAIM_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtextextended('wirefeed-claim:' || current_schema(), 0))`;

// A claim must walk two indexes and stop early, whatever the statistics say: the due rows in
// sources_due order, stopping after `window` rows (and marking the dead entries it meets, so the
// next claim skips them), and the live leases in the partial index sources_leased (leased rows
// only). Due-ness and leases change faster than ANALYZE runs, so the statistics are always stale;
// in the capacity bench (auto_explain) the planner, believing 1–2 rows due, chose plans that read
// every due row on every claim, so a cycle cost O(sources²):
// - a sequential scan for the live count, and a bitmap scan for the due rows (it reads every entry
//   in the range and never marks dead ones): the claim transaction turns both scan kinds off
//   (set_config(…, true) is SET LOCAL: it ends with the transaction);
// - a hash anti-join of the due rows with the hosts at their limit, feeding a sort (9,980 rows read
//   to take 4, at 10,000 sources): so the hosts at their limit are an array computed once, a plain
//   filter on the ordered index walk rather than a join the planner may reorder.
const CLAIM_PLAN_SQL = `SELECT ${['enable_seqscan', 'enable_bitmapscan'].map((g) => `set_config('${g}', 'off', true)`).join(', ')}`;

const CLAIM_SQL = `
WITH live AS (
  SELECT host, count(*) AS n FROM sources WHERE lease_until > $1::text GROUP BY host
),
due AS (
  SELECT id, host, next_fetch_at FROM sources
  WHERE status = 'active' AND next_fetch_at <= $1::text
    AND (lease_until IS NULL OR lease_until <= $1::text)
    AND sources.host <> ALL (ARRAY(SELECT host FROM live WHERE n >= $4::bigint))
  ORDER BY next_fetch_at, id
  LIMIT $6::int
  FOR UPDATE SKIP LOCKED
),
ranked AS (
  SELECT due.id, due.next_fetch_at,
    row_number() OVER (PARTITION BY due.host ORDER BY due.next_fetch_at, due.id) + coalesce(live.n, 0) AS slot
  FROM due LEFT JOIN live ON live.host = due.host
)
UPDATE sources SET lease_owner = $2::text, lease_until = $3::text, lease_token = sources.lease_token + 1
WHERE sources.id IN (SELECT id FROM ranked WHERE slot <= $4::bigint ORDER BY next_fetch_at, id LIMIT $5::int)
RETURNING sources.*`;

const tokensOf = (leases: readonly LeaseRef[]) => ({ ids: leases.map((l) => l.sourceId), tokens: leases.map((l) => l.token) });

export function createLeaseRepo(ctx: PgContext): LeaseRepo {
  return {
    async claimDue(req: ClaimRequest): Promise<ClaimedSource[]> {
      if (req.limit <= 0) return [];
      // kind 'none': a lease changes nothing a feed shows.
      const rows = await ctx.tx(
        'claim due sources',
        async (t) => {
          await t.exec(CLAIM_LOCK_SQL);
          await t.exec(CLAIM_PLAN_SQL);
          return t.many<LeasedRow>(CLAIM_SQL, [req.now, req.owner, req.leaseUntil, req.perHostLimit, req.limit, req.limit * CLAIM_WINDOW_FACTOR]);
        },
        { kind: 'none' },
      );
      rows.sort((a, b) => (a.next_fetch_at < b.next_fetch_at ? -1 : a.next_fetch_at > b.next_fetch_at ? 1 : a.id - b.id));
      return rows.map((r) => ({
        source: toSource(r),
        lease: { sourceId: r.id, owner: r.lease_owner, token: r.lease_token, until: r.lease_until },
      }));
    },

    async renewLeases(owner: string, leases: readonly LeaseRef[], until) {
      if (!leases.length) return [];
      const { ids, tokens } = tokensOf(leases);
      const rows = await ctx.tx(
        'renew leases',
        (t) =>
          t.many<{ id: number }>(
            `UPDATE sources SET lease_until = $1 FROM unnest($2::bigint[], $3::bigint[]) AS l(id, token)
             WHERE sources.id = l.id AND sources.lease_token = l.token AND sources.lease_owner = $4 RETURNING sources.id`,
            [until, ids, tokens, owner],
          ),
        { kind: 'none' },
      );
      return rows.map((r) => r.id);
    },

    async releaseLeases(owner: string, leases: readonly LeaseRef[]) {
      if (!leases.length) return;
      const { ids, tokens } = tokensOf(leases);
      await ctx.tx(
        'release leases',
        (t) =>
          t.exec(
            `UPDATE sources SET lease_owner = NULL, lease_until = NULL FROM unnest($1::bigint[], $2::bigint[]) AS l(id, token)
             WHERE sources.id = l.id AND sources.lease_token = l.token AND sources.lease_owner = $3`,
            [ids, tokens, owner],
          ),
        { kind: 'none' },
      );
    },

    async liveLeases(now) {
      return ctx.read('live leases', (q) =>
        q.many<{ host: string; leases: number }>('SELECT host, count(*)::int AS leases FROM sources WHERE lease_until > $1 GROUP BY host ORDER BY host', [now]),
      );
    },
  };
}
