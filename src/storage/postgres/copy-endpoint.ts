// PostgreSQL side of `wirefeed db copy` (storage/copy/endpoint.ts). The catalog (pg_catalog of the
// schema on the search_path) gives tables, columns, keys and references; the source is read in
// one REPEATABLE READ snapshot, the target written in one transaction on one connection. The
// full-text vector (articles.fts) is not copied: it is computed here from each copied article
// row, as ingest computes it, in the same INSERT (a second UPDATE would write every row and its
// GIN entries twice).
import { StorageError, errorMessage } from '../../errors.js';
import type { ColumnInfo, ColumnKind, CopySource, CopyTarget, Row, Skipped, TableInfo } from '../copy/endpoint.js';
import { articleSearchDocument } from './article-derived.js';
import { migratePostgres } from './migrations.js';
import { createPool, redactDatabaseUrl, type PgClient } from './pool.js';

/** Most bind parameters one statement may carry (the protocol's limit is 65,535). */
const MAX_PARAMS = 60_000;

/** Columns this backend derives from others: skipped by the copy, computed on insert. */
const DERIVED: Record<string, { column: string; from: string[]; value(get: (c: string) => unknown): string; reason: string }> = {
  articles: {
    column: 'fts',
    from: ['title', 'summary', 'content_html'],
    value: (get) =>
      articleSearchDocument({ title: (get('title') as string | null) ?? undefined, summary: (get('summary') as string | null) ?? undefined, contentHtml: (get('content_html') as string | null) ?? undefined }),
    reason: 'full-text vector: computed from each copied article',
  },
};

/** Tables the backend keeps for itself. */
const OWN_TABLES: Record<string, string> = {
  schema_version: 'migration bookkeeping of this database',
  partner_rate_windows: "the running instances' shared rate-limit counters",
};

const q = (name: string): string => `"${name.replace(/"/g, '""')}"`;

function kindOf(type: string): ColumnKind | 'derived' {
  if (/^(smallint|integer|bigint|boolean)$/.test(type)) return 'integer';
  if (/^(real|double precision|numeric)/.test(type)) return 'real';
  if (type === 'bytea') return 'blob';
  if (type === 'tsvector') return 'derived';
  return 'text';
}

/** A value as a text-format parameter for a column of `kind` (booleans take '1'/'0' too). */
function param(kind: ColumnKind, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (kind === 'integer') return typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v);
  return v;
}

interface Column extends ColumnInfo {
  type: string;
}

export async function openPostgresCopyEndpoint(opts: { url: string; schema?: string }): Promise<CopySource & CopyTarget> {
  const shown = redactDatabaseUrl(opts.url);
  const pool = createPool({ url: opts.url, size: 1, ...(opts.schema ? { schema: opts.schema } : {}), applicationName: 'wirefeed db copy' });
  let client: PgClient;
  try {
    await migratePostgres(pool, opts.schema ? { schema: opts.schema } : {});
    client = await pool.connect();
  } catch (err) {
    await pool.end();
    throw err;
  }
  const run = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof StorageError) throw err;
      throw new StorageError(`db copy: ${what} failed on ${shown}: ${errorMessage(err)}`, { cause: err });
    }
  };
  const rows = async <R>(sql: string, params: unknown[] = []): Promise<R[]> => (await client.query(sql, params)).rows as R[];

  let catalog: Promise<{ tables: (TableInfo & { columns: Column[]; derived: Column[] })[]; own: string[] }> | undefined;
  const readCatalog = () =>
    (catalog ??= run('reading the catalog', async () => {
      const rels = await rows<{ name: string }>(
        `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1`,
      );
      const tables = [];
      const own: string[] = [];
      for (const { name } of rels) {
        if (OWN_TABLES[name]) {
          own.push(name);
          continue;
        }
        const cols = await rows<{ name: string; type: string; notnull: boolean; hasdef: boolean; identity: string }>(
          `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull, a.atthasdef AS hasdef, a.attidentity AS identity
           FROM pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
          [q(name)],
        );
        const pk = await rows<{ name: string }>(
          `SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
           WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey::int2[], a.attnum)`,
          [q(name)],
        );
        const refs = await rows<{ name: string }>(
          `SELECT DISTINCT r.relname AS name FROM pg_constraint f JOIN pg_class r ON r.oid = f.confrelid
           WHERE f.conrelid = $1::regclass AND f.contype = 'f' ORDER BY 1`,
          [q(name)],
        );
        const columns: Column[] = [];
        const derived: Column[] = [];
        for (const c of cols) {
          const kind = kindOf(c.type);
          const info = { name: c.name, type: c.type, optional: !c.notnull || c.hasdef || c.identity !== '' };
          if (kind === 'derived') derived.push({ ...info, kind: 'text' });
          else columns.push({ ...info, kind });
        }
        tables.push({ name, columns, derived, primaryKey: pk.map((p) => p.name), references: refs.map((r) => r.name) });
      }
      return { tables, own };
    }));
  const table = async (name: string) => {
    const t = (await readCatalog()).tables.find((x) => x.name === name);
    if (!t) throw new StorageError(`db copy: no table ${name} in ${shown}`);
    return t;
  };
  const sequenceOf = async (name: string, column: string) =>
    (await rows<{ s: string | null }>('SELECT pg_get_serial_sequence($1, $2) AS s', [q(name), column]))[0]?.s ?? undefined;

  const endpoint: CopySource & CopyTarget = {
    backend: 'postgres',
    label: opts.schema ? `${shown} (schema ${opts.schema})` : shown,
    async tables() {
      return (await readCatalog()).tables.map(({ name, columns, primaryKey, references }) => ({ name, columns, primaryKey, references }));
    },
    async skipped() {
      const { tables, own } = await readCatalog();
      const out: Skipped[] = own.map((t) => ({ table: t, reason: OWN_TABLES[t]! }));
      for (const t of tables) {
        for (const c of t.derived) {
          const rule = DERIVED[t.name];
          if (!rule || rule.column !== c.name) throw new StorageError(`db copy: ${t.name}.${c.name} (${c.type}) in ${shown} is derived data this wirefeed cannot rebuild`);
          out.push({ table: t.name, column: c.name, reason: rule.reason });
        }
      }
      return out;
    },
    async count(name) {
      return run(`counting ${name}`, async () => Number((await rows<{ n: number }>(`SELECT count(*)::bigint AS n FROM ${q(name)}`))[0]!.n));
    },
    async readPage(info, columns, after, limit) {
      const t = await table(info.name);
      // Bytewise order whatever a column's collation: the same order SQLite's BINARY gives.
      const key = t.primaryKey.map((k) => (t.columns.find((c) => c.name === k)!.kind === 'text' ? `${q(k)} COLLATE "C"` : q(k)));
      const params: unknown[] = [];
      let where = '';
      if (after) {
        params.push(...after.map((v, i) => param(t.columns.find((c) => c.name === t.primaryKey[i])!.kind, v)));
        where = `WHERE (${key.join(', ')}) > (${after.map((_, i) => `$${i + 1}`).join(', ')})`;
      }
      params.push(limit);
      const sql = `SELECT ${columns.map(q).join(', ')} FROM ${q(info.name)} ${where} ORDER BY ${key.join(', ')} LIMIT $${params.length}`;
      return run(`reading ${info.name}`, async () => (await client.query({ text: sql, values: params, rowMode: 'array' })).rows as Row[]);
    },
    async idHighWater() {
      const out = new Map<string, { column: string; value: bigint }>();
      for (const t of (await readCatalog()).tables) {
        if (t.primaryKey.length !== 1) continue;
        const seq = await sequenceOf(t.name, t.primaryKey[0]!);
        if (!seq) continue;
        const [s] = await rows<{ last_value: string; is_called: boolean }>(`SELECT last_value::text AS last_value, is_called FROM ${seq}`);
        const value = BigInt(s!.last_value);
        out.set(t.name, { column: t.primaryKey[0]!, value: s!.is_called ? value : value - 1n });
      }
      return out;
    },
    async beginSnapshot() {
      await run('starting a read', () => client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY'));
    },
    async begin() {
      await run('starting the write', () => client.query('BEGIN'));
    },
    async deleteAll(name) {
      await run(`emptying ${name}`, () => client.query(`DELETE FROM ${q(name)}`));
    },
    async insert(name, columns, batch) {
      if (!batch.length) return;
      const t = await table(name);
      const kinds = columns.map((c) => t.columns.find((x) => x.name === c)!.kind);
      const rule = t.derived.length ? DERIVED[name] : undefined;
      const names = rule ? [...columns, rule.column] : [...columns];
      const per = Math.max(1, Math.floor(MAX_PARAMS / names.length));
      await run(`writing ${name}`, async () => {
        for (let at = 0; at < batch.length; at += per) {
          const slice = batch.slice(at, at + per);
          const values: unknown[] = [];
          const tuples = slice.map((row) => {
            const start = values.length;
            row.forEach((v, i) => values.push(param(kinds[i]!, v)));
            const marks = row.map((_, i) => `$${start + i + 1}`);
            if (rule) {
              values.push(rule.value((c) => row[columns.indexOf(c)]));
              marks.push(`$${values.length}::tsvector`);
            }
            return `(${marks.join(', ')})`;
          });
          await client.query(`INSERT INTO ${q(name)} (${names.map(q).join(', ')}) OVERRIDING SYSTEM VALUE VALUES ${tuples.join(', ')}`, values);
        }
      });
    },
    async setIdHighWater(name, column, value) {
      return run(`setting the id mark of ${name}`, async () => {
        const seq = await sequenceOf(name, column);
        if (!seq) return undefined;
        const max = BigInt((await rows<{ m: string }>(`SELECT coalesce(max(${q(column)}), 0)::text AS m FROM ${q(name)}`))[0]!.m);
        const mark = value > max ? value : max;
        // setval(…, false) for an untouched identity: the next id is 1.
        if (mark === 0n) await client.query('SELECT setval($1, 1, false)', [seq]);
        else await client.query('SELECT setval($1, $2, true)', [seq, mark.toString()]);
        return mark;
      });
    },
    async rebuildDerived() {
      // Computed on insert (see DERIVED); an article that reached this database otherwise keeps its own.
    },
    async commit() {
      await run('committing', () => client.query('COMMIT'));
    },
    async rollback() {
      await client.query('ROLLBACK');
    },
    async close() {
      try {
        await client.query('ROLLBACK');
      } catch {
        // nothing open
      } finally {
        client.release();
        await pool.end();
      }
    },
  };
  return endpoint;
}
