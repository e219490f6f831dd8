// RateWindowRepo on PostgreSQL: one counter row per partner and rate-limit window, shared by
// every instance. A reservation is one autocommit upsert: the row lock serializes concurrent
// reservations, and every SET expression reads the row as it was before this update, so the
// grant (capped at what is left of the limit) and the new count are computed from the same old
// count; the grant is stored beside it so RETURNING can give it back.
import type { RateWindowRepo } from '../repos.js';
import type { PgContext } from './context.js';

const RESERVE_SQL = `
INSERT INTO partner_rate_windows AS w (partner_id, window_s, window_start, window_end, used, last_grant)
VALUES ($1, $2, $3, $4, LEAST($5::int, $6::int), LEAST($5::int, $6::int))
ON CONFLICT (partner_id, window_s, window_start) DO UPDATE
  SET used = w.used + LEAST($5::int, GREATEST(0, $6::int - w.used)),
      last_grant = LEAST($5::int, GREATEST(0, $6::int - w.used))
RETURNING used, last_grant`;

/** Counters of windows that ended more than this long ago are deleted by maintenance. */
export const RATE_WINDOW_KEEP_MS = 3_600_000;

export const PRUNE_RATE_WINDOWS_SQL = `DELETE FROM partner_rate_windows WHERE window_end < (extract(epoch FROM now()) * 1000)::bigint - ${RATE_WINDOW_KEEP_MS}`;

export function createRateWindowRepo(ctx: PgContext): RateWindowRepo {
  return {
    async reserve(r) {
      // One autocommit statement. ctx.read runs it again once on a connection found dead: if
      // the first one had committed, the window counts more than was granted (fewer requests
      // admitted), never fewer.
      const row = await ctx.read('reserve partner requests', (q) =>
        q.one<{ used: number; last_grant: number }>(RESERVE_SQL, [r.partnerId, r.windowS, r.windowStartMs, r.windowStartMs + r.windowS * 1000, r.want, r.limit]),
      );
      return { granted: row!.last_grant, used: row!.used };
    },
  };
}
