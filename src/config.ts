// Configuration: environment variables (DESIGN.md §4) validated once at start-up with zod.
// A bad value throws a ConfigError whose message names the key and the problem; main prints
// that one line and exits non-zero.
import { readFileSync } from 'node:fs';
import { availableParallelism, hostname } from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { backendOf, DATABASE_URL_FORMS, sqlitePathOf } from './storage/database-url.js';
import { PARSE_HEAP_MB } from './ingest/process.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** The SQLite file (WIREFEED_DB, or a `sqlite:` WIREFEED_DATABASE_URL); unused with PostgreSQL. */
  dbPath: string;
  /** WIREFEED_DATABASE_URL when it names PostgreSQL (`postgres://…`); absent: SQLite at dbPath. */
  databaseUrl?: string;
  /** PostgreSQL connections per instance. */
  databasePoolSize: number;
  /** PostgreSQL: how long cached feeds are still served while the database is unreachable (ms). */
  staleIfErrorMs: number;
  /** Names this process in leases and logs: WIREFEED_INSTANCE_ID, else `<hostname>-<pid>`. */
  instanceId: string;
  /** Sources/channels file (JSON), applied at start-up. */
  configFile?: string;
  /** Public origin used in self links, e.g. https://feeds.example.com (no trailing slash). */
  baseUrl?: string;
  adminToken?: string;
  allowPrivateNetworks: boolean;
  /** host or host:port entries let through while the private-network guard stays on. */
  privateNetworkAllowlist: string[];
  fetchTimeoutMs: number;
  maxFeedBytes: number;
  /** Fetched body bytes held at once across all fetches, until each is processed and stored. */
  fetchBudgetBytes: number;
  /** node-cron expression for the scheduler tick. */
  schedule: string;
  /** Run the scheduler in the server process (off: a separate `wirefeed scheduler` does it). */
  scheduler: boolean;
  logLevel: (typeof LOG_LEVELS)[number];
  fetchConcurrency: number;
  perHostConcurrency: number;
  /** How long a scheduler's claim on a due source keeps other instances off it (renewed while fetching). */
  leaseMs: number;
  /** Cache-Control max-age for feeds, seconds. */
  feedMaxAgeS: number;
  /** Rendered-feed cache size (entries). */
  cacheEntries: number;
  /** A feed rendered less than this long ago is served as it is while data changes (0 = always fresh). */
  renderIntervalMs: number;
  /** Delete articles older than this many days (0 = keep forever). */
  retentionDays: number;
  /** Keep at most this many articles per source (0 = no cap). */
  retentionPerSource: number;
  /**
   * Seed the bundled offline demo sources into an empty database and serve /demo/. Default: on
   * without WIREFEED_BASE_URL, off with it (a production site does not publish sample stories).
   */
  demo: boolean;
  /** Documents above this many bytes are parsed in worker threads (0 = all of them). */
  workerThresholdBytes: number;
  /** Worker threads for parsing and normalizing feeds. */
  parseWorkers: number;
  /** Parse workers and the storage writer thread stop after this long without work (0 = never). */
  workerIdleMs?: number;
  /** Old-generation heap of each parse worker, MiB: a document needing more fails alone. */
  parseHeapMb?: number;
  /** WebSub hub: subscriptions allowed per topic and per callback host[:port]. */
  websubPerTopic: number;
  websubPerCallbackHost: number;
  /** Serve Prometheus metrics at /metrics (admin bearer token on the main port). */
  metrics?: boolean;
  /** Also serve /metrics without a token on this port, bound to loopback only. */
  metricsPort?: number;
  /** Record every partner delivery (the delivery log). */
  deliveryLog: boolean;
  /** Delete delivery-log rows older than this many days (0 = keep forever). */
  deliveryRetentionDays: number;
}

const boolish = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off', ''].includes(v), 'must be 1/0, true/false, yes/no or on/off')
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const int = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `must be between ${min} and ${max}`);

const bytes = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/i, 'must be a size such as 10485760, 512KiB or 10MiB')
  .transform((v) => {
    const m = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(v)!;
    const unit = (m[2] ?? '').toLowerCase();
    const mult = unit.startsWith('g') ? 1024 ** 3 : unit.startsWith('m') ? 1024 ** 2 : unit.startsWith('k') ? 1024 : 1;
    return Math.floor(Number(m[1]) * mult);
  })
  .refine((n) => n >= 1024 && n <= 1024 ** 3, 'must be between 1 KiB and 1 GiB');

const origin = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password && !u.search && !u.hash;
    } catch {
      return false;
    }
  }, 'must be an absolute http(s) URL without credentials, query or fragment, e.g. https://feeds.example.com')
  .transform((v) => v.replace(/\/+$/, ''));

const hostPortList = z
  .string()
  .transform((v) => v.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean))
  .refine((list) => list.every((e) => /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(e)), 'must be a comma-separated list of host or host:port entries');

const databaseUrl = z
  .string()
  .trim()
  .refine((v) => backendOf(v) !== undefined && (backendOf(v) !== 'sqlite' || sqlitePathOf(v) !== ''), `must be ${DATABASE_URL_FORMS}`);

// Shown in logs and lease columns: printable ASCII without spaces keeps it one token.
const instanceId = z
  .string()
  .trim()
  .regex(/^[\x21-\x7e]{1,128}$/, 'must be 1 to 128 printable ASCII characters without spaces');

const cronExpr = z
  .string()
  .trim()
  .refine((v) => /^(\S+\s+){4,5}\S+$/.test(v), 'must be a cron expression with 5 or 6 fields, e.g. "*/1 * * * *"');

/** Each entry: env var name → its schema and default (as the string a user would write). */
const ENV = {
  PORT: { schema: int(0, 65535), default: '8080' },
  HOST: { schema: z.string().trim().min(1, 'must not be empty'), default: '0.0.0.0' },
  WIREFEED_DATA_DIR: { schema: z.string().trim().min(1, 'must not be empty'), default: './data' },
  WIREFEED_DB: { schema: z.string().trim().min(1, 'must not be empty'), default: undefined },
  // Secret: a database URL may carry a password.
  WIREFEED_DATABASE_URL: { schema: databaseUrl, default: undefined, secret: true },
  WIREFEED_DATABASE_POOL_SIZE: { schema: int(1, 1000), default: '10' },
  WIREFEED_STALE_IF_ERROR_SECONDS: { schema: int(0, 86_400), default: '60' },
  WIREFEED_INSTANCE_ID: { schema: instanceId, default: undefined },
  WIREFEED_CONFIG: { schema: z.string().trim().min(1, 'must not be empty'), default: undefined },
  WIREFEED_BASE_URL: { schema: origin, default: undefined },
  WIREFEED_ADMIN_TOKEN: { schema: z.string().trim().min(16, 'must be at least 16 characters'), default: undefined, secret: true },
  WIREFEED_ALLOW_PRIVATE_NETWORKS: { schema: boolish, default: '0' },
  WIREFEED_PRIVATE_NETWORK_ALLOWLIST: { schema: hostPortList, default: '' },
  WIREFEED_FETCH_TIMEOUT_MS: { schema: int(100, 600_000), default: '20000' },
  WIREFEED_MAX_FEED_BYTES: { schema: bytes, default: '10MiB' },
  WIREFEED_FETCH_BUDGET_BYTES: { schema: bytes, default: '32MiB' },
  WIREFEED_SCHEDULE: { schema: cronExpr, default: '* * * * *' },
  WIREFEED_SCHEDULER: { schema: boolish, default: '1' },
  LOG_LEVEL: { schema: z.string().trim().toLowerCase().pipe(z.enum(LOG_LEVELS)), default: 'info' },
  WIREFEED_FETCH_CONCURRENCY: { schema: int(1, 1000), default: '16' },
  WIREFEED_PER_HOST_CONCURRENCY: { schema: int(1, 100), default: '2' },
  WIREFEED_LEASE_SECONDS: { schema: int(2, 3600), default: '60' },
  WIREFEED_FEED_MAX_AGE: { schema: int(0, 86_400), default: '300' },
  WIREFEED_CACHE_ENTRIES: { schema: int(0, 1_000_000), default: '1000' },
  WIREFEED_RENDER_INTERVAL_MS: { schema: int(0, 600_000), default: '1000' },
  WIREFEED_RETENTION_DAYS: { schema: int(0, 36_500), default: '0' },
  WIREFEED_RETENTION_PER_SOURCE: { schema: int(0, 10_000_000), default: '0' },
  // No default here: the demo is on unless a public base URL says this is production.
  WIREFEED_DEMO: { schema: boolish, default: undefined },
  WIREFEED_WORKER_THRESHOLD_BYTES: { schema: z.union([z.literal('0').transform(() => 0), bytes]), default: '0' },
  WIREFEED_METRICS: { schema: boolish, default: '0' },
  WIREFEED_METRICS_PORT: { schema: int(0, 65535), default: undefined },
  // One core stays with the thread serving HTTP (and the writer): on a 2-core machine one parse
  // worker, at most 4 anywhere.
  WIREFEED_PARSE_WORKERS: { schema: int(1, 64), default: String(Math.max(1, Math.min(4, availableParallelism() - 1))) },
  WIREFEED_WORKER_IDLE_MS: { schema: int(0, 86_400_000), default: '30000' },
  WIREFEED_PARSE_HEAP_MB: { schema: int(16, 16_384), default: String(PARSE_HEAP_MB) },
  WIREFEED_WEBSUB_MAX_PER_TOPIC: { schema: int(1, 10_000_000), default: '10000' },
  WIREFEED_WEBSUB_MAX_PER_CALLBACK_HOST: { schema: int(1, 10_000_000), default: '1000' },
  WIREFEED_DELIVERY_LOG: { schema: boolish, default: '1' },
  WIREFEED_DELIVERY_RETENTION_DAYS: { schema: int(0, 36_500), default: '400' },
} satisfies Record<string, { schema: z.ZodType; default: string | undefined; secret?: true }>;

type EnvKey = keyof typeof ENV;
type Parsed = { [K in EnvKey]: z.output<(typeof ENV)[K]['schema']> | undefined };

export const ENV_FILE = '.env';

/**
 * The environment with the working directory's `.env` file under it (KEY=value lines, as Node's
 * --env-file reads them): a variable set in the real environment wins over the file. The server
 * and the CLI both start from this, so a command sees the configuration the server runs with.
 */
export function withEnvFile(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): NodeJS.ProcessEnv {
  let text: string;
  try {
    text = readFileSync(path.join(cwd, ENV_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return env;
    throw new ConfigError(`config: ${ENV_FILE} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
  return { ...parseEnv(text), ...env };
}

/** Reads and validates the configuration from an environment object. Throws ConfigError. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const out = {} as Record<string, unknown>;
  for (const [key, spec] of Object.entries(ENV) as [EnvKey, (typeof ENV)[EnvKey]][]) {
    const raw = env[key] ?? spec.default;
    if (raw === undefined) continue;
    const res = (spec.schema as z.ZodType).safeParse(raw);
    if (!res.success) {
      const problem = res.error.issues[0]?.message ?? 'is invalid';
      // A secret is never echoed, not even a wrong one: error lines end up in logs and tickets.
      const shown = 'secret' in spec ? ' (value not shown)' : `=${JSON.stringify(raw)}`;
      throw new ConfigError(`config: ${key}${shown} ${problem}`);
    }
    out[key] = res.data;
  }
  const p = out as Parsed;
  const dataDir = path.resolve(cwd, p.WIREFEED_DATA_DIR!);
  const configFile = p.WIREFEED_CONFIG ? path.resolve(cwd, p.WIREFEED_CONFIG) : undefined;
  const url = p.WIREFEED_DATABASE_URL;
  const sqliteFromUrl = url !== undefined && backendOf(url) === 'sqlite' ? sqlitePathOf(url) : undefined;
  if (url !== undefined && p.WIREFEED_DB) throw new ConfigError('config: WIREFEED_DB and WIREFEED_DATABASE_URL are both set; set one of them');
  const dbFile = sqliteFromUrl ?? p.WIREFEED_DB;
  const cfg: Config = {
    port: p.PORT!,
    host: p.HOST!,
    dataDir,
    dbPath: dbFile ? (dbFile === ':memory:' ? ':memory:' : path.resolve(cwd, dbFile)) : path.join(dataDir, 'wirefeed.db'),
    databaseUrl: url !== undefined && sqliteFromUrl === undefined ? url : undefined,
    databasePoolSize: p.WIREFEED_DATABASE_POOL_SIZE!,
    staleIfErrorMs: p.WIREFEED_STALE_IF_ERROR_SECONDS! * 1000,
    instanceId: p.WIREFEED_INSTANCE_ID ?? `${hostname()}-${process.pid}`,
    configFile,
    baseUrl: p.WIREFEED_BASE_URL,
    adminToken: p.WIREFEED_ADMIN_TOKEN,
    allowPrivateNetworks: p.WIREFEED_ALLOW_PRIVATE_NETWORKS!,
    privateNetworkAllowlist: p.WIREFEED_PRIVATE_NETWORK_ALLOWLIST!,
    fetchTimeoutMs: p.WIREFEED_FETCH_TIMEOUT_MS!,
    maxFeedBytes: p.WIREFEED_MAX_FEED_BYTES!,
    fetchBudgetBytes: p.WIREFEED_FETCH_BUDGET_BYTES!,
    schedule: p.WIREFEED_SCHEDULE!,
    scheduler: p.WIREFEED_SCHEDULER!,
    logLevel: p.LOG_LEVEL!,
    fetchConcurrency: p.WIREFEED_FETCH_CONCURRENCY!,
    perHostConcurrency: p.WIREFEED_PER_HOST_CONCURRENCY!,
    leaseMs: p.WIREFEED_LEASE_SECONDS! * 1000,
    feedMaxAgeS: p.WIREFEED_FEED_MAX_AGE!,
    cacheEntries: p.WIREFEED_CACHE_ENTRIES!,
    renderIntervalMs: p.WIREFEED_RENDER_INTERVAL_MS!,
    retentionDays: p.WIREFEED_RETENTION_DAYS!,
    retentionPerSource: p.WIREFEED_RETENTION_PER_SOURCE!,
    demo: p.WIREFEED_DEMO ?? !p.WIREFEED_BASE_URL,
    workerThresholdBytes: p.WIREFEED_WORKER_THRESHOLD_BYTES!,
    parseWorkers: p.WIREFEED_PARSE_WORKERS!,
    workerIdleMs: p.WIREFEED_WORKER_IDLE_MS!,
    parseHeapMb: p.WIREFEED_PARSE_HEAP_MB!,
    websubPerTopic: p.WIREFEED_WEBSUB_MAX_PER_TOPIC!,
    websubPerCallbackHost: p.WIREFEED_WEBSUB_MAX_PER_CALLBACK_HOST!,
    metrics: p.WIREFEED_METRICS!,
    metricsPort: p.WIREFEED_METRICS_PORT,
    deliveryLog: p.WIREFEED_DELIVERY_LOG!,
    deliveryRetentionDays: p.WIREFEED_DELIVERY_RETENTION_DAYS!,
  };
  if (cfg.metricsPort !== undefined && !cfg.metrics) throw new ConfigError('config: WIREFEED_METRICS_PORT needs WIREFEED_METRICS=1');
  return cfg;
}
