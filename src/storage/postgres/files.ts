// Storage.files() and Storage.backup() on PostgreSQL: the database is the server's, not a file
// of ours, so "size on disk" is what our schema's tables take, and an online copy is the job of
// PostgreSQL's own tools.
import { StorageError } from '../../errors.js';
import type { StorageFiles } from '../repos.js';
import type { PgQuery } from './context.js';

/**
 * Bytes of every table in the schema on our search_path, with their indexes and TOAST data
 * (pg_total_relation_size). walBytes is 0: the write-ahead log belongs to the whole server
 * (every database on it), so no share of it is ours to report.
 */
export async function schemaFiles(q: PgQuery): Promise<StorageFiles> {
  const row = await q.one<{ bytes: number }>(
    `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS bytes
       FROM pg_class c
      WHERE c.relkind IN ('r', 'm') AND c.relnamespace = current_schema()::regnamespace`,
  );
  return { databaseBytes: row!.bytes, walBytes: 0 };
}

/** `wirefeed backup` is SQLite's online file copy; on PostgreSQL it is refused with the alternatives. */
export function refuseBackup(): never {
  throw new StorageError(
    'storage: `wirefeed backup` copies an SQLite file; this installation runs on PostgreSQL. Back it up with pg_dump ' +
      '(e.g. `pg_dump --format=custom --schema=<schema> <database URL>`), or copy it into an SQLite file with ' +
      '`wirefeed db copy --from <database URL> --to sqlite:<file>`',
    { code: 'backup_unsupported' },
  );
}
