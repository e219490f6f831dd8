// `wirefeed db copy` (README "Moving an installation"): every table of one database into another,
// ids and seq kept, in ONE write transaction on the target that commits only after every
// table's row count and checksum, read back from the target, equal the source's. A failed
// check rolls everything back: the target is left as it was. The source is read from one
// snapshot, so a server may keep running on it (what it writes after the snapshot is not copied).
import { StorageError, ValidationError, errorMessage } from '../errors.js';
import type { CopySource, CopyTarget, Row, Skipped } from '../storage/copy/endpoint.js';
import { planCopy, PlanError, type TablePlan } from '../storage/copy/plan.js';
import { ChecksumError, columnOrder, createTableChecksum } from '../storage/copy/row-checksum.js';

/** Rows per read and per insert batch. */
const PAGE_ROWS = 1000;

/**
 * Tables a fresh database already has rows in (the migrations seed the counters): their rows are
 * replaced by the source's, and do not make a target "non-empty".
 */
const SEEDED_BY_MIGRATIONS = new Set(['counters']);

export interface TableReport {
  table: string;
  sourceRows: number;
  targetRows: number;
  sourceChecksum: string;
  targetChecksum: string;
  ok: boolean;
  /** Target columns the source lacks, left to their defaults. */
  defaulted: string[];
}

export interface IdMarkReport {
  table: string;
  column: string;
  source: bigint;
  /** The mark the target keeps now (undefined: the backend keeps none, next id is max + 1). */
  target: bigint | undefined;
  ok: boolean;
}

export interface CopyReport {
  from: string;
  to: string;
  tables: TableReport[];
  idMarks: IdMarkReport[];
  skipped: Skipped[];
  targetOnly: string[];
  ok: boolean;
}

export type CopyProgress =
  | { phase: 'copy' | 'verify'; table: string; done: number; total: number }
  | { phase: 'copied' | 'verified'; table: string; rows: number };

export interface CopyOptions {
  /** Empty a non-empty target first (otherwise a non-empty target is refused). */
  replace?: boolean;
  onProgress?: (p: CopyProgress) => void;
  pageRows?: number;
}

async function checkEmpty(target: CopyTarget, tables: TablePlan[]): Promise<void> {
  const nonEmpty: string[] = [];
  for (const t of tables) {
    if (SEEDED_BY_MIGRATIONS.has(t.name)) continue;
    const n = await target.count(t.name);
    if (n > 0) nonEmpty.push(`${t.name} (${n})`);
  }
  if (nonEmpty.length) {
    throw new ValidationError(
      'target_not_empty',
      `db copy: the target already holds data: ${nonEmpty.join(', ')}. Nothing was written. Use --replace to delete everything in the target first.`,
      409,
    );
  }
}

/** Reads a whole table in key order, feeding each page to `each`. */
async function readTable(
  end: CopySource | CopyTarget,
  t: TablePlan,
  side: 'source' | 'target',
  pageRows: number,
  each: (rows: Row[]) => Promise<void>,
): Promise<void> {
  const info = side === 'source' ? t.source : t.target;
  let after: Row | undefined;
  for (;;) {
    const rows = await end.readPage(info, t.columns, after, pageRows);
    if (!rows.length) return;
    await each(rows);
    if (rows.length < pageRows) return;
    const last = rows[rows.length - 1]!;
    after = t.keyIndexes.map((i) => last[i]);
  }
}

function checksumOf(t: TablePlan, side: 'source' | 'target') {
  return createTableChecksum(side === 'source' ? t.sourceKinds : t.targetKinds, columnOrder(t.columns));
}

async function copyTable(source: CopySource, target: CopyTarget, t: TablePlan, opts: CopyOptions, pageRows: number): Promise<{ rows: number; checksum: string }> {
  const total = await source.count(t.name);
  const sum = checksumOf(t, 'source');
  await readTable(source, t, 'source', pageRows, async (rows) => {
    for (const r of rows) sum.add(r);
    await target.insert(t.name, t.columns, rows);
    opts.onProgress?.({ phase: 'copy', table: t.name, done: sum.rows, total });
  });
  // The snapshot makes these equal; anything else means rows were not read in key order.
  if (sum.rows !== total) throw new StorageError(`db copy: read ${sum.rows} rows of ${t.name} but the source counts ${total}`);
  opts.onProgress?.({ phase: 'copied', table: t.name, rows: sum.rows });
  return { rows: sum.rows, checksum: sum.digest() };
}

async function verifyTable(target: CopyTarget, t: TablePlan, expected: number, opts: CopyOptions, pageRows: number): Promise<{ rows: number; checksum: string }> {
  const count = await target.count(t.name);
  const sum = checksumOf(t, 'target');
  await readTable(target, t, 'target', pageRows, async (rows) => {
    for (const r of rows) sum.add(r);
    opts.onProgress?.({ phase: 'verify', table: t.name, done: sum.rows, total: expected });
  });
  opts.onProgress?.({ phase: 'verified', table: t.name, rows: sum.rows });
  // A count that disagrees with the rows read back shows as a changed checksum too.
  return { rows: count, checksum: count === sum.rows ? sum.digest() : `${sum.digest()} (${sum.rows} rows read)` };
}

async function carryIdMarks(source: CopySource, target: CopyTarget, tables: TablePlan[]): Promise<IdMarkReport[]> {
  const from = await source.idHighWater();
  const to = await target.idHighWater();
  const out: IdMarkReport[] = [];
  for (const t of tables) {
    const mark = from.get(t.name) ?? to.get(t.name);
    if (!mark) continue;
    const value = from.get(t.name)?.value ?? 0n;
    // The target raises it to its own max(id) when that is higher (a source without a mark).
    const kept = await target.setIdHighWater(t.name, mark.column, value);
    out.push({ table: t.name, column: mark.column, source: value, target: kept, ok: kept === undefined || kept >= value });
  }
  return out;
}

export async function copyDatabase(source: CopySource, target: CopyTarget, opts: CopyOptions = {}): Promise<CopyReport> {
  const pageRows = opts.pageRows ?? PAGE_ROWS;
  await source.beginSnapshot();
  let plan;
  try {
    plan = planCopy({ tables: await source.tables(), skipped: await source.skipped() }, { tables: await target.tables(), skipped: await target.skipped() });
  } catch (err) {
    if (err instanceof PlanError) throw new StorageError(`db copy: ${err.message}\nNothing was written.`, { code: 'copy_schema_mismatch' });
    throw err;
  }
  await target.begin();
  try {
    if (!opts.replace) await checkEmpty(target, plan.tables);
    for (const t of [...plan.tables].reverse()) if (opts.replace || SEEDED_BY_MIGRATIONS.has(t.name)) await target.deleteAll(t.name);
    const copied = new Map<string, { rows: number; checksum: string }>();
    for (const t of plan.tables) {
      try {
        copied.set(t.name, await copyTable(source, target, t, opts, pageRows));
      } catch (err) {
        if (err instanceof ChecksumError) throw new StorageError(`db copy: table ${t.name}: ${err.message}`);
        throw err;
      }
    }
    const idMarks = await carryIdMarks(source, target, plan.tables);
    await target.rebuildDerived();
    const tables: TableReport[] = [];
    for (const t of plan.tables) {
      const src = copied.get(t.name)!;
      const dst = await verifyTable(target, t, src.rows, opts, pageRows);
      tables.push({
        table: t.name,
        sourceRows: src.rows,
        targetRows: dst.rows,
        sourceChecksum: src.checksum,
        targetChecksum: dst.checksum,
        ok: src.rows === dst.rows && src.checksum === dst.checksum,
        defaulted: t.defaulted,
      });
    }
    const report: CopyReport = {
      from: source.label,
      to: target.label,
      tables,
      idMarks,
      skipped: plan.skipped,
      targetOnly: plan.targetOnly,
      ok: tables.every((t) => t.ok) && idMarks.every((m) => m.ok),
    };
    if (report.ok) await target.commit();
    else await target.rollback();
    return report;
  } catch (err) {
    try {
      await target.rollback();
    } catch (rollbackErr) {
      throw new StorageError(`db copy: ${errorMessage(err)} (and the rollback failed: ${errorMessage(rollbackErr)})`, { cause: err });
    }
    throw err;
  }
}
