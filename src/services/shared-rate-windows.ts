// Partner request windows shared by every instance on one PostgreSQL database, so that behind
// a load balancer a partner gets its limit once, not once per instance. A round trip per
// request would cost more than the request itself (a cached feed is answered from memory), so
// each instance reserves requests in batches from the window's counter row
// (storage.rateWindows.reserve, atomic and capped at the limit) and spends them locally: a
// local token bucket refilled from the database. It asks for the next batch when half of the
// current one is left, so requests rarely wait for the round trip.
//
// What is exact and what is approximate (README "Scaling out"):
// - while the database answers, all instances together admit at most the limit per window:
//   every admitted request spent a token the counter granted, and grants never pass the limit;
// - an instance may hold tokens it never spends (its share of a partner who stopped calling it):
//   up to 1.5 batches per instance, counted as used, so a partner can get that many fewer;
// - windows follow each instance's clock: skew between instances moves their window
//   boundaries by that much;
// - while the database does not answer (no reservation within RESERVE_TIMEOUT_MS), each
//   instance counts alone, admitting at most the limit itself, and asks again after a pause.
import type { Logger } from '../log.js';
import { errorMessage } from '../errors.js';
import type { RateLimit } from '../model/types.js';
import type { RateWindowReservation } from '../storage/repos.js';
import type { RequestWindows } from './quotas.js';

/** A batch is this fraction of the limit (at least 1 request): 5%. */
const BATCH_FRACTION = 20;
/** A reservation not answered by then counts as failed (the database is unreachable). */
export const RESERVE_TIMEOUT_MS = 2_000;
/** After a failed reservation, the instance counts alone this long before asking again. */
export const OFFLINE_PAUSE_MS = 5_000;

export function batchOf(limit: RateLimit): number {
  return Math.max(1, Math.ceil(limit.requests / BATCH_FRACTION));
}

interface Bucket {
  windowStart: number;
  windowS: number;
  /** Granted to this instance and not yet spent. */
  tokens: number;
  /** Spent (admitted) by this instance in the window. */
  spent: number;
  /** The shared counter after this instance's last reservation. */
  known: number;
  /** The counter granted less than asked: nothing more to get in this window. */
  spentOut: boolean;
  reserving?: Promise<void>;
}

export interface SharedRequestWindowsDeps {
  reserve(r: RateWindowReservation): Promise<{ granted: number; used: number }>;
  log?: Logger;
  /** Timers for the reservation timeout (tests may shorten it). */
  reserveTimeoutMs?: number;
}

export function createSharedRequestWindows(deps: SharedRequestWindowsDeps): RequestWindows {
  const buckets = new Map<number, Bucket>();
  const timeoutMs = deps.reserveTimeoutMs ?? RESERVE_TIMEOUT_MS;
  let offlineUntil = 0;

  function bucketOf(partnerId: number, limit: RateLimit, windowStart: number): Bucket {
    let b = buckets.get(partnerId);
    if (!b || b.windowS !== limit.perSeconds || b.windowStart < windowStart) {
      b = { windowStart, windowS: limit.perSeconds, tokens: 0, spent: 0, known: 0, spentOut: false };
      buckets.set(partnerId, b);
    }
    return b;
  }

  /** Counting alone (database unreachable): never past the limit on this instance. */
  function grantAlone(b: Bucket, limit: RateLimit, want: number): void {
    const alone = Math.max(0, Math.min(want, limit.requests - b.spent - b.tokens));
    b.tokens += alone;
    if (alone === 0) b.spentOut = true;
  }

  function reserve(partnerId: number, b: Bucket, limit: RateLimit, nowMs: number): Promise<void> {
    if (b.reserving) return b.reserving;
    const want = batchOf(limit);
    if (nowMs < offlineUntil) {
      grantAlone(b, limit, want);
      return Promise.resolve();
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    });
    const asked = deps.reserve({ partnerId, windowS: limit.perSeconds, windowStartMs: b.windowStart, limit: limit.requests, want });
    // A late answer still counted in the database: those requests are lost to the partner, not added.
    asked.catch(() => {});
    b.reserving = Promise.race([asked, late])
      .then(
        ({ granted, used }) => {
          b.tokens += granted;
          b.known = used;
          if (granted < want) b.spentOut = true;
        },
        (err: unknown) => {
          offlineUntil = nowMs + OFFLINE_PAUSE_MS;
          deps.log?.warn({ err: errorMessage(err), partnerId, pauseMs: OFFLINE_PAUSE_MS }, 'partner rate limits: shared counters unavailable; this instance counts alone meanwhile');
          grantAlone(b, limit, want);
        },
      )
      .finally(() => {
        clearTimeout(timer);
        b.reserving = undefined;
      });
    return b.reserving;
  }

  function admit(partnerId: number, limit: RateLimit, windowStart: number, nowMs: number): boolean | Promise<boolean> {
    // A request whose window another one has already moved past counts in the newer window.
    const b = bucketOf(partnerId, limit, windowStart);
    if (b.tokens > 0) {
      b.tokens--;
      b.spent++;
      if (!b.spentOut && b.tokens <= batchOf(limit) >> 1) void reserve(partnerId, b, limit, nowMs);
      return true;
    }
    if (b.spentOut) return false;
    return reserve(partnerId, b, limit, nowMs).then(() => admit(partnerId, limit, windowStart, nowMs));
  }

  return {
    admit,
    remaining(partnerId, limit, windowStart) {
      const b = buckets.get(partnerId);
      if (!b || b.windowStart !== windowStart || b.windowS !== limit.perSeconds) return limit.requests;
      return b.tokens + (b.spentOut ? 0 : Math.max(0, limit.requests - b.known));
    },
  };
}
