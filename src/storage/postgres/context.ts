// What every PostgreSQL repository shares: typed query helpers on the pool, and the write
// wrapper that makes each write one transaction, announces it to the other instances
// (NOTIFY, delivered on commit) and counts it for this instance's dataVersion().
import type pg from 'pg';
import { StorageError, WirefeedError, errorMessage } from '../../errors.js';
import type { PgPool } from './pool.js';

export type SqlParam =
  | string
  | number
  | boolean
  | null
  | undefined
  | Buffer
  | readonly (string | null)[]
  | readonly (number | null)[]
  | readonly (boolean | null)[];

export interface PgQuery {
  /** Every row. */
  many<R>(sql: string, params?: readonly SqlParam[]): Promise<R[]>;
  /** The first row, or undefined. */
  one<R>(sql: string, params?: readonly SqlParam[]): Promise<R | undefined>;
  /** Runs a statement; returns the rows it affected. */
  exec(sql: string, params?: readonly SqlParam[]): Promise<number>;
  /** Every row as an array of column values (cheaper to build than objects for wide rows). */
  tuples(sql: string, params?: readonly SqlParam[]): Promise<unknown[][]>;
}

/**
 * What a write changes, for the other instances and this one:
 * - 'data': published data (articles, sources, channels): moves dataVersion() everywhere;
 * - 'partners': partners or their keys: moves partners.version() everywhere;
 * - 'none': bookkeeping no output depends on (delivery log, WebSub queue): tells nobody.
 */
export type WriteKind = 'data' | 'partners' | 'none';

export interface TxOptions {
  kind?: WriteKind;
  /** More SQLSTATEs worth running the transaction again for (e.g. a unique key a concurrent insert took first). */
  retryOn?: readonly string[];
}

export interface PgContext extends PgQuery {
  readonly pool: PgPool;
  /**
   * Runs `fn` in one READ COMMITTED transaction (all or nothing); `what` names it in errors.
   * On a serialization failure or deadlock the whole transaction is retried, so `fn` must touch
   * nothing but the database through `t` (or be safe to run again).
   */
  tx<T>(what: string, fn: (t: PgQuery) => Promise<T>, opts?: TxOptions): Promise<T>;
  /** Runs reads on the pool; driver errors become StorageError naming `what`. */
  read<T>(what: string, fn: (q: PgQuery) => Promise<T>): Promise<T>;
  /** Committed 'data' and 'partners' transactions of this instance. */
  readonly commits: Readonly<Record<Exclude<WriteKind, 'none'>, number>>;
}

/** The NOTIFY channel of a schema: instances on other schemas of the same database don't hear it. */
export function notifyChannel(schema: string | undefined): string {
  return `wirefeed_${schema ?? 'public'}`;
}

/** Payload of a commit notice: the kind, then who committed (so an instance skips its own). */
export function notifyPayload(kind: Exclude<WriteKind, 'none'>, origin: string): string {
  return `${kind}:${origin}`;
}

/** The SQLSTATE of a failed statement (e.g. '23505' unique_violation), if any. */
export function pgCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * True when `err` says the connection is gone or cannot be made (the server is down, restarting
 * or unreachable, or the session was terminated), rather than that the statement failed:
 * SQLSTATE class 08 and 57P01–57P03, the socket errors, and the driver's own messages.
 */
export function isConnectionLoss(err: unknown): boolean {
  if (err instanceof AggregateError) return err.errors.some(isConnectionLoss);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (/^08/.test(code) || /^57P0[123]$/.test(code) || SOCKET_ERRORS.has(code))) return true;
  return /Connection terminated|not queryable|timeout exceeded when trying to connect/.test(errorMessage(err));
}

const SOCKET_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

export const UNIQUE_VIOLATION = '23505';
/** serialization_failure and deadlock_detected: the transaction may succeed if run again. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

function wrap(what: string, err: unknown): never {
  if (err instanceof WirefeedError) throw err;
  if (isConnectionLoss(err)) {
    throw new StorageError(`storage: ${what} failed: the database is unreachable (${errorMessage(err)})`, { cause: err, code: 'database_unavailable' });
  }
  throw new StorageError(`storage: ${what} failed: ${errorMessage(err)}`, { cause: err });
}

function queryOn(c: pg.Pool | pg.PoolClient): PgQuery {
  return {
    async many<R>(sql: string, params?: readonly SqlParam[]) {
      return (await c.query(sql, params as unknown[] | undefined)).rows as R[];
    },
    async one<R>(sql: string, params?: readonly SqlParam[]) {
      return (await c.query(sql, params as unknown[] | undefined)).rows[0] as R | undefined;
    },
    async exec(sql: string, params?: readonly SqlParam[]) {
      return (await c.query(sql, params as unknown[] | undefined)).rowCount ?? 0;
    },
    async tuples(sql: string, params?: readonly SqlParam[]) {
      return (await c.query({ text: sql, values: params as unknown[] | undefined, rowMode: 'array' })).rows as unknown[][];
    },
  };
}

export interface PgContextOptions {
  pool: PgPool;
  /** notifyChannel(schema). */
  channel: string;
  /** This instance's name in commit notices. */
  origin: string;
}

export function createPgContext(opts: PgContextOptions): PgContext {
  const { pool, channel, origin } = opts;
  const onPool = queryOn(pool);
  const commits = { data: 0, partners: 0 };

  /** `at.committing` is set once COMMIT is sent: a connection lost after that leaves the outcome unknown. */
  async function attempt<T>(fn: (t: PgQuery) => Promise<T>, kind: WriteKind, at: { committing: boolean }): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      try {
        const out = await fn(queryOn(client));
        // Queued by the server and delivered only if and when this transaction commits.
        if (kind !== 'none') await client.query('SELECT pg_notify($1, $2)', [channel, notifyPayload(kind, origin)]);
        at.committing = true;
        await client.query('COMMIT');
        return out;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackErr) {
          broken = rollbackErr as Error; // the connection is unusable: drop it from the pool
        }
        throw err;
      }
    } finally {
      client.release(broken);
    }
  }

  return {
    pool,
    ...onPool,
    async tx(what, fn, txOpts) {
      const kind = txOpts?.kind ?? 'data';
      for (let n = 1; ; n++) {
        const at = { committing: false };
        try {
          const out = await attempt(fn, kind, at);
          if (kind !== 'none') commits[kind]++;
          return out;
        } catch (err) {
          const code = pgCode(err) ?? '';
          // A pooled connection the server dropped (restart, terminated session) is found dead
          // only when used: before COMMIT nothing was written, so a fresh connection may try again.
          const lostBeforeCommit = n === 1 && !at.committing && isConnectionLoss(err);
          if (lostBeforeCommit || (n < MAX_ATTEMPTS && (RETRYABLE.has(code) || txOpts?.retryOn?.includes(code)))) continue;
          wrap(what, err);
        }
      }
    },
    async read(what, fn) {
      for (let n = 1; ; n++) {
        try {
          return await fn(onPool);
        } catch (err) {
          // Reads are safe to repeat: once more on a fresh connection if this one was dead.
          if (n === 1 && isConnectionLoss(err)) continue;
          wrap(what, err);
        }
      }
    },
    commits,
  };
}
