// The one home of the `pg` driver's connection pool. Every connection gets the schema on its
// search_path at startup (a libpq `options` parameter, so no extra round trip and no window in
// which a fresh connection could see another schema): tests give each test its own schema.
import pg from 'pg';
import { ConfigError } from '../../errors.js';
import { backendOf, redactDatabaseUrl } from '../database-url.js';

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;

export interface PgPoolOptions {
  /** postgres:// or postgresql:// URL (libpq syntax). */
  url: string;
  /** Most connections this pool opens (WIREFEED_DATABASE_POOL_SIZE). */
  size?: number;
  /** Schema holding wirefeed's tables; default the server's search_path (normally `public`). */
  schema?: string;
  /** Shown in pg_stat_activity, e.g. the instance id. */
  applicationName?: string;
  /** Told about errors of idle pooled connections (the server dropped them); they are replaced. */
  onIdleError?: (err: Error) => void;
}

export const DEFAULT_POOL_SIZE = 10;

/**
 * A connection attempt that gets no answer (server unreachable, not refusing) fails after this
 * long instead of holding its request forever (the driver's default is no limit).
 */
export const CONNECT_TIMEOUT_MS = 10_000;

/** Plain lower-case identifiers only: they need no quoting in SQL or in the startup options. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new ConfigError(`storage: schema name ${JSON.stringify(schema)} must match ${SCHEMA_NAME.source}`);
  return schema;
}

/** True for the URL schemes that select PostgreSQL. */
export function isPostgresUrl(url: string): boolean {
  return backendOf(url) === 'postgres';
}

export { redactDatabaseUrl };

const INT8_OID = 20;

/**
 * BIGINT columns (ids, seq, counts) come back as JS numbers, as SQLite gives them: they stay far
 * below 2^53. A value beyond that would lose precision silently, so it is refused instead.
 */
function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`storage: integer ${text} is beyond 2^53`);
  return n;
}

/** Per-pool type parsers (pg.types.setTypeParser would change every pool in the process). */
export const PG_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** Connection settings shared by the pool and by dedicated clients (LISTEN, migration lock). */
export function clientConfig(opts: PgPoolOptions): pg.ClientConfig {
  if (!isPostgresUrl(opts.url)) throw new ConfigError('storage: a PostgreSQL URL must start with postgres:// or postgresql://');
  const options = opts.schema ? `-c search_path=${checkSchemaName(opts.schema)}` : undefined;
  return {
    connectionString: opts.url,
    types: PG_TYPES,
    ...(options ? { options } : {}),
    application_name: opts.applicationName ?? 'wirefeed',
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // TCP keepalive: a pooled connection to a vanished peer is found dead eventually, not never.
    keepAlive: true,
  };
}

export function createPool(opts: PgPoolOptions): PgPool {
  const size = opts.size ?? DEFAULT_POOL_SIZE;
  if (!Number.isInteger(size) || size < 1) throw new ConfigError(`storage: pool size must be a positive integer, not ${size}`);
  const pool = new pg.Pool({ ...clientConfig(opts), max: size, idleTimeoutMillis: 30_000 });
  // An idle connection the server drops (restart, failover) emits 'error' on the pool; without a
  // listener Node would crash the process. The pool discards it and opens a new one on demand.
  pool.on('error', (err) => opts.onIdleError?.(err));
  return pool;
}

/** A client outside the pool, for sessions that must stay on one connection (LISTEN, locks). */
export function createClient(opts: PgPoolOptions): pg.Client {
  return new pg.Client(clientConfig(opts));
}

/** One statement on a connection of its own, closed afterwards: CREATE or DROP of a schema or database. */
export async function execOnce(opts: PgPoolOptions, sql: string): Promise<void> {
  const c = createClient(opts);
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
