// Opens the SQLite database and assembles the Storage implementation. The one place that
// constructs a better-sqlite3 connection.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { StorageError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { migrate } from './migrations.js';
import type { Storage } from './repos.js';
import { createArticleRepo } from './sqlite/article-repo.js';
import { createChannelRepo } from './sqlite/channel-repo.js';
import { createSqliteContext } from './sqlite/context.js';
import { createFetchLogRepo, createIngestRepo } from './sqlite/ingest-repo.js';
import { pruneArticles } from './sqlite/retention.js';
import { createSourceRepo } from './sqlite/source-repo.js';

const IN_MEMORY = ':memory:';

/** Page cache per connection (KiB, negative by SQLite convention): hot index pages stay resident. */
const CACHE_KIB = 64 * 1024;

export function openSqliteStorage(opts: { path: string; log?: Logger }): Storage {
  const file = opts.path;
  const inMemory = file === IN_MEMORY || file === '';
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
      if (mode !== 'wal') opts.log?.warn({ path: file, mode }, 'storage journal mode is not WAL');
    }
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = NORMAL');
    db.pragma(`cache_size = -${CACHE_KIB}`);
    db.pragma('temp_store = MEMORY');
    const { from, to } = migrate(db);
    if (from !== to) opts.log?.info({ path: file, from, to }, 'storage schema migrated');
  } catch (err) {
    db.close();
    if (err instanceof StorageError) throw err;
    throw new StorageError(`storage: cannot prepare database ${file}: ${errorMessage(err)}`, { cause: err });
  }

  const ctx = createSqliteContext(db);
  // data_version moves when another connection commits; ctx.writes when this one does.
  const dataVersionStmt = db.prepare('PRAGMA data_version').pluck();

  return {
    sources: createSourceRepo(ctx),
    articles: createArticleRepo(ctx),
    channels: createChannelRepo(ctx),
    fetchLog: createFetchLogRepo(ctx),
    ingest: createIngestRepo(ctx),
    dataVersion() {
      return ctx.writes + (dataVersionStmt.get() as number);
    },
    async getSetting(key: string) {
      return ctx.read('get setting', () => {
        const v = ctx.stmt('SELECT value FROM settings WHERE key = ?').pluck().get(key) as string | undefined;
        return v;
      });
    },
    async setSetting(key: string, value: string) {
      ctx.write('set setting', () => {
        ctx.stmt('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
      });
    },
    async prune(policy) {
      return pruneArticles(ctx, policy);
    },
    async maintenance() {
      ctx.read('maintenance', () => {
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.pragma('optimize');
      });
    },
    close() {
      if (db.open) db.close();
    },
  };
}
