// Append-only schema migrations of the PostgreSQL twin. Never edit or reorder a shipped entry:
// add a new one (other engineers: take numbers from your assigned range). Numbers from ranges
// can land out of order, so what a schema has is the set of its schema_version rows, and every
// missing migration is applied, in version order, whatever the highest applied one is. Each
// runs in its own transaction together with its schema_version row (PostgreSQL DDL is
// transactional, so a crash leaves a consistent set). Instances starting together
// serialize on a session advisory lock, taken on one dedicated connection for the whole run:
// the second waits, then finds the work done.
import { StorageError, errorMessage } from '../../errors.js';
import { pgCode } from './context.js';
import type { PgPool } from './pool.js';
import { checkSchemaName } from './pool.js';
import { SCHEMA_V1 } from './schema-v1.js';

export interface PgMigration {
  version: number;
  name: string;
  up: string;
}

export const PG_MIGRATIONS: readonly PgMigration[] = [
  { version: 1, name: 'initial', up: SCHEMA_V1 },
  {
    version: 45,
    name: 'article-raw-hash',
    // Twin of SQLite migration 45: the hash of the raw item an article's content came from.
    up: `ALTER TABLE articles ADD COLUMN raw_hash TEXT COLLATE "C";`,
  },
  {
    version: 58,
    name: 'partner-rate-windows',
    // PostgreSQL only (SQLite counts in its one process's memory): each partner's requests per
    // rate-limit window, shared by the instances (rate-window-repo.ts). Windows are epoch ms;
    // ended ones are deleted by maintenance. last_grant is what the latest reservation got.
    up: `
CREATE TABLE partner_rate_windows (
  partner_id BIGINT NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
  window_s INTEGER NOT NULL,
  window_start BIGINT NOT NULL,
  window_end BIGINT NOT NULL,
  used INTEGER NOT NULL,
  last_grant INTEGER NOT NULL,
  PRIMARY KEY (partner_id, window_s, window_start)
);
CREATE INDEX partner_rate_windows_end ON partner_rate_windows (window_end);`,
  },
];

export const PG_SCHEMA_VERSION: number = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]!.version;

const UNDEFINED_TABLE = '42P01';

/** The applied version (0 for an empty schema). Runs on the pool's search_path. */
export async function pgSchemaVersion(pool: PgPool): Promise<number> {
  try {
    const r = await pool.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_version');
    return r.rows[0]?.v ?? 0;
  } catch (err) {
    if (pgCode(err) === UNDEFINED_TABLE) return 0;
    throw err;
  }
}

/**
 * Applies every migration the schema lacks, in version order, and returns the highest version
 * before and after.
 * Creates `schema` when given (the pool must put it on its search_path). Refuses a schema
 * written by a newer wirefeed.
 */
export async function migratePostgres(
  pool: PgPool,
  opts: { schema?: string; migrations?: readonly PgMigration[] } = {},
): Promise<{ from: number; to: number }> {
  const migrations = opts.migrations ?? PG_MIGRATIONS;
  const known = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  const schema = opts.schema === undefined ? undefined : checkSchemaName(opts.schema);
  let client;
  try {
    client = await pool.connect();
  } catch (err) {
    throw new StorageError(`storage: cannot connect to PostgreSQL: ${errorMessage(err)}`, { cause: err });
  }
  // Database-wide key, one per schema: instances on one schema serialize, tests on their own
  // schemas don't wait for each other.
  const lockKey = `wirefeed:migrate:${schema ?? '(search_path)'}`;
  let broken: Error | undefined;
  try {
    await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [lockKey]);
    try {
      if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
      );
      const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_version')).rows.map((r) => r.version));
      const from = Math.max(0, ...applied);
      const ours = new Set(migrations.map((m) => m.version));
      // A version this build does not know was written by a newer wirefeed.
      const unknown = [...applied].filter((v) => !ours.has(v));
      if (unknown.length) {
        throw new StorageError(
          `storage: database schema version ${Math.max(...unknown)} is newer than this wirefeed supports (${known}); upgrade wirefeed or point WIREFEED_DATABASE_URL elsewhere`,
          { code: 'schema_too_new' },
        );
      }
      let to = from;
      for (const m of migrations) {
        if (applied.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.up);
          await client.query('INSERT INTO schema_version (version, name) VALUES ($1, $2)', [m.version, m.name]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch((e: Error) => (broken = e));
          throw new StorageError(`storage: migration ${m.version} (${m.name}) failed: ${errorMessage(err)}`, { cause: err });
        }
        to = Math.max(to, m.version);
      }
      return { from, to };
    } finally {
      if (!broken) await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [lockKey]).catch((e: Error) => (broken = e));
    }
  } catch (err) {
    if (err instanceof StorageError) throw err;
    throw new StorageError(`storage: cannot migrate PostgreSQL schema: ${errorMessage(err)}`, { cause: err });
  } finally {
    // A broken connection is dropped, which also ends its session lock.
    client.release(broken);
  }
}
