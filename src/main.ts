// Composition root (DESIGN.md §2): config → db → migrate → services → http + scheduler, and a
// graceful shutdown that stops the scheduler, finishes in-flight requests and fetches (bounded)
// and closes the database.
import { readdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig, withEnvFile, type Config } from './config.js';
import { readConfigFile } from './services/config-file.js';
import { createLogger, type Logger } from './log.js';
import { ConfigError, errorMessage } from './errors.js';
import { createCore, storageUrl, type Core } from './compose.js';
import { redactDatabaseUrl } from './storage/database-url.js';
import { ensureAdminToken } from './admin-token.js';
import { applyConfigFile } from './services/config-sync.js';
import { createScheduler, assertValidSchedule, type Scheduler } from './scheduler/scheduler.js';
import { createHttpServer } from './http/app.js';
import { DEMO_DIR, VERSION } from './paths.js';
import { seedDemo } from './services/demo.js';
import { importSibling } from './lazy-import.js';

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  core: Core;
  scheduler: Scheduler;
  adminToken: string;
  /** The token-free metrics listener (WIREFEED_METRICS_PORT), when there is one. */
  metricsUrl?: string;
  stop(): Promise<void>;
}

/**
 * WIREFEED_METRICS_PORT: /metrics without a token, so it listens on loopback only (a scraper
 * on the same host, or a sidecar). Used by the server and by `wirefeed scheduler`.
 */
export async function listenMetrics(config: Config, core: Core, log: Logger): Promise<{ server: Server; url: string } | undefined> {
  if (!core.metrics || config.metricsPort === undefined) return undefined;
  const { createMetricsServer } = await importSibling<typeof import('./http/metrics.js')>(import.meta.url, 'http/metrics');
  const server = createMetricsServer(core.metrics);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.metricsPort, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  log.info({ url }, 'metrics listening (loopback, no token)');
  return { server, url };
}

const DEMO_FEED_RE = /\.(xml|json)$/;

/** The scheduler with its hourly housekeeping (retention, checkpoint), for the server and the CLI. */
export function createAppScheduler(config: Config, core: Core, log: Logger): Scheduler {
  return createScheduler({
    refresh: core.refresh,
    schedule: config.schedule,
    log,
    housekeeping: async () => {
      const olderThan = config.retentionDays ? new Date(Date.now() - config.retentionDays * 86_400_000).toISOString() : undefined;
      if (olderThan || config.retentionPerSource) {
        const { deleted } = await core.storage.prune({ olderThan, maxPerSource: config.retentionPerSource || undefined });
        if (deleted) log.info({ deleted }, 'retention pruned articles');
      }
      if (core.deliveries && config.deliveryRetentionDays) {
        const deliveries = await core.deliveries.prune(new Date(Date.now() - config.deliveryRetentionDays * 86_400_000));
        if (deliveries) log.info({ deliveries }, 'retention pruned partner deliveries');
      }
      await core.storage.maintenance();
    },
  });
}

/** The bundled demo feeds, registered into an empty database by the server and the scheduler. */
export async function seedBundledDemo(core: Core, log: Logger): Promise<void> {
  const files = readdirSync(DEMO_DIR).filter((f) => DEMO_FEED_RE.test(f)).sort();
  await seedDemo({ storage: core.storage, sources: core.sources, log }, files);
}

export async function startServer(config: Config, baseLog: Logger, opts: { installSignalHandlers?: boolean } = {}): Promise<RunningServer> {
  assertValidSchedule(config.schedule);
  // A bad sources/channels file stops start-up before the database is even opened.
  const configFile = config.configFile ? readConfigFile(config.configFile) : undefined;
  const core = await createCore(config, baseLog);
  const log = core.log;
  let server: Server | undefined;
  try {
    const token = ensureAdminToken(config.dataDir, config.adminToken);
    if (token.source === 'generated') log.warn({ file: token.file }, 'admin token generated: use it as "Authorization: Bearer <token>" for /api');
    else if (token.source === 'file') log.info({ file: token.file }, 'admin token read from the data directory');

    if (configFile) await applyConfigFile(configFile, { sources: core.sources, channels: core.channels, log });

    const scheduler = createAppScheduler(config, core, log);

    const started = Date.now();
    server = createHttpServer({
      config,
      log,
      adminToken: token.token,
      feeds: core.feeds,
      sources: core.sources,
      channels: core.channels,
      refresh: core.refresh,
      articles: core.articles,
      partners: core.partners,
      console: core.console,
      metrics: core.metrics,
      version: VERSION,
      lifecycle: core.lifecycle,
      hub: core.hub,
      deliveries: core.deliveries,
      quotas: core.quotas,
      sourcePush: core.sourcePush,
      demoDir: config.demo ? DEMO_DIR : undefined,
      health: async () => {
        // Which instance and backend answer, healthy or not: behind a load balancer that is
        // the first thing an operator needs.
        const identity = { storage: core.storage.backend, instance: core.instanceId };
        let sources: Awaited<ReturnType<typeof core.storage.sources.health>>;
        try {
          await core.storage.dataVersion(); // rejects when the database is gone
          sources = await core.storage.sources.health();
        } catch (err) {
          log.error({ err: errorMessage(err) }, 'health check: database unavailable');
          return { ok: false, ...identity, error: 'database unavailable' };
        }
        return {
          ok: true,
          ...identity,
          version: VERSION,
          uptimeS: Math.round((Date.now() - started) / 1000),
          sources: sources.total,
          sourcesFailing: sources.failing,
          sourcesPaused: sources.paused,
          fetchesInFlight: core.refresh.inFlight,
        };
      },
    });
    const srv = server;
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(config.port, config.host, () => {
        srv.off('error', reject);
        resolve();
      });
    });
    const port = (srv.address() as AddressInfo).port;
    const metricsListener = await listenMetrics(config, core, log);
    const loopbackHost = config.host.includes(':') && config.host !== '::' ? `[${config.host}]` : config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
    const origin = `http://${loopbackHost}:${port}`;
    if (config.demo) await seedBundledDemo(core, log);
    core.hub.start();
    core.sourcePush.start();
    if (config.scheduler) scheduler.start();
    else log.info({}, 'scheduler off in this process (WIREFEED_SCHEDULER=0): run `wirefeed scheduler` beside it');
    log.info({ url: origin, baseUrl: config.baseUrl, storage: core.storage.backend, db: redactDatabaseUrl(storageUrl(config)), version: VERSION }, 'wirefeed listening');

    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        log.info({}, 'shutting down');
        const closed = new Promise<void>((r) => srv.close(() => r()));
        srv.closeIdleConnections();
        metricsListener?.server.close();
        metricsListener?.server.closeAllConnections();
        const force = setTimeout(() => srv.closeAllConnections(), 10_000);
        force.unref();
        await scheduler.stop();
        await closed;
        clearTimeout(force);
        await core.close();
        log.info({}, 'stopped');
      })());

    if (opts.installSignalHandlers) {
      const onSignal = (signal: NodeJS.Signals) => {
        log.info({ signal }, 'signal received');
        stop().then(
          () => process.exit(0),
          (err) => {
            log.error({ err: errorMessage(err) }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    }
    return { url: origin, port, server: srv, core, scheduler, adminToken: token.token, metricsUrl: metricsListener?.url, stop };
  } catch (err) {
    server?.close();
    await core.close();
    throw err;
  }
}

/** `npm start` and `wirefeed serve`. Bad configuration → one line on stderr, exit code 2. */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: Config;
  try {
    // A `.env` file in the working directory fills what the real environment leaves unset.
    config = loadConfig(withEnvFile(env));
  } catch (err) {
    process.stderr.write(`wirefeed: ${errorMessage(err)}\n`);
    process.exit(2);
  }
  const log = createLogger(config.logLevel);
  try {
    await startServer(config, log, { installSignalHandlers: true });
  } catch (err) {
    if (err instanceof ConfigError || (err as { code?: string }).code === 'schema_too_new') {
      process.stderr.write(`wirefeed: ${errorMessage(err)}\n`);
      process.exit(2);
    }
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES') {
      process.stderr.write(`wirefeed: cannot listen on ${config.host}:${config.port} (${e.code}); set PORT or HOST\n`);
      process.exit(2);
    }
    log.fatal({ err: errorMessage(err), stack: (err as Error).stack }, 'start-up failed');
    process.exit(1);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href || process.argv[1]?.endsWith(path.join('src', 'main.ts'))) void main();
