// Opens the PostgreSQL storage (storage/open.ts picks it for a postgres:// URL): one pool, the
// schema migrated under its advisory lock, one LISTEN session hearing the other instances'
// commits, and the repositories of this folder assembled into the same Storage interface the
// SQLite backend implements.
import { randomBytes } from 'node:crypto';
import { StorageError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { Storage } from '../repos.js';
import { createArticleReads } from './article-repo.js';
import { createChannelRepo } from './channel-repo.js';
import { startCommitListener } from './commit-listener.js';
import { createPgContext, notifyChannel } from './context.js';
import { createDeliveryRepo } from './delivery-repo.js';
import { refuseBackup, schemaFiles } from './files.js';
import { createFetchLogRepo, createIngestRepo } from './ingest-repo.js';
import { createLeaseRepo } from './lease-repo.js';
import { applyArticleEvent, createArticleLifecycle, storeRevision } from './lifecycle.js';
import { migratePostgres } from './migrations.js';
import { createPartnerRepo } from './partner-repo.js';
import { createPool, redactDatabaseUrl, type PgPoolOptions } from './pool.js';
import { createRateWindowRepo } from './rate-window-repo.js';
import { createSourceRepo } from './source-repo.js';
import { createStatsRepo } from './stats-repo.js';
import { getSetting, maintenance, pruneArticles, setSetting, versionOf } from './storage-ops.js';
import { createWebSubRepo } from './websub-repo.js';

export interface PostgresStorageOptions {
  /** postgres:// or postgresql:// URL (WIREFEED_DATABASE_URL). */
  databaseUrl: string;
  /** Schema holding wirefeed's tables (created if missing); default the server's search_path. */
  schema?: string;
  /** Connections in the pool (WIREFEED_DATABASE_POOL_SIZE). */
  poolSize?: number;
  /** This instance (WIREFEED_INSTANCE_ID): names its connections in pg_stat_activity. */
  instanceId?: string;
  /** How long cached output is served while the database is unreachable (storage-ops.ts versionOf). */
  staleIfErrorMs?: number;
  /** How often the commit listener checks its session (commit-listener.ts). */
  heartbeatMs?: number;
  log?: Logger;
}

export async function openPostgresStorage(opts: PostgresStorageOptions): Promise<Storage> {
  const shown = redactDatabaseUrl(opts.databaseUrl);
  const connection: PgPoolOptions = {
    url: opts.databaseUrl,
    ...(opts.poolSize !== undefined ? { size: opts.poolSize } : {}),
    ...(opts.schema !== undefined ? { schema: opts.schema } : {}),
    applicationName: opts.instanceId ? `wirefeed ${opts.instanceId}` : 'wirefeed',
    onIdleError: (err) => opts.log?.warn({ database: shown, err: errorMessage(err) }, 'storage: an idle PostgreSQL connection was closed; it is replaced on demand'),
  };
  const pool = createPool(connection);
  // Unique per open storage, not just per instance id: two storages in one process (tests, a
  // misconfigured pair sharing an id) must still hear each other's commits.
  const origin = `${opts.instanceId ?? 'wirefeed'}/${randomBytes(6).toString('hex')}`;
  let listener;
  let channel: string;
  try {
    const { from, to } = await migratePostgres(pool, opts.schema !== undefined ? { schema: opts.schema } : {});
    if (from !== to) opts.log?.info({ database: shown, schema: opts.schema, from, to }, 'storage schema migrated');
    // The channel is the schema actually in use, also when the URL names it (libpq `options`
    // setting search_path, the way a deployment does): instances on one schema must share it,
    // instances on other schemas of the same database must not.
    channel = notifyChannel(opts.schema ?? (await pool.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]!.s);
    listener = await startCommitListener({
      connection,
      channel,
      origin,
      ...(opts.heartbeatMs !== undefined ? { heartbeatMs: opts.heartbeatMs } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    });
  } catch (err) {
    await pool.end().catch(() => {});
    if (err instanceof StorageError) throw err;
    throw new StorageError(`storage: cannot open PostgreSQL database ${shown}: ${errorMessage(err)}`, { cause: err });
  }

  const ctx = createPgContext({ pool, channel, origin });
  let closed = false;
  const isClosed = () => closed;
  const commits = listener;
  const stale = opts.staleIfErrorMs;
  const dataVersion = versionOf(ctx, commits, 'data', isClosed, stale);

  return {
    backend: 'postgres',
    sources: createSourceRepo(ctx),
    articles: { ...createArticleReads(ctx), ...createArticleLifecycle(ctx) },
    channels: createChannelRepo(ctx),
    partners: createPartnerRepo(ctx, versionOf(ctx, commits, 'partners', isClosed, stale)),
    deliveries: createDeliveryRepo(ctx),
    fetchLog: createFetchLogRepo(ctx),
    ingest: createIngestRepo(ctx, { storeRevision, applyArticleEvent }),
    leases: createLeaseRepo(ctx),
    stats: createStatsRepo(ctx),
    websub: createWebSubRepo(ctx),
    rateWindows: createRateWindowRepo(ctx),
    dataVersion: async () => dataVersion(),
    getSetting: (key) => getSetting(ctx, key),
    setSetting: (key, value) => setSetting(ctx, key, value),
    prune: (policy) => pruneArticles(ctx, policy),
    files: () => ctx.read('database size', schemaFiles),
    async backup() {
      refuseBackup();
    },
    maintenance: () => maintenance(ctx),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await commits.close();
      } finally {
        await pool.end();
      }
    },
  };
}
