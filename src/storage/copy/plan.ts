// Which tables and columns a copy moves, in which order, derived from both catalogs (pure). Every
// table the source has must be copied or be one the target derives itself: a table added by a
// later migration on one backend only, or a column the target lacks, stops the copy before it
// writes anything instead of being left behind silently.
import type { ColumnInfo, ColumnKind, Skipped, TableInfo } from './endpoint.js';

export interface TablePlan {
  name: string;
  /** Source columns copied, in the order rows are read and written. */
  columns: string[];
  sourceKinds: ColumnKind[];
  targetKinds: ColumnKind[];
  /** Indexes into `columns` of the primary key, in key order. */
  keyIndexes: number[];
  source: TableInfo;
  target: TableInfo;
  /** Target columns the source does not have: left to their defaults. */
  defaulted: string[];
}

export interface CopyPlan {
  /** Referenced tables before the tables referring to them. */
  tables: TablePlan[];
  /** Source tables and columns deliberately not copied (the target rebuilds or owns them). */
  skipped: Skipped[];
  /** Tables only the target has (left as its migrations made them). */
  targetOnly: string[];
}

export class PlanError extends Error {
  constructor(readonly problems: string[]) {
    super(`the two databases do not have the same tables:\n  ${problems.join('\n  ')}`);
  }
}

function isSkipped(list: readonly Skipped[], table: string, column?: string): Skipped | undefined {
  return list.find((s) => s.table === table && (s.column === undefined || s.column === column));
}

/** Dependencies first; a cycle (none in wirefeed's schema) falls back to name order for its members. */
function referenceOrder(tables: TablePlan[]): TablePlan[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const out: TablePlan[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (t: TablePlan) => {
    if (state.get(t.name)) return;
    state.set(t.name, 'visiting');
    const refs = [...new Set([...t.source.references, ...t.target.references])].sort();
    for (const r of refs) {
      const dep = byName.get(r);
      if (dep && r !== t.name) visit(dep);
    }
    state.set(t.name, 'done');
    out.push(t);
  };
  for (const t of [...tables].sort((a, b) => (a.name < b.name ? -1 : 1))) visit(t);
  return out;
}

export function planCopy(
  source: { tables: readonly TableInfo[]; skipped: readonly Skipped[] },
  target: { tables: readonly TableInfo[]; skipped: readonly Skipped[] },
): CopyPlan {
  const problems: string[] = [];
  const targetByName = new Map(target.tables.map((t) => [t.name, t]));
  const skipped: Skipped[] = [...source.skipped];
  const plans: TablePlan[] = [];
  for (const s of source.tables) {
    const t = targetByName.get(s.name);
    if (!t) {
      const derived = isSkipped(target.skipped, s.name);
      if (derived && derived.column === undefined) skipped.push(derived);
      else problems.push(`table ${s.name} is in the source but not in the target (different schema versions?)`);
      continue;
    }
    const targetCols = new Map<string, ColumnInfo>(t.columns.map((c) => [c.name, c]));
    const columns: string[] = [];
    const sourceKinds: ColumnKind[] = [];
    const targetKinds: ColumnKind[] = [];
    for (const c of s.columns) {
      const tc = targetCols.get(c.name);
      if (!tc) {
        const derived = isSkipped(target.skipped, s.name, c.name);
        if (derived) skipped.push({ table: s.name, column: c.name, reason: derived.reason });
        else problems.push(`column ${s.name}.${c.name} is in the source but not in the target`);
        continue;
      }
      if (tc.kind !== c.kind) problems.push(`column ${s.name}.${c.name} holds ${c.kind} in the source but ${tc.kind} in the target`);
      columns.push(c.name);
      sourceKinds.push(c.kind);
      targetKinds.push(tc.kind);
    }
    const sourceNames = new Set(s.columns.map((c) => c.name));
    const defaulted = t.columns.filter((c) => !sourceNames.has(c.name)).map((c) => c.name);
    for (const name of defaulted) {
      if (!targetCols.get(name)!.optional) problems.push(`column ${s.name}.${name} is required in the target but the source has no such column`);
    }
    if (s.primaryKey.join(',') !== t.primaryKey.join(',')) {
      problems.push(`table ${s.name} has primary key (${s.primaryKey.join(', ')}) in the source but (${t.primaryKey.join(', ')}) in the target`);
    }
    if (!s.primaryKey.length) problems.push(`table ${s.name} has no primary key: rows cannot be read in a stable order`);
    const keyIndexes = s.primaryKey.map((k) => columns.indexOf(k));
    if (keyIndexes.some((i) => i < 0)) problems.push(`table ${s.name}: a primary-key column is not copied`);
    plans.push({ name: s.name, columns, sourceKinds, targetKinds, keyIndexes, source: s, target: t, defaulted });
  }
  if (problems.length) throw new PlanError(problems);
  const sourceNames = new Set(source.tables.map((t) => t.name));
  return {
    tables: referenceOrder(plans),
    skipped,
    targetOnly: target.tables.filter((t) => !sourceNames.has(t.name)).map((t) => t.name),
  };
}
