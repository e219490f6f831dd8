// HTTP date and caching header parsing for the fetcher: Retry-After (RFC 9110 §10.2.3),
// HTTP-date (RFC 9110 §5.6.7), Cache-Control max-age / Expires / Age (RFC 9111 §4.2, §5).
// Pure: the clock is passed in.

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, oct: 9, nov: 10, dec: 11,
};

// IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
const IMF_FIXDATE = /^[a-z]{3}, (\d{2}) ([a-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/i;
// obsolete RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
const RFC850_DATE = /^[a-z]+, (\d{2})-([a-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/i;
// obsolete asctime: Sun Nov  6 08:49:37 1994 (always GMT, never local time)
const ASCTIME_DATE = /^[a-z]{3} ([a-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/i;

/**
 * Parses an HTTP-date in any of the three formats RFC 9110 §5.6.7 requires recipients to accept.
 * Returns undefined for anything else (Date.parse would read asctime as local time).
 */
export function parseHttpDate(value: string | undefined, now: Date): Date | undefined {
  if (!value) return undefined;
  const v = value.trim();
  let parts: { day: string; mon: string; year: number; hh: string; mm: string; ss: string } | undefined;
  let m: RegExpExecArray | null;
  if ((m = IMF_FIXDATE.exec(v))) {
    parts = { day: m[1]!, mon: m[2]!, year: Number(m[3]), hh: m[4]!, mm: m[5]!, ss: m[6]! };
  } else if ((m = RFC850_DATE.exec(v))) {
    // RFC 9110 §5.6.7: a two-digit year more than 50 years in the future means the past century.
    const nowYear = now.getUTCFullYear();
    let year = Math.floor(nowYear / 100) * 100 + Number(m[3]);
    if (year > nowYear + 50) year -= 100;
    parts = { day: m[1]!, mon: m[2]!, year, hh: m[4]!, mm: m[5]!, ss: m[6]! };
  } else if ((m = ASCTIME_DATE.exec(v))) {
    parts = { day: m[2]!.trim(), mon: m[1]!, year: Number(m[6]), hh: m[3]!, mm: m[4]!, ss: m[5]! };
  }
  if (!parts) return undefined;
  const month = MONTHS[parts.mon.toLowerCase()];
  if (month === undefined) return undefined;
  const [d, hh, mm, ss] = [Number(parts.day), Number(parts.hh), Number(parts.mm), Number(parts.ss)];
  // Reject overflowed fields (31 Feb, 25:00) instead of letting Date roll them over; a leap
  // second (:60) is clamped to :59.
  if (hh > 23 || mm > 59 || ss > 60) return undefined;
  const date = new Date(Date.UTC(parts.year, month, d, hh, mm, Math.min(ss, 59)));
  if (date.getUTCDate() !== d || date.getUTCMonth() !== month) return undefined;
  return date;
}

/** Parses Retry-After (delta-seconds or HTTP-date) into an absolute time; undefined when invalid. */
export function parseRetryAfter(value: string | undefined, now: Date): Date | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return new Date(now.getTime() + Number(v) * 1000);
  return parseHttpDate(v, now);
}

export interface RetryBounds {
  minS: number;
  maxS: number;
  defaultS: number;
}

export const RETRY_BOUNDS: RetryBounds = { minS: 60, maxS: 24 * 3600, defaultS: 10 * 60 };

/**
 * When to try again after a 429/503: Retry-After clamped to [minS, maxS] from now, defaultS when
 * the header is absent or invalid. The clamp keeps a hostile or broken server from pinning a
 * source forever or making us hammer it.
 */
export function retryAfterUntil(value: string | undefined, now: Date, bounds: RetryBounds = RETRY_BOUNDS): Date {
  const at = parseRetryAfter(value, now);
  const deltaS = at ? (at.getTime() - now.getTime()) / 1000 : bounds.defaultS;
  const clamped = Math.min(bounds.maxS, Math.max(bounds.minS, deltaS));
  return new Date(now.getTime() + clamped * 1000);
}

/** Cache-Control directives, lower-cased names; a valueless directive maps to ''. */
export function parseCacheControl(value: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!value) return out;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    if (!name) continue;
    let arg = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (arg.length >= 2 && arg.startsWith('"') && arg.endsWith('"')) arg = arg.slice(1, -1);
    // RFC 9111 §4.2.1: with duplicated directives the first one counts here (the RFC allows
    // treating the response as stale; the first value is the conservative, common reading).
    if (!out.has(name)) out.set(name, arg);
  }
  return out;
}

export interface FreshnessHeaders {
  cacheControl?: string;
  expires?: string;
  date?: string;
  age?: string;
}

/**
 * Seconds the response stays fresh (RFC 9111 §4.2.1): max-age, else Expires − Date; minus Age.
 * s-maxage is for shared caches and ignored; no-cache / no-store give 0. Undefined when the
 * response says nothing about freshness.
 */
export function freshnessSeconds(h: FreshnessHeaders, now: Date): number | undefined {
  const cc = parseCacheControl(h.cacheControl);
  if (cc.has('no-store') || cc.has('no-cache')) return 0;
  let lifetime: number | undefined;
  const maxAge = cc.get('max-age');
  if (maxAge !== undefined && /^\d+$/.test(maxAge)) {
    lifetime = Number(maxAge);
  } else if (h.expires !== undefined) {
    const expires = parseHttpDate(h.expires, now);
    // RFC 9111 §5.3: an invalid Expires (e.g. "0") means already expired.
    if (!expires) return 0;
    const date = parseHttpDate(h.date, now) ?? now;
    lifetime = Math.floor((expires.getTime() - date.getTime()) / 1000);
  }
  if (lifetime === undefined) return undefined;
  const age = h.age !== undefined && /^\d+$/.test(h.age.trim()) ? Number(h.age.trim()) : 0;
  return Math.max(0, lifetime - age);
}
