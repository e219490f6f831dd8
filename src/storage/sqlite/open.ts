// Opens the SQLite database (the main connection, migrated here) and assembles the Storage
// implementation. For a file database, ingest writes go to a writer thread with its own
// connection (sqlite/writer-thread.ts); everything else stays on the main connection.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { StorageError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import { migrate } from './migrations.js';
import type { ClaimedSource, IngestRepo, LeaseRepo, Storage } from '../repos.js';
import { createArticleRepo } from './article-repo.js';
import { createChannelRepo } from './channel-repo.js';
import { isInMemoryPath, openSqliteConnection } from './connection.js';
import { createSqliteContext } from './context.js';
import { createFetchLogRepo, createIngestRepo, knownItems } from './ingest-repo.js';
import { createPartnerRepo } from './partner-repo.js';
import { createDeliveryRepo } from './delivery-repo.js';
import { pruneArticles } from './retention.js';
import { createSourceRepo } from './source-repo.js';
import { createLeaseRepo } from './lease-repo.js';
import { createStatsRepo } from './stats-repo.js';
import { backupDatabase } from './backup.js';
import { createWebSubRepo } from './websub-repo.js';
import { createWriterThread, type WriterThread } from './writer-thread.js';

/** How stale another process's commits may look to dataVersion() (this process's never are). */
const DATA_VERSION_TTL_MS = 1;

export interface SqliteStorageOptions {
  path: string;
  log?: Logger;
  /**
   * Run ingest.recordFetch on a second connection in a worker thread, so storing a big feed
   * never stalls the event loop. Default true for a file; always false for ':memory:' (an
   * in-memory database cannot be shared between connections).
   */
  writerThread?: boolean;
  /** The writer thread stops after this long without a write (WriterThreadOptions.idleMs). */
  writerIdleMs?: number;
}

export function openSqliteStorage(opts: SqliteStorageOptions): Storage {
  const file = opts.path;
  const inMemory = isInMemoryPath(file);
  const db: Database.Database = openSqliteConnection(file, opts.log);
  try {
    const { from, to } = migrate(db);
    if (from !== to) opts.log?.info({ path: file, from, to }, 'storage schema migrated');
  } catch (err) {
    db.close();
    if (err instanceof StorageError) throw err;
    throw new StorageError(`storage: cannot prepare database ${file}: ${errorMessage(err)}`, { cause: err });
  }

  const ctx = createSqliteContext(db);
  // Only after migrating: the writer thread never migrates.
  const writer: WriterThread | undefined = !inMemory && (opts.writerThread ?? true) ? createWriterThread({ file: path.resolve(file), ...(opts.writerIdleMs !== undefined ? { idleMs: opts.writerIdleMs } : {}) }) : undefined;
  const mainLeases = createLeaseRepo(ctx);
  const leases: LeaseRepo = writer
    ? {
        claimDue: (...args) => writer.lease({ op: 'claimDue', args }) as Promise<ClaimedSource[]>,
        renewLeases: (...args) => writer.lease({ op: 'renewLeases', args }) as Promise<number[]>,
        releaseLeases: async (...args) => void (await writer.lease({ op: 'releaseLeases', args })),
        liveLeases: mainLeases.liveLeases,
      }
    : mainLeases;
  const ingest: IngestRepo = writer
    ? { recordFetch: ((rec) => writer.recordFetch(rec)) as IngestRepo['recordFetch'], knownItems: (sourceId) => knownItems(ctx, sourceId) }
    : createIngestRepo(ctx);
  // data_version moves when another connection (another process) commits; ctx.writes when this
  // one does, writer.commits as soon as a threaded write is answered. The PRAGMA is a SQLite
  // call (~4 µs, a tenth of a cached-feed request), so it is read at most once per
  // DATA_VERSION_TTL_MS: another process's commit shows within that, ours at once.
  const dataVersionStmt = db.prepare('PRAGMA data_version').pluck();
  let pragmaVersion = 0;
  let pragmaReadAt = -Infinity;
  const otherCommits = (): number => {
    const t = performance.now();
    if (t - pragmaReadAt >= DATA_VERSION_TTL_MS) {
      pragmaVersion = dataVersionStmt.get() as number;
      pragmaReadAt = t;
    }
    return pragmaVersion;
  };
  let closed = false;

  return {
    sources: createSourceRepo(ctx),
    leases,
    articles: createArticleRepo(ctx),
    channels: createChannelRepo(ctx),
    partners: createPartnerRepo(ctx, otherCommits),
    deliveries: createDeliveryRepo(ctx),
    fetchLog: createFetchLogRepo(ctx),
    ingest,
    stats: createStatsRepo(ctx),
    websub: createWebSubRepo(ctx),
    backend: 'sqlite',
    async dataVersion() {
      if (closed) throw new StorageError('storage: the database is closed', { code: 'storage_closed' });
      return ctx.writes + (writer?.commits ?? 0) + otherCommits();
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
    async files() {
      if (inMemory) return { databaseBytes: 0, walBytes: 0 };
      const size = (f: string) => stat(f).then(
        (s) => s.size,
        () => 0,
      );
      const [databaseBytes, walBytes] = await Promise.all([size(file), size(`${file}-wal`)]);
      return { databaseBytes, walBytes };
    },
    async backup(target, onProgress) {
      if (inMemory) throw new StorageError('storage: an in-memory database has nothing to back up');
      await backupDatabase(db, target, onProgress);
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
    async close() {
      if (closed) return;
      closed = true;
      try {
        writer?.close(); // finishes queued writes first (bounded)
      } finally {
        if (db.open) db.close();
      }
    },
  };
}

