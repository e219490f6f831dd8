// Opens the storage a database URL names: the backend is chosen by the URL's scheme
// (storage/database-url.ts) from the table below, and every caller (server, CLI, tests,
// benches) goes through here. SQLite under data/ is the default; `postgres://` selects
// PostgreSQL for several instances on one database (README "Scaling out").
import { StorageError } from '../errors.js';
import type { Logger } from '../log.js';
import { backendOf, DATABASE_URL_FORMS, redactDatabaseUrl, sqlitePathOf, type BackendName } from './database-url.js';
import { importSibling } from '../lazy-import.js';
import type { Storage } from './repos.js';

export interface OpenStorageOptions {
  /** `sqlite:<path>`, `postgres://…` or `postgresql://…` (database-url.ts). */
  url: string;
  /** PostgreSQL: connections in the pool. */
  poolSize?: number;
  /** PostgreSQL: the schema to use instead of the URL's default (tests: a fresh one each). */
  schema?: string;
  /** This process, as leases and logs name it (config WIREFEED_INSTANCE_ID). */
  instanceId?: string;
  /** PostgreSQL: how long cached output is served while the database is unreachable. */
  staleIfErrorMs?: number;
  log?: Logger;
  /** SQLite: the writer thread stops after this long without a write. */
  writerIdleMs?: number;
}

export type StorageOpener = (opts: OpenStorageOptions) => Promise<Storage>;

async function openSqlite(opts: OpenStorageOptions): Promise<Storage> {
  const file = sqlitePathOf(opts.url);
  if (!file) throw new StorageError(`storage: ${opts.url} names no file (e.g. sqlite:data/wirefeed.db)`);
  const { openSqliteStorage } = await importSibling<typeof import('./sqlite/open.js')>(import.meta.url, 'sqlite/open');
  return openSqliteStorage({ path: file, log: opts.log, ...(opts.writerIdleMs !== undefined ? { writerIdleMs: opts.writerIdleMs } : {}) });
}

async function openPostgres(opts: OpenStorageOptions): Promise<Storage> {
  const { openPostgresStorage } = await importSibling<typeof import('./postgres/open.js')>(import.meta.url, 'postgres/open');
  return openPostgresStorage({
    databaseUrl: opts.url,
    ...(opts.schema !== undefined ? { schema: opts.schema } : {}),
    ...(opts.poolSize !== undefined ? { poolSize: opts.poolSize } : {}),
    ...(opts.instanceId !== undefined ? { instanceId: opts.instanceId } : {}),
    ...(opts.staleIfErrorMs !== undefined ? { staleIfErrorMs: opts.staleIfErrorMs } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
}

/**
 * The backends this build has, each imported only when a URL selects it (a process carries one
 * database driver in memory, not both). A backend missing here is refused with an error that
 * says so, never replaced by another one.
 */
const BACKENDS: Readonly<Partial<Record<BackendName, StorageOpener>>> = {
  sqlite: openSqlite,
  postgres: openPostgres,
};

/** `backends`: this build's table (tests pass their own to check the refusals). */
export async function openStorage(opts: OpenStorageOptions, backends: Readonly<Partial<Record<BackendName, StorageOpener>>> = BACKENDS): Promise<Storage> {
  const backend = backendOf(opts.url);
  const shown = redactDatabaseUrl(opts.url);
  if (!backend) throw new StorageError(`storage: ${shown} is not a database URL (${DATABASE_URL_FORMS})`, { code: 'invalid_database_url' });
  const open = backends[backend];
  if (!open) throw new StorageError(`storage: this build of wirefeed has no ${backend === 'postgres' ? 'PostgreSQL' : backend} backend (${shown})`, { code: 'backend_unavailable' });
  return open(opts);
}
