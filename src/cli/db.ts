// `wirefeed db copy --from … --to …`: moves an installation between databases (README "Moving an
// installation"). Progress and one line per table go to stderr as the copy runs; the per-table
// summary goes to stdout. Database URLs are only ever shown with their password replaced.
import type { Command } from 'commander';
import { copyDatabase, type CopyReport } from '../services/db-copy.js';
import { openCopyEnds } from '../storage/copy/open.js';
import { redactDatabaseUrl } from '../storage/database-url.js';
import { createProgress, type ProgressStream } from './progress.js';
import { table } from './format.js';

type Io = { out: (s: string) => void; err: (s: string) => void; progress?: ProgressStream };

/** The summary: one row per table, the id marks, and what was deliberately not copied. */
export function copySummary(r: CopyReport): string {
  const rows = [['TABLE', 'ROWS', 'SHA-256 (source)', 'TARGET']];
  for (const t of r.tables) {
    const target = t.ok ? 'same' : `${t.targetRows} rows, ${t.targetChecksum.slice(0, 16)}`;
    rows.push([t.table, String(t.sourceRows), t.sourceChecksum.slice(0, 16), target]);
  }
  let out = table(rows);
  for (const m of r.idMarks) out += `next ${m.table}.${m.column} after ${m.target ?? 'max'} (source ${m.source})${m.ok ? '' : ' MISMATCH'}\n`;
  for (const s of r.skipped) out += `not copied: ${s.table}${s.column ? `.${s.column}` : ''} (${s.reason})\n`;
  for (const t of r.tables) if (t.defaulted.length) out += `${t.table}: ${t.defaulted.join(', ')} not in the source, left to defaults\n`;
  for (const t of r.targetOnly) out += `only in the target: ${t} (left as it was)\n`;
  const rowsTotal = r.tables.reduce((n, t) => n + t.sourceRows, 0);
  out += r.ok
    ? `copied ${r.tables.length} tables, ${rowsTotal} rows: counts and checksums verified\n`
    : `verification FAILED: ${r.tables.filter((t) => !t.ok).map((t) => t.table).join(', ') || 'id marks'} differ; the copy was rolled back, the target is unchanged\n`;
  return out;
}

export function registerDbCommands(program: Command, io: Io): void {
  const db = program.command('db').description('database maintenance');
  db.command('copy')
    .description('copy every table (ids and seq kept) from one database to another, verify row counts and a checksum per table, then commit; all or nothing')
    .requiredOption('--from <db>', 'source: sqlite:<path> or postgres://user@host:5432/db')
    .requiredOption('--to <db>', 'target: sqlite:<path> or postgres://…; created and migrated if new')
    .option('--replace', 'delete everything in the target first (a target that holds data is refused otherwise)')
    .action(async (o: { from: string; to: string; replace?: boolean }) => {
      io.err(`copying ${redactDatabaseUrl(o.from)} → ${redactDatabaseUrl(o.to)}\n`);
      const { source, target } = await openCopyEnds(o.from, o.to);
      // One progress line per table and phase (on a terminal only).
      let bar = createProgress('', { write: () => true });
      let barFor = '';
      const t0 = Date.now();
      try {
        const report = await copyDatabase(source, target, {
          replace: o.replace,
          onProgress(p) {
            if ('done' in p) {
              const label = `${p.phase} ${p.table}`;
              if (label !== barFor) {
                bar.end();
                bar = createProgress(label, io.progress ?? { write: () => true }, { unit: ' rows' });
                barFor = label;
              }
              bar.update(p.done, p.total);
            } else {
              bar.end();
              io.err(`${p.phase} ${p.table}: ${p.rows} row${p.rows === 1 ? '' : 's'}\n`);
            }
          },
        });
        bar.end();
        io.out(copySummary(report));
        io.err(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
        if (!report.ok) process.exitCode = 1;
      } finally {
        bar.end();
        await source.close();
        await target.close();
      }
    });
}
