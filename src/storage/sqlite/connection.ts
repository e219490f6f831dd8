// Opens one better-sqlite3 connection with the pragmas every connection needs. Used by the main
// connection (open.ts, which then migrates) and by the writer thread (writer-worker.ts, which
// must not: the main connection already did).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StorageError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';

/** Page cache per connection (KiB, negative by SQLite convention): hot index pages stay resident. */
const CACHE_KIB = 64 * 1024;

export function isInMemoryPath(file: string): boolean {
  return file === ':memory:' || file === '';
}

export function openSqliteConnection(file: string, log?: Logger): Database.Database {
  const inMemory = isInMemoryPath(file);
  let db: Database.Database;
  try {
    if (!inMemory) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    db = new Database(file);
  } catch (err) {
    throw new StorageError(`storage: cannot open database ${file}: ${errorMessage(err)}`, { cause: err });
  }
  try {
    if (!inMemory) {
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (mode !== 'wal') log?.warn({ path: file, mode }, 'storage journal mode is not WAL');
    }
    // Two connections (main + writer thread) take turns on the write lock: wait, don't fail.
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    db.pragma(`cache_size = -${CACHE_KIB}`);
    db.pragma('temp_store = MEMORY');
  } catch (err) {
    db.close();
    throw new StorageError(`storage: cannot prepare database ${file}: ${errorMessage(err)}`, { cause: err });
  }
  return db;
}
