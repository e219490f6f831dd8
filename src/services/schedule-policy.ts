// When to fetch a source next: pure functions, `now` and randomness passed in.
// next = max(RSS ttl, HTTP freshness, adaptive interval from the posting rate), clamped to the
// source's [min, max] bounds; errors back off exponentially with jitter; a long failure streak
// pauses the source (visible in the API, resumable by PATCH status=active).
import type { IsoDate, Source } from '../model/types.js';

export const DEFAULT_MIN_INTERVAL_S = 300;
export const DEFAULT_MAX_INTERVAL_S = 6 * 3600;
/** Consecutive failures after which a source is paused. At the backoff cap that is days of errors. */
export const PAUSE_AFTER_ERRORS = 20;
const BACKOFF_CAP_S = 24 * 3600;

export interface SuccessSchedule {
  /** RSS `<ttl>`, minutes. */
  ttlMinutes?: number;
  /** HTTP Cache-Control max-age / Expires, seconds. */
  freshForS?: number;
  /** Publication dates of the items in the document (any order). */
  itemDates: (IsoDate | undefined)[];
}

/**
 * Typical gap between posts: the median of the gaps between the newest (up to 10) dated items.
 * Median, not mean: one quiet weekend should not slow a busy newsroom's feed down.
 */
export function postingIntervalS(dates: (IsoDate | undefined)[]): number | undefined {
  const times = dates
    .filter((d): d is IsoDate => !!d)
    .map((d) => Date.parse(d))
    .filter((t) => Number.isFinite(t))
    .sort((a, b) => b - a)
    .slice(0, 10);
  if (times.length < 2) return undefined;
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) gaps.push((times[i - 1]! - times[i]!) / 1000);
  gaps.sort((a, b) => a - b);
  const mid = Math.floor(gaps.length / 2);
  return gaps.length % 2 ? gaps[mid]! : (gaps[mid - 1]! + gaps[mid]!) / 2;
}

export function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}

/** ±10 % so sources added together do not stay in lock-step forever. */
function jitter(seconds: number, random: () => number): number {
  return seconds * (0.9 + 0.2 * random());
}

/** Interval after a successful fetch (modified or not-modified). */
export function intervalAfterSuccess(source: Pick<Source, 'minIntervalS' | 'maxIntervalS'>, s: SuccessSchedule): number {
  const posting = postingIntervalS(s.itemDates);
  // Polling at half the posting gap catches a new post within about half a gap on average.
  const adaptive = posting !== undefined ? posting / 2 : source.minIntervalS;
  const wanted = Math.max(s.ttlMinutes ? s.ttlMinutes * 60 : 0, s.freshForS ?? 0, adaptive);
  return clamp(wanted, source.minIntervalS, source.maxIntervalS);
}

export function nextFetchAfterSuccess(
  source: Pick<Source, 'minIntervalS' | 'maxIntervalS'>,
  s: SuccessSchedule,
  now: Date,
  random: () => number,
): IsoDate {
  const secs = jitter(intervalAfterSuccess(source, s), random);
  return new Date(now.getTime() + secs * 1000).toISOString();
}

/** Exponential backoff from the source's min interval: min·2^(n-1), capped at 24 h, with jitter. */
export function backoffS(source: Pick<Source, 'minIntervalS'>, errorCount: number): number {
  const exp = Math.min(errorCount - 1, 16);
  return Math.min(BACKOFF_CAP_S, source.minIntervalS * 2 ** Math.max(0, exp));
}

export function nextFetchAfterError(source: Pick<Source, 'minIntervalS'>, errorCount: number, now: Date, random: () => number): IsoDate {
  return new Date(now.getTime() + jitter(backoffS(source, errorCount), random) * 1000).toISOString();
}

export function shouldPause(errorCount: number): boolean {
  return errorCount >= PAUSE_AFTER_ERRORS;
}
