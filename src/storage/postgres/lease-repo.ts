// LeaseRepo on PostgreSQL: the twin of sqlite/lease-repo.ts. A claim is one transaction:
// 1. pg_advisory_xact_lock on this schema's claim key: claims from every instance take turns
//    (a claim is one short statement), so the per-host count the next statement reads cannot be
//    raised by another claim before this one commits. Under READ COMMITTED each statement sees
//    what committed before it started, so the count is exact once the lock is held.
// 2. UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING: due sources whose lease is
//    free or expired, hosts at their limit left out, rows another transaction holds (an ingest
//    writing a source) skipped rather than waited for; owner, until and token+1 set in the same
//    statement. Fetches, renewals and writes never take the claim lock.
// The claim also moves next_fetch_at to the lease's end (the time the source is due again should
// its holder die), and a release puts the claimed due time back. Why: an UPDATE that leaves the
// sources_due key as it was still adds an index entry beside the old one (lease_until is indexed,
// so it is not a HOT update). Claims would keep inserting into the leaf pages at the front of the
// due range, whose dead entries the claim scan then has to visit in the heap every time (b-tree
// scans mark an entry dead only on a page that did not change since it was read), until VACUUM:
// each claim cost O(sources fetched so far) — measured, 3,690 index entries read per claim in a
// 3,000-source cycle. With the new entry past `now`, the front pages stop changing, and each dead
// entry is visited once and then skipped.
import type { ClaimRequest, ClaimedSource, LeaseRef, LeaseRepo } from '../repos.js';
import { CLAIM_WINDOW_FACTOR } from '../defaults.js';
import { toSource, type SourceRow } from '../rows.js';
import type { PgContext } from './context.js';

type LeasedRow = SourceRow & { lease_owner: string; lease_until: string; lease_token: number; due_at: string };

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
UPDATE sources SET lease_owner = $2::text, lease_until = $3::text, lease_token = sources.lease_token + 1, next_fetch_at = $3::text
FROM (SELECT id, next_fetch_at FROM ranked WHERE slot <= $4::bigint ORDER BY next_fetch_at, id LIMIT $5::int) AS picked
WHERE sources.id = picked.id
RETURNING sources.*, picked.next_fetch_at AS due_at`;

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
      rows.sort((a, b) => (a.due_at < b.due_at ? -1 : a.due_at > b.due_at ? 1 : a.id - b.id));
      // The source as it was when due: its schedule is computed from that, not from the lease.
      return rows.map(({ due_at, ...r }) => ({
        source: toSource({ ...r, next_fetch_at: due_at }),
        lease: { sourceId: r.id, owner: r.lease_owner, token: r.lease_token, until: r.lease_until, dueAt: due_at },
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
      const dueAts = leases.map((l) => l.dueAt ?? null);
      await ctx.tx(
        'release leases',
        (t) =>
          t.exec(
            `UPDATE sources SET lease_owner = NULL, lease_until = NULL, next_fetch_at = coalesce(l.due_at, sources.next_fetch_at)
             FROM unnest($1::bigint[], $2::bigint[], $4::text[]) AS l(id, token, due_at)
             WHERE sources.id = l.id AND sources.lease_token = l.token AND sources.lease_owner = $3`,
            [ids, tokens, owner, dueAts],
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
