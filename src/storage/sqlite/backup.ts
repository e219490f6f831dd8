// Online backup and offline restore of the SQLite database file (the one home of both; the
// README points PostgreSQL deployments to pg_dump instead).
//
// Backup uses SQLite's online backup API: it copies pages from a read transaction, so the server
// keeps serving and ingesting. If another connection writes between two steps SQLite restarts
// the copy; after a restart we copy the rest in one step, so a busy ingest cannot starve it.
//
// Restore refuses while any connection has the database open. In WAL mode every open
// connection holds a shared lock on the database, so taking an EXCLUSIVE lock (and switching the
// journal out of WAL, which SQLite allows only to the sole connection) is a check that cannot
// go stale the way a pid file does after a crash.
import { copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StorageError, ValidationError, errorMessage } from '../../errors.js';
import { CURRENT_SCHEMA_VERSION } from './migrations.js';

/** Pages per backup step (4 KiB pages: 64 MiB), small enough to report progress. */
const STEP_PAGES = 16_384;

export async function backupDatabase(db: Database.Database, file: string, onProgress?: (done: number, total: number) => void): Promise<void> {
  const tmp = `${file}.partial`;
  rmSync(tmp, { force: true });
  let lastRemaining = Infinity;
  let restarted = false;
  let total = 0;
  try {
    await db.backup(tmp, {
      progress({ totalPages, remainingPages }) {
        if (remainingPages > lastRemaining) restarted = true;
        lastRemaining = remainingPages;
        total = totalPages;
        onProgress?.(totalPages - remainingPages, totalPages);
        return restarted ? totalPages : STEP_PAGES;
      },
    });
    // The callback runs between steps only: the last one is reported here.
    onProgress?.(total, total);
    // A self-contained single file: no -wal beside it to forget when copying it elsewhere.
    const out = new Database(tmp);
    try {
      out.pragma('journal_mode = DELETE');
      const check = out.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new StorageError(`storage: backup check failed: ${String(check)}`);
    } finally {
      out.close();
    }
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    if (err instanceof StorageError) throw err;
    throw new StorageError(`storage: backup to ${file} failed: ${errorMessage(err)}`, { cause: err });
  }
}

/** Integrity and schema of a backup file; throws ValidationError when it cannot be restored. */
export function checkBackupFile(file: string): { schemaVersion: number; articles: number; maxSeq: number } {
  if (!existsSync(file) || !statSync(file).isFile()) throw new ValidationError('backup_missing', `restore: ${file} is not a file`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    throw new ValidationError('backup_invalid', `restore: ${file} is not an SQLite database (${errorMessage(err)})`);
  }
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new ValidationError('backup_corrupt', `restore: ${file} fails the integrity check: ${String(check)}`);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version < 1) throw new ValidationError('backup_invalid', `restore: ${file} is not a wirefeed database (schema version 0)`);
    if (version > CURRENT_SCHEMA_VERSION)
      throw new ValidationError('backup_too_new', `restore: ${file} has schema version ${version}, newer than this wirefeed (${CURRENT_SCHEMA_VERSION})`);
    const articles = db.prepare('SELECT count(*) FROM articles').pluck().get() as number;
    const maxSeq = db.prepare(`SELECT value FROM counters WHERE name = 'seq'`).pluck().get() as number;
    return { schemaVersion: version, articles, maxSeq };
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    throw new ValidationError('backup_invalid', `restore: ${file} is not a wirefeed database (${errorMessage(err)})`);
  } finally {
    db.close();
  }
}

/**
 * Replaces `dbPath` with `from` after checking it; the previous database is kept as
 * `<dbPath>.before-restore-<stamp>`. Throws ValidationError('database_in_use') while any other
 * connection (a server, a scheduler, a CLI) has the database open.
 */
export function restoreDatabase(dbPath: string, from: string, stamp: string): { keptAs?: string; articles: number; maxSeq: number } {
  const info = checkBackupFile(from);
  const tmp = `${dbPath}.restoring`;
  copyFileSync(from, tmp);
  let keptAs: string | undefined;
  try {
    if (existsSync(dbPath)) {
      const db = new Database(dbPath, { fileMustExist: true, timeout: 0 });
      try {
        db.pragma('locking_mode = EXCLUSIVE');
        db.exec('BEGIN EXCLUSIVE');
        db.exec('COMMIT');
        // Folds the WAL into the main file and removes it: the file kept aside is complete.
        db.pragma('journal_mode = DELETE');
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
          throw new ValidationError('database_in_use', `restore: ${dbPath} is in use (a wirefeed server, scheduler or command has it open); stop it first`, 409);
        throw new StorageError(`storage: cannot lock ${dbPath} for restore: ${errorMessage(err)}`, { cause: err });
      } finally {
        db.close();
      }
      keptAs = `${dbPath}.before-restore-${stamp}`;
      renameSync(dbPath, keptAs);
    }
    for (const suffix of ['-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
    renameSync(tmp, dbPath);
  } finally {
    rmSync(tmp, { force: true });
  }
  return { keptAs, articles: info.articles, maxSeq: info.maxSeq };
}
