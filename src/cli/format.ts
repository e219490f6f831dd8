// What the CLI prints: plain text for people (stdout), one line per fact, so it can be piped,
// grepped, and extended (a progress display can wrap the per-source fetch line).
import type { Channel, FetchLogEntry, Source } from '../model/types.js';
import type { RefreshOutcome } from '../services/types.js';

export function table(rows: string[][]): string {
  if (!rows.length) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

/** One word for a source's state: never fetched yet is `new`, not `ok`. */
export function sourceHealth(s: Source): string {
  if (s.status !== 'active') return s.status;
  if (s.errorCount) return `failing×${s.errorCount}`;
  if (!s.lastFetchedAt) return 'new';
  return 'ok';
}

export function sourcesTable(list: Source[]): string {
  return table([['ID', 'SLUG', 'HEALTH', 'LAST FETCH', 'URL'], ...list.map((s) => [String(s.id), s.slug, sourceHealth(s), s.lastFetchedAt ?? '-', s.url])]);
}

export function sourceDetails(s: Source, channels: Channel[]): string {
  const rows: [string, string | undefined][] = [
    ['id', String(s.id)],
    ['slug', s.slug],
    ['url', s.url],
    ['title', s.title],
    ['site', s.siteUrl],
    ['health', sourceHealth(s)],
    ['status reason', s.statusReason],
    ['categories', s.categories.join(', ') || undefined],
    ['interval', `${s.minIntervalS}–${s.maxIntervalS} s`],
    ['last fetch', s.lastFetchedAt],
    ['last success', s.lastSuccessAt],
    ['next fetch', s.status === 'active' ? s.nextFetchAt : undefined],
    ['errors in a row', s.errorCount ? String(s.errorCount) : undefined],
    ['last error', s.lastError],
    ['default credit', s.defaultCredit],
    ['default rights', s.defaultRights],
    ['channels', channels.filter((c) => c.filter.sourceIds?.includes(s.id)).map((c) => c.slug).join(', ') || undefined],
    ['created', s.createdAt],
  ];
  const shown = rows.filter((r): r is [string, string] => r[1] !== undefined && r[1] !== '');
  const lint = s.lint.map((l) => ['lint', `${l.code}: ${l.message}`] as [string, string]);
  return table([...shown, ...lint].map(([k, v]) => [`${k}:`, v]));
}

export function fetchLogTable(entries: FetchLogEntry[]): string {
  return table([
    ['TIME', 'OUTCOME', 'HTTP', 'BYTES', 'MS', 'NEW', 'UPDATED', 'UNCHANGED', 'ERROR / WARNINGS'],
    ...entries.map((e) => [
      e.startedAt,
      e.outcome,
      String(e.httpStatus ?? '-'),
      String(e.bytes ?? '-'),
      String(e.ms),
      String(e.itemsNew),
      String(e.itemsUpdated),
      String(e.itemsUnchanged),
      [e.error, ...e.warnings].filter(Boolean).join('; '),
    ]),
  ]);
}

/**
 * The fetch report, one line per source printed the moment that source finishes (a hanging
 * source no longer hides the others until the end). `slugWidth` aligns the columns when the
 * sources are known in advance.
 */
export function outcomePrinter(write: (s: string) => void, slugWidth = 24) {
  const w = Math.max(6, slugWidth);
  const line = (cols: string[]) => write(`${cols[0]!.padEnd(w)}  ${cols[1]!.padEnd(12)}  ${cols[2]!.padStart(4)}  ${cols[3]!.padStart(4)}  ${cols[4]!.padStart(7)}  ${cols[5]!.padStart(6)}  ${cols[6]}`.trimEnd() + '\n');
  return {
    header: () => line(['SOURCE', 'OUTCOME', 'HTTP', 'NEW', 'UPDATED', 'MS', 'ERROR']),
    outcome: (o: RefreshOutcome) =>
      line([o.slug, o.outcome, String(o.log.httpStatus ?? '-'), String(o.log.itemsNew), String(o.log.itemsUpdated), String(o.log.ms), o.log.error ?? '']),
    summary: (all: RefreshOutcome[]) => {
      const counts = new Map<string, number>();
      for (const o of all) counts.set(o.outcome, (counts.get(o.outcome) ?? 0) + 1);
      const parts = [...counts].map(([k, n]) => `${n} ${k}`);
      write(`${all.length} source${all.length === 1 ? '' : 's'} fetched${parts.length ? `: ${parts.join(', ')}` : ''}\n`);
    },
  };
}
