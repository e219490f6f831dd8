// What every SQLite repository shares: the connection, a prepared-statement cache, and the
// write wrapper that makes each write one transaction and counts it for dataVersion().
import type BetterSqlite3 from 'better-sqlite3';
import { StorageError, WirefeedError, errorMessage } from '../../errors.js';

export interface SqliteContext {
  readonly db: BetterSqlite3.Database;
  /** Prepared once per distinct SQL text: preparing costs more than running a small query. */
  stmt(sql: string): BetterSqlite3.Statement;
  /**
   * Runs `fn` in one IMMEDIATE transaction (all or nothing); `what` names it in errors.
   * `quiet` writes (partners, keys, delivery log) change nothing a feed shows, so they do not
   * count in `writes` and leave every rendered feed cached.
   */
  write<T>(what: string, fn: () => T, opts?: { quiet?: boolean }): T;
  /** Runs a read; SQLite errors become StorageError. */
  read<T>(what: string, fn: () => T): T;
  /** Committed write transactions of this connection. */
  readonly writes: number;
}

function wrap(what: string, err: unknown): never {
  if (err instanceof WirefeedError) throw err;
  throw new StorageError(`storage: ${what} failed: ${errorMessage(err)}`, { cause: err });
}

export function createSqliteContext(db: BetterSqlite3.Database): SqliteContext {
  const statements = new Map<string, BetterSqlite3.Statement>();
  let writes = 0;
  return {
    db,
    stmt(sql) {
      let s = statements.get(sql);
      if (!s) {
        s = db.prepare(sql);
        statements.set(sql, s);
      }
      return s;
    },
    write(what, fn, opts) {
      let out;
      try {
        out = db.transaction(fn).immediate();
      } catch (err) {
        wrap(what, err);
      }
      if (!opts?.quiet) writes++;
      return out;
    },
    read(what, fn) {
      try {
        return fn();
      } catch (err) {
        wrap(what, err);
      }
    },
    get writes() {
      return writes;
    },
  };
}

/** The SQLite error code of a failed statement (e.g. 'SQLITE_CONSTRAINT_UNIQUE'), if any. */
export function sqliteCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}
