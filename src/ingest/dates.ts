// Feed dates: RFC 822/1123 as written in the wild (RSS 2.0 pubDate), RFC 3339 (Atom, JSON
// Feed), then a forgiving fallback. Every result is a UTC instant; zone-less times are UTC,
// never the server's local zone, so parsing is the same on every machine.

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH_NAMES = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** Offsets in minutes east of UTC for the zone names feeds actually use. */
const ZONES: Record<string, number> = {
  z: 0, ut: 0, utc: 0, gmt: 0, wet: 0,
  // RFC 822 §5.1 North American zones.
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  akst: -540, akdt: -480, hst: -600, ast: -240, adt: -180, nst: -210, ndt: -150,
  west: 60, cet: 60, cest: 120, met: 60, mest: 120, bst: 60, eet: 120, eest: 180, msk: 180,
  // IST is ambiguous (India / Ireland / Israel); India publishes far more feeds that use it.
  ist: 330, pkt: 300, ict: 420, wib: 420, hkt: 480, sgt: 480, pht: 480, awst: 480, cst8: 480,
  jst: 540, kst: 540, acst: 570, acdt: 630, aest: 600, aedt: 660, nzst: 720, nzdt: 780,
};

function monthIndex(name: string): number | undefined {
  const n = name.toLowerCase().replace(/\.$/, '');
  if (n.length < 3) return undefined;
  const i = MONTHS.indexOf(n.slice(0, 3));
  if (i < 0) return undefined;
  // "Sept" and full names are fine; "Janitor" is not a month.
  return MONTH_NAMES[i]!.startsWith(n) || n === 'sept' ? i : undefined;
}

/** Zone text → minutes east of UTC; undefined when unrecognized. */
function zoneOffset(zone: string | undefined): number | undefined {
  if (!zone) return 0;
  const z = zone.trim().toLowerCase();
  if (z === '') return 0;
  const named = /^(?:(ut|utc|gmt|z)\s*)?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(z);
  if (named) {
    const sign = named[2] === '-' ? -1 : 1;
    const hours = Number(named[3]);
    const minutes = Number(named[4] ?? 0);
    if (hours > 14 || minutes > 59) return undefined;
    return sign * (hours * 60 + minutes);
  }
  if (z in ZONES) return ZONES[z];
  // RFC 822 military zones other than Z are unreliable (RFC 2822 §4.3): treat as UTC.
  if (/^[a-ik-y]$/.test(z)) return 0;
  return undefined;
}

function build(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMin: number): Date | undefined {
  if (mo < 0 || mo > 11 || d < 1 || d > 31 || h > 24 || mi > 59 || s > 60) return undefined;
  const t = Date.UTC(y, mo, d, h, mi, Math.min(s, 59), ms) - offsetMin * 60_000;
  const date = new Date(t);
  // Reject roll-overs such as 31 February.
  if (new Date(Date.UTC(y, mo, d)).getUTCDate() !== d) return undefined;
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function fullYear(y: string): number {
  const n = Number(y);
  if (y.length > 2) return n;
  // RFC 2822 §4.3: two-digit years 00-49 are 20xx, 50-99 are 19xx.
  return n < 50 ? 2000 + n : 1900 + n;
}

const ISO = /^(\d{4})-?(\d{2})-?(\d{2})(?:[T\s]+(\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?\s*(z|[+-]\d{2}(?::?\d{2})?|[a-z]{2,5})?)?$/i;

// [weekday,] day month year [time [zone]] — also "day-month-year" and a missing weekday comma.
const RFC822 = /^(?:[a-z]+\.?,?\s*)?(\d{1,2})(?:st|nd|rd|th)?[\s-]+([a-z]+\.?)[\s,-]+(\d{2,4})(?:[\s,T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(?:([ap])\.?m\.?)?\s*(.*))?$/i;

// [weekday,] month day[,] year [time [zone]] — US style and JavaScript's Date#toString.
const US = /^(?:[a-z]+\.?,?\s*)?([a-z]+\.?)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:[\s,T]+(?:at\s+)?(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(?:([ap])\.?m\.?)?\s*(.*))?$/i;

function hour12(h: number, ampm: string | undefined): number {
  if (!ampm) return h;
  const pm = ampm.toLowerCase() === 'p';
  if (h === 12) return pm ? 12 : 0;
  return pm ? h + 12 : h;
}

function fraction(f: string | undefined): number {
  return f ? Math.round(Number(`0.${f}`) * 1000) : 0;
}

function cleanZone(rest: string | undefined): string | undefined {
  if (!rest) return undefined;
  // Drop a trailing "(Central European Standard Time)" comment as Date#toString writes it.
  return rest.replace(/\(.*\)\s*$/, '').trim();
}

/** Parses a feed date; undefined when it is not a date at all. */
export function parseFeedDate(input: string | undefined | null): Date | undefined {
  if (typeof input !== 'string') return undefined;
  const s = input.replace(/[\s\u00a0]+/g, ' ').trim();
  if (!s) return undefined;

  const iso = ISO.exec(s);
  if (iso) {
    const off = zoneOffset(iso[8]);
    if (off === undefined) return undefined;
    return build(+iso[1]!, +iso[2]! - 1, +iso[3]!, +(iso[4] ?? 0), +(iso[5] ?? 0), +(iso[6] ?? 0), fraction(iso[7]), off);
  }

  const rfc = RFC822.exec(s);
  if (rfc) {
    const mo = monthIndex(rfc[2]!);
    const off = zoneOffset(cleanZone(rfc[9]));
    if (mo !== undefined && off !== undefined) {
      return build(fullYear(rfc[3]!), mo, +rfc[1]!, hour12(+(rfc[4] ?? 0), rfc[8]), +(rfc[5] ?? 0), +(rfc[6] ?? 0), fraction(rfc[7]), off);
    }
  }

  const us = US.exec(s);
  if (us) {
    const mo = monthIndex(us[1]!);
    const off = zoneOffset(cleanZone(us[9]));
    if (mo !== undefined && off !== undefined) {
      return build(+us[3]!, mo, +us[2]!, hour12(+(us[4] ?? 0), us[8]), +(us[5] ?? 0), +(us[6] ?? 0), fraction(us[7]), off);
    }
  }

  return fallback(s);
}

/**
 * Last resort: the engine's own parser, but only for strings that state their zone (V8 reads
 * zone-less strings as local time, which would make results depend on the server).
 */
function fallback(s: string): Date | undefined {
  if (!/[a-z]/i.test(s) || !/\d{4}/.test(s)) return undefined;
  const hasZone = /(?:\b(?:z|utc?|gmt)\b|[+-]\d{2}:?\d{2})\s*(?:\(.*\))?$/i.test(s);
  const t = Date.parse(hasZone ? s : `${s} UTC`);
  if (Number.isNaN(t)) return undefined;
  const d = new Date(t);
  const y = d.getUTCFullYear();
  return y >= 1900 && y <= 9999 ? d : undefined;
}

/** Allowed clock skew before a date counts as "in the future". */
export const FUTURE_TOLERANCE_MS = 24 * 60 * 60 * 1000;

export type DateFinding = 'bad_date' | 'missing_dates' | 'future_date';

export interface ResolvedDates {
  /** Absent when the source stated no date: nothing is made up (storage orders it by first sight). */
  publishedAt?: string;
  updatedAt?: string;
  /** The dates as the source stated them (ISO), before fallbacks and clamping: hash input. */
  stated: { published?: string; updated?: string };
  findings: DateFinding[];
}

/**
 * Picks an item's dates: published ← published, else updated, else dc:date, else none
 * (`missing_dates`); anything more than a day after `now` is clamped to `now`. Strings that
 * are present but unparsable are reported as `bad_date`.
 */
export function resolveItemDates(raw: { published?: string; updated?: string; dcDate?: string }, now: string): ResolvedDates {
  const findings: DateFinding[] = [];
  const nowDate = new Date(now);
  const parse = (s: string | undefined): Date | undefined => {
    if (s === undefined || !s.trim()) return undefined;
    const d = parseFeedDate(s);
    if (!d && !findings.includes('bad_date')) findings.push('bad_date');
    return d;
  };
  const published = parse(raw.published);
  const updated = parse(raw.updated);
  const dcDate = parse(raw.dcDate);
  const clamp = (d: Date): Date => {
    if (d.getTime() - nowDate.getTime() > FUTURE_TOLERANCE_MS) {
      if (!findings.includes('future_date')) findings.push('future_date');
      return nowDate;
    }
    return d;
  };
  const statedPublished = published ?? updated ?? dcDate;
  const publishedAt = statedPublished ? clamp(statedPublished) : undefined;
  if (!publishedAt) findings.push('missing_dates');
  const updatedAt = updated ? clamp(updated) : undefined;
  return {
    ...(publishedAt ? { publishedAt: publishedAt.toISOString() } : {}),
    ...(updatedAt ? { updatedAt: updatedAt.toISOString() } : {}),
    stated: {
      ...(statedPublished ? { published: statedPublished.toISOString() } : {}),
      ...(updated ? { updated: updated.toISOString() } : {}),
    },
    findings,
  };
}
