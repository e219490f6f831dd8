// Partner quotas: requests per window (fixed windows aligned to the epoch, e.g. each UTC minute
// for 600/60) and, optionally, items per UTC day. Request windows are counted by a
// RequestWindows: in this object's memory by default (one process: SQLite), or shared through
// the database by several instances (shared-rate-windows.ts, on PostgreSQL). Item counts live in
// memory, in this object, per instance:
//   - an in-memory request window starts afresh after a restart (at most one extra window's worth);
//   - the daily item count is rebuilt from the delivery log on a partner's first request
//     after a start (`seedItems`), so it survives restarts, minus the last unflushed second.
// Every request a partner makes counts, a 304 included (it is cheap for us, but not free),
// and it counts before its entitlement is checked, so 403s do not make a free probe either.
import type { RateLimit } from '../model/types.js';

export interface QuotaState {
  /** False: answer 429. */
  allowed: boolean;
  limit: RateLimit;
  /** Requests left in the current window after this one. */
  remaining: number;
  /** Seconds until the request window resets. */
  resetS: number;
  /** When an items-per-day quota applies: items left today, seconds until UTC midnight. */
  items?: { remaining: number; resetS: number };
  /** Seconds to wait before trying again (when not allowed). */
  retryAfterS?: number;
}

interface Counter {
  day: number;
  items: number;
  /** The daily item count has been rebuilt from the delivery log. */
  seeded: boolean;
}

const DAY_MS = 86_400_000;

/** Where requests per window are counted. */
export interface RequestWindows {
  /**
   * Counts one request in the window starting at `windowStart` (epoch ms) if it has room: a
   * promise when the answer needs a round trip first.
   */
  admit(partnerId: number, limit: RateLimit, windowStart: number, nowMs: number): boolean | Promise<boolean>;
  /** Requests left in that window, as far as this instance knows. */
  remaining(partnerId: number, limit: RateLimit, windowStart: number): number;
}

/** Counted in this process's memory: exact for one process. */
export function createLocalRequestWindows(): RequestWindows {
  const windows = new Map<number, { start: number; used: number }>();
  const current = (partnerId: number, windowStart: number) => {
    let w = windows.get(partnerId);
    if (!w || w.start !== windowStart) windows.set(partnerId, (w = { start: windowStart, used: 0 }));
    return w;
  };
  return {
    admit(partnerId, limit, windowStart) {
      const w = current(partnerId, windowStart);
      if (w.used >= limit.requests) return false;
      w.used++;
      return true;
    },
    remaining(partnerId, limit, windowStart) {
      return Math.max(0, limit.requests - current(partnerId, windowStart).used);
    },
  };
}

export interface QuotaMeter {
  /**
   * Counts one request of `partnerId` under `limit` at `nowMs` and says whether it may go on
   * (a promise when shared counters must be asked first).
   */
  take(partnerId: number, limit: RateLimit, nowMs: number): QuotaState | Promise<QuotaState>;
  /** Adds delivered items to today's count. */
  addItems(partnerId: number, n: number, nowMs: number): void;
  /** True while the partner's daily item count still needs `seedItems` (first request after a start). */
  needsSeed(partnerId: number, limit: RateLimit): boolean;
  seedItems(partnerId: number, items: number, nowMs: number): void;
}

/** Completes `state` once the window answered (no closure per request on the in-memory path). */
function settle(state: QuotaState, windows: RequestWindows, partnerId: number, windowStart: number, admitted: boolean): QuotaState {
  state.remaining = windows.remaining(partnerId, state.limit, windowStart);
  if (!admitted) {
    state.allowed = false;
    state.retryAfterS = Math.max(state.retryAfterS ?? 0, state.resetS);
  }
  return state;
}

export function createQuotaMeter(windows: RequestWindows = createLocalRequestWindows()): QuotaMeter {
  const counters = new Map<number, Counter>();

  function counterOf(partnerId: number, nowMs: number): Counter {
    let c = counters.get(partnerId);
    if (!c) counters.set(partnerId, (c = { day: Math.floor(nowMs / DAY_MS), items: 0, seeded: false }));
    const day = Math.floor(nowMs / DAY_MS);
    if (day !== c.day) {
      c.day = day;
      c.items = 0;
    }
    return c;
  }

  return {
    take(partnerId, limit, nowMs) {
      const windowMs = limit.perSeconds * 1000;
      const windowStart = Math.floor(nowMs / windowMs) * windowMs;
      const resetS = Math.max(1, Math.ceil((windowStart + windowMs - nowMs) / 1000));
      const state: QuotaState = { allowed: true, limit, remaining: 0, resetS };
      if (limit.itemsPerDay !== undefined) {
        const c = counterOf(partnerId, nowMs);
        const dayResetS = Math.max(1, Math.ceil(((c.day + 1) * DAY_MS - nowMs) / 1000));
        state.items = { remaining: Math.max(0, limit.itemsPerDay - c.items), resetS: dayResetS };
        if (c.items >= limit.itemsPerDay) {
          state.allowed = false;
          state.retryAfterS = dayResetS;
        }
      }
      // A request refused for its items is not counted against the window.
      if (!state.allowed) return settle(state, windows, partnerId, windowStart, windows.remaining(partnerId, limit, windowStart) > 0);
      const admitted = windows.admit(partnerId, limit, windowStart, nowMs);
      return typeof admitted === 'boolean' ? settle(state, windows, partnerId, windowStart, admitted) : admitted.then((a) => settle(state, windows, partnerId, windowStart, a));
    },

    addItems(partnerId, n, nowMs) {
      counterOf(partnerId, nowMs).items += n;
    },

    needsSeed(partnerId, limit) {
      return limit.itemsPerDay !== undefined && counters.get(partnerId)?.seeded !== true;
    },

    seedItems(partnerId, items, nowMs) {
      const c = counterOf(partnerId, nowMs);
      if (c.seeded) return;
      c.items += items;
      c.seeded = true;
    },
  };
}

/** Start of the UTC day of `nowMs`, as the delivery log's timestamps are written. */
export function utcDayStart(nowMs: number): string {
  return new Date(Math.floor(nowMs / DAY_MS) * DAY_MS).toISOString();
}
