// Backup and restore as the CLI offers them (README "Backup and restore"). Backup is online
// (storage.backup); restore replaces the database file and so must run with no connection open,
// which it checks itself.
import type { Config } from '../config.js';
import { ValidationError } from '../errors.js';
import type { Storage } from '../storage/repos.js';
import { checkBackupFile, restoreDatabase } from '../storage/sqlite/backup.js';

export async function backupTo(storage: Storage, file: string, onProgress?: (done: number, total: number) => void): Promise<{ articles: number; maxSeq: number }> {
  await storage.backup(file, onProgress);
  const { articles, maxSeq } = checkBackupFile(file);
  return { articles, maxSeq };
}

export function restoreFrom(config: Pick<Config, 'dbPath' | 'databaseUrl'>, file: string, now: Date): { keptAs?: string; articles: number; maxSeq: number } {
  const { dbPath } = config;
  if (config.databaseUrl !== undefined)
    throw new ValidationError('not_sqlite', 'restore: a backup file restores a SQLite database; with PostgreSQL use pg_restore, or `wirefeed db copy` from the backup file');
  if (dbPath === ':memory:') throw new ValidationError('no_database_file', 'restore: WIREFEED_DB is :memory:, there is no file to restore into');
  // A file-name-safe stamp: 2026-12-07T15-30-00Z.
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/:/g, '-');
  return restoreDatabase(dbPath, file, stamp);
}
