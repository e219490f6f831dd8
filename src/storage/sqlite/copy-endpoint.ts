// SQLite side of `wirefeed db copy` (storage/copy/endpoint.ts). Opened like every command opens
// the database (migrated to the current schema), read from one WAL snapshot, written in one
// IMMEDIATE transaction. Integers are read as bigint so no id or seq loses precision.
import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { StorageError, errorMessage } from '../../errors.js';
import { MIGRATION_TABLE, migrate } from './migrations.js';
import type { ColumnInfo, ColumnKind, CopySource, CopyTarget, Row, Skipped, TableInfo } from '../copy/endpoint.js';
import { isInMemoryPath, openSqliteConnection } from './connection.js';

const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** SQLite's affinity rules (https://www.sqlite.org/datatype3.html#determination_of_column_affinity). */
function kindOf(declared: string): ColumnKind {
  const t = declared.toUpperCase();
  if (t.includes('INT')) return 'integer';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'text';
  if (t === '' || t.includes('BLOB')) return 'blob';
  return 'real';
}

function bindable(kind: ColumnKind, v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (kind === 'integer' && typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v);
  return v;
}

interface TableListRow {
  schema: string;
  name: string;
  type: string;
}

export function openSqliteCopyEndpoint(file: string, role: 'source'): CopySource;
export function openSqliteCopyEndpoint(file: string, role: 'target'): CopyTarget;
export function openSqliteCopyEndpoint(file: string, role: 'source' | 'target'): CopySource & CopyTarget {
  if (isInMemoryPath(file)) throw new StorageError('db copy: an in-memory database cannot be copied from or to');
  if (role === 'source' && !existsSync(file)) throw new StorageError(`db copy: ${file} does not exist`, { code: 'copy_source_missing' });
  const db: Database.Database = openSqliteConnection(file);
  try {
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  const tableList = () => (db.pragma('table_list') as TableListRow[]).filter((t) => t.schema === 'main');
  const isAutoincrement = (table: string): boolean =>
    /\bAUTOINCREMENT\b/i.test((db.prepare(`SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?`).pluck().get(table) as string | undefined) ?? '');
  const run = <T>(what: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw new StorageError(`db copy: ${what} failed on ${file}: ${errorMessage(err)}`, { cause: err });
    }
  };
  const inserts = new Map<string, { stmt: Database.Statement; kinds: ColumnKind[] }>();

  const endpoint: CopySource & CopyTarget = {
    backend: 'sqlite',
    label: `sqlite:${file}`,
    async tables() {
      return tableList()
        .filter((t) => t.type === 'table' && !t.name.startsWith('sqlite_') && t.name !== MIGRATION_TABLE)
        .map((t): TableInfo => {
          const cols = db.pragma(`table_info(${q(t.name)})`) as { name: string; type: string; notnull: number; dflt_value: unknown; pk: number }[];
          const fks = db.pragma(`foreign_key_list(${q(t.name)})`) as { table: string }[];
          const primaryKey = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
          const rowidAlias = primaryKey.length === 1 && cols.find((c) => c.pk === 1)!.type.toUpperCase() === 'INTEGER';
          const columns: ColumnInfo[] = cols.map((c) => ({
            name: c.name,
            kind: kindOf(c.type),
            optional: c.notnull === 0 || c.dflt_value !== null || (rowidAlias && c.pk === 1),
          }));
          return { name: t.name, columns, primaryKey, references: [...new Set(fks.map((f) => f.table))] };
        });
    },
    async skipped() {
      const out: Skipped[] = [];
      for (const t of tableList()) {
        // Shadow tables belong to their virtual table; sqlite_schema is the catalog itself.
        if (t.type === 'virtual') out.push({ table: t.name, reason: 'full-text index: rebuilt from the copied articles' });
        else if (t.name === MIGRATION_TABLE) out.push({ table: t.name, reason: 'migration bookkeeping of this database' });
        else if (t.name === 'sqlite_sequence') out.push({ table: t.name, reason: 'id high-water marks: carried over as such' });
        else if (t.type === 'table' && t.name.startsWith('sqlite_') && t.name !== 'sqlite_schema') out.push({ table: t.name, reason: 'SQLite internal' });
      }
      return out;
    },
    async count(table) {
      return run(`counting ${table}`, () => Number(db.prepare(`SELECT count(*) FROM ${q(table)}`).pluck().get()));
    },
    async readPage(table, columns, after, limit) {
      const key = table.primaryKey.map(q);
      const where = after ? (key.length === 1 ? `WHERE ${key[0]} > ?` : `WHERE (${key.join(', ')}) > (${key.map(() => '?').join(', ')})`) : '';
      const sql = `SELECT ${columns.map(q).join(', ')} FROM ${q(table.name)} ${where} ORDER BY ${key.join(', ')} LIMIT ?`;
      return run(`reading ${table.name}`, () => {
        const stmt = db.prepare(sql).raw(true).safeIntegers(true);
        const kinds = table.primaryKey.map((k) => table.columns.find((c) => c.name === k)!.kind);
        return stmt.all(...(after ?? []).map((v, i) => bindable(kinds[i]!, v)), limit) as Row[];
      });
    },
    async idHighWater() {
      const out = new Map<string, { column: string; value: bigint }>();
      if (!tableList().some((t) => t.name === 'sqlite_sequence')) return out;
      const rows = db.prepare('SELECT name, seq FROM sqlite_sequence').safeIntegers(true).all() as { name: string; seq: bigint }[];
      for (const r of rows) {
        const pk = (db.pragma(`table_info(${q(r.name)})`) as { name: string; pk: number }[]).find((c) => c.pk === 1);
        if (pk) out.set(r.name, { column: pk.name, value: r.seq });
      }
      return out;
    },
    async beginSnapshot() {
      // In WAL mode the snapshot is taken by the first read of the transaction.
      run('starting a read', () => {
        db.exec('BEGIN');
        db.prepare('SELECT count(*) FROM sqlite_schema').get();
      });
    },
    async begin() {
      run('starting the write', () => db.exec('BEGIN IMMEDIATE'));
    },
    async deleteAll(table) {
      run(`emptying ${table}`, () => db.exec(`DELETE FROM ${q(table)}`));
    },
    async insert(table, columns, rows) {
      const key = `${table}(${columns.join(',')})`;
      let insert = inserts.get(key);
      if (!insert) {
        const info = (await endpoint.tables()).find((t) => t.name === table);
        if (!info) throw new StorageError(`db copy: no table ${table} in ${file}`);
        insert = {
          stmt: db.prepare(`INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`),
          kinds: columns.map((c) => info.columns.find((x) => x.name === c)!.kind),
        };
        inserts.set(key, insert);
      }
      const { stmt, kinds } = insert;
      run(`writing ${table}`, () => {
        for (const row of rows) stmt.run(...row.map((v, i) => bindable(kinds[i]!, v)));
      });
    },
    async setIdHighWater(table, column, value) {
      // Without AUTOINCREMENT SQLite hands out max(rowid) + 1 and keeps no mark.
      if (!isAutoincrement(table)) return undefined;
      return run(`setting the id mark of ${table}`, () => {
        const max = db.prepare(`SELECT coalesce(max(${q(column)}), 0) FROM ${q(table)}`).pluck().safeIntegers(true).get() as bigint;
        const mark = value > max ? value : max;
        const updated = db.prepare('UPDATE sqlite_sequence SET seq = ? WHERE name = ?').run(mark, table).changes;
        if (!updated) db.prepare('INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)').run(table, mark);
        return mark;
      });
    },
    async rebuildDerived() {
      // The same text ingest indexes (article-derived.ts), through the functions migrate() registered.
      run('rebuilding the full-text index', () => {
        db.exec(`INSERT INTO articles_fts (articles_fts) VALUES ('delete-all')`);
        db.exec(`INSERT INTO articles_fts (rowid, title, summary, body)
          SELECT id, coalesce(title, ''), coalesce(summary, ''), wirefeed_html_text(content_html) FROM articles`);
      });
    },
    async commit() {
      run('committing', () => db.exec('COMMIT'));
    },
    async rollback() {
      if (db.open && db.inTransaction) db.exec('ROLLBACK');
    },
    async close() {
      if (!db.open) return;
      if (db.inTransaction) db.exec('ROLLBACK');
      db.close();
    },
  };
  return endpoint;
}
