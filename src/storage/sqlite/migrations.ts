// Append-only schema migrations. Never edit or reorder a shipped entry: add a new one.
// Versions are taken from per-branch ranges, so one can land after a higher one (40 landed
// after 45): which migrations a database has is a set, kept in the schema_version table (one
// row per applied migration, as on PostgreSQL), and every missing one is applied, in version
// order, whatever the highest applied is. `PRAGMA user_version` still holds the highest, for
// backups and for older builds' refusal of a newer database. Each migration runs in its own
// transaction together with its row and the version bump, so a crash leaves a consistent set.
// SQL stays close to what PostgreSQL accepts (FTS5 and JSON text columns aside) so a
// PostgreSQL twin can follow the same steps.
import type BetterSqlite3 from 'better-sqlite3';
import { StorageError } from '../../errors.js';
import { foldCategory, indexText } from '../search-text.js';
import { sourceHost } from '../../model/source-host.js';

export interface Migration {
  version: number;
  name: string;
  /** SQL; may call the functions registered by `registerSqlFunctions`. */
  up: string;
  /**
   * `up` edits table definitions in sqlite_schema (writable_schema): SQLite's documented way to
   * drop a NOT NULL or CHECK constraint without rebuilding the table
   * (https://www.sqlite.org/lang_altertable.html#otheralter). better-sqlite3's defensive mode
   * is lifted for it, and the schema version is bumped so every connection reloads the schema.
   */
  editsSchema?: boolean;
  /**
   * The migration rebuilds tables (https://www.sqlite.org/lang_altertable.html#otheralter):
   * foreign keys are switched off around its transaction, since dropping the old table would
   * otherwise cascade-delete every row referring to it, and `foreign_key_check` must find
   * nothing before it commits.
   */
  rebuildsTables?: boolean;
  /**
   * For a migration that landed after a higher-numbered one: whether a database from before the
   * schema_version table has it. Such a database records only its highest version, which says
   * nothing about a lower one that landed later. Without this, every version up to the highest
   * counts as applied.
   */
  presentIn?: (db: BetterSqlite3.Database) => boolean;
}

function hasColumn(db: BetterSqlite3.Database, table: string, column: string): boolean {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).some((c) => c.name === column);
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'initial',
    up: `
CREATE TABLE sources (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  url TEXT NOT NULL UNIQUE,
  title TEXT,
  site_url TEXT,
  description TEXT,
  language TEXT,
  categories TEXT NOT NULL DEFAULT '[]',
  min_interval_s INTEGER NOT NULL,
  max_interval_s INTEGER NOT NULL,
  etag TEXT,
  last_modified TEXT,
  next_fetch_at TEXT NOT NULL,
  last_fetched_at TEXT,
  last_success_at TEXT,
  error_count INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'gone')),
  status_reason TEXT,
  default_credit TEXT,
  default_rights TEXT,
  lint TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL
);
CREATE INDEX sources_due ON sources (status, next_fetch_at);

CREATE TABLE articles (
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  identity_key TEXT NOT NULL,
  identity_kind TEXT NOT NULL CHECK (identity_kind IN ('guid', 'link', 'hash')),
  guid TEXT,
  url TEXT,
  title TEXT NOT NULL,
  summary TEXT,
  content_html TEXT,
  authors TEXT NOT NULL DEFAULT '[]',
  categories TEXT NOT NULL DEFAULT '[]',
  language TEXT,
  published_at TEXT,
  updated_at TEXT,
  rights TEXT,
  content_hash TEXT NOT NULL,
  seq INTEGER NOT NULL UNIQUE,
  first_seen_at TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'live' CHECK (status IN ('live', 'withdrawn')),
  sort_at TEXT NOT NULL,
  UNIQUE (source_id, identity_key)
);
CREATE INDEX articles_status_sort ON articles (status, sort_at);
CREATE INDEX articles_source_sort ON articles (source_id, sort_at);

CREATE TABLE assets (
  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  url TEXT NOT NULL,
  mime_type TEXT,
  medium TEXT,
  width INTEGER,
  height INTEGER,
  size INTEGER,
  title TEXT,
  caption TEXT,
  credit TEXT,
  credit_role TEXT,
  rights TEXT,
  thumbnail_url TEXT,
  PRIMARY KEY (article_id, position)
);

CREATE TABLE channels (
  slug TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT,
  filter TEXT NOT NULL DEFAULT '{}',
  default_limit INTEGER NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE fetch_log (
  id INTEGER PRIMARY KEY,
  source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  started_at TEXT NOT NULL,
  ms INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  http_status INTEGER,
  bytes INTEGER,
  items_new INTEGER NOT NULL DEFAULT 0,
  items_updated INTEGER NOT NULL DEFAULT 0,
  items_unchanged INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  warnings TEXT NOT NULL DEFAULT '[]',
  final_url TEXT
);
CREATE INDEX fetch_log_source ON fetch_log (source_id, id);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

-- seq lives here, not in max(articles.seq): deleting the newest article must never let its
-- seq be handed out again, or a partner's cursor would skip the next article.
CREATE TABLE counters (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('seq', 0);
`,
  },
  {
    version: 2,
    name: 'article-categories',
    up: `
-- One row per (article, folded category) with sort_at copied in, so a category page is one
-- index range scan instead of a JSON scan of every article.
CREATE TABLE article_categories (
  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  term_lower TEXT NOT NULL,
  sort_at TEXT NOT NULL,
  PRIMARY KEY (article_id, term_lower)
);
CREATE INDEX article_categories_term_sort ON article_categories (term_lower, sort_at, article_id);
INSERT INTO article_categories (article_id, term_lower, sort_at)
  SELECT DISTINCT a.id, wirefeed_fold(json_extract(c.value, '$.term')), a.sort_at
  FROM articles a, json_each(a.categories) c
  WHERE wirefeed_fold(json_extract(c.value, '$.term')) <> '';
`,
  },
  {
    version: 3,
    name: 'articles-fts',
    up: `
-- Contentless: the text already lives in articles; the index only needs rowids back.
CREATE VIRTUAL TABLE articles_fts USING fts5 (
  title, summary, body,
  content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2'
);
-- Deletes reach the index from every path, including ON DELETE CASCADE from sources.
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
  DELETE FROM articles_fts WHERE rowid = old.id;
END;
INSERT INTO articles_fts (rowid, title, summary, body)
  SELECT id, title, coalesce(summary, ''), wirefeed_html_text(content_html) FROM articles;
`,
  },
  {
    version: 4,
    name: 'sources-body-hash',
    up: `
-- SHA-256 of the last document processed: an identical body is not parsed again (for servers
-- that send neither ETag nor Last-Modified).
ALTER TABLE sources ADD COLUMN body_hash TEXT;
`,
  },
  {
    version: 5,
    name: 'ids-never-reused',
    rebuildsTables: true,
    // AUTOINCREMENT cannot be added by ALTER TABLE: sources and articles are rebuilt by SQLite's
    // 12-step procedure with their ids, so the FTS rowids, assets, categories and fetch log stay
    // attached. Without it a deleted source's id went to the next source added, and a channel
    // still naming the old id published the new, unrelated source.
    up: `
CREATE TABLE sources_new (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  slug TEXT NOT NULL UNIQUE,
  url TEXT NOT NULL UNIQUE,
  title TEXT,
  site_url TEXT,
  description TEXT,
  language TEXT,
  categories TEXT NOT NULL DEFAULT '[]',
  min_interval_s INTEGER NOT NULL,
  max_interval_s INTEGER NOT NULL,
  etag TEXT,
  last_modified TEXT,
  next_fetch_at TEXT NOT NULL,
  last_fetched_at TEXT,
  last_success_at TEXT,
  error_count INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'gone')),
  status_reason TEXT,
  default_credit TEXT,
  default_rights TEXT,
  lint TEXT NOT NULL DEFAULT '[]',
  created_at TEXT NOT NULL,
  body_hash TEXT
);
INSERT INTO sources_new (id, slug, url, title, site_url, description, language, categories, min_interval_s, max_interval_s,
    etag, last_modified, next_fetch_at, last_fetched_at, last_success_at, error_count, last_error, status, status_reason,
    default_credit, default_rights, lint, created_at, body_hash)
  SELECT id, slug, url, title, site_url, description, language, categories, min_interval_s, max_interval_s,
    etag, last_modified, next_fetch_at, last_fetched_at, last_success_at, error_count, last_error, status, status_reason,
    default_credit, default_rights, lint, created_at, body_hash FROM sources;
DROP TABLE sources;
ALTER TABLE sources_new RENAME TO sources;
CREATE INDEX sources_due ON sources (status, next_fetch_at);
-- Ids that channels still name (their source was removed before this version) are never
-- handed out either: such a channel keeps matching nothing instead of a future source.
INSERT INTO sqlite_sequence (name, seq) SELECT 'sources', 0 WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'sources');
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT max(CAST(s.value AS INTEGER)) FROM channels c, json_each(c.filter, '$.sourceIds') s), 0))
  WHERE name = 'sources';

DROP TRIGGER articles_fts_delete;
CREATE TABLE articles_new (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  source_id INTEGER NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
  identity_key TEXT NOT NULL,
  identity_kind TEXT NOT NULL CHECK (identity_kind IN ('guid', 'link', 'hash')),
  guid TEXT,
  url TEXT,
  title TEXT NOT NULL,
  summary TEXT,
  content_html TEXT,
  authors TEXT NOT NULL DEFAULT '[]',
  categories TEXT NOT NULL DEFAULT '[]',
  language TEXT,
  published_at TEXT,
  updated_at TEXT,
  rights TEXT,
  content_hash TEXT NOT NULL,
  seq INTEGER NOT NULL UNIQUE,
  first_seen_at TEXT NOT NULL,
  changed_at TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'live' CHECK (status IN ('live', 'withdrawn')),
  sort_at TEXT NOT NULL,
  UNIQUE (source_id, identity_key)
);
INSERT INTO articles_new SELECT id, source_id, identity_key, identity_kind, guid, url, title, summary, content_html, authors,
    categories, language, published_at, updated_at, rights, content_hash, seq, first_seen_at, changed_at, status, sort_at
  FROM articles;
DROP TABLE articles;
ALTER TABLE articles_new RENAME TO articles;
CREATE INDEX articles_status_sort ON articles (status, sort_at);
CREATE INDEX articles_source_sort ON articles (source_id, sort_at);
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
  DELETE FROM articles_fts WHERE rowid = old.id;
END;
`,
  },
  {
    version: 10,
    name: 'article-title-optional',
    editsSchema: true,
    // An item without a title (legal in RSS 2.0 and JSON Feed) is stored without one instead of
    // with a headline made from its text. Only the constraint changes: no row is rewritten, and
    // the on-disk format is the same, so no table rebuild is needed.
    up: `
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, 'title TEXT NOT NULL', 'title TEXT') WHERE type = 'table' AND name = 'articles';
PRAGMA writable_schema = OFF;
`,
  },
  {
    version: 11,
    name: 'articles-by-identity',
    // Merged outputs write one item per id: the copies of a story that other sources carry
    // under the same guid are found by identity key across sources.
    up: `
CREATE INDEX articles_identity ON articles (identity_key);
`,
  },
  {
    version: 15,
    name: 'partners',
    up: `
-- Who may read a channel or a source (README "Visibility"): 'public' keeps today's behaviour.
ALTER TABLE channels ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'partners'));
ALTER TABLE sources ADD COLUMN visibility TEXT NOT NULL DEFAULT 'public' CHECK (visibility IN ('public', 'partners'));

CREATE TABLE partners (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  contact TEXT,
  channels TEXT NOT NULL DEFAULT '[]',
  rate_limit TEXT,
  rights_policy TEXT,
  active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Only a SHA-256 of each key is stored: keys carry 192 random bits, so a plain hash cannot be
-- reversed by guessing, and lookup by hash needs no per-key salt.
CREATE TABLE partner_keys (
  key_id TEXT PRIMARY KEY,
  partner_id INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
  prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT
);
CREATE INDEX partner_keys_partner ON partner_keys (partner_id);

-- Bumped by every change to partners or keys, so a server notices a CLI's revoke at once.
INSERT INTO counters (name, value) VALUES ('partners', 0);
`,
  },
  {
    version: 16,
    name: 'article-ednote',
    up: `
-- Notes to editors (ninjs "ednote"): kept on the article, loaded only for partner outputs.
ALTER TABLE articles ADD COLUMN ednote TEXT;
`,
  },
  {
    version: 17,
    name: 'partner-deliveries',
    up: `
-- One row per partner 200: which article revisions it carried (its payload), when, through
-- which feed and format. A payload (the item list of one rendering) is stored once however
-- often it is delivered: a busy partner costs a short row per request, not a copy of the list.
-- Written in batches off the request path; pruned by WIREFEED_DELIVERY_RETENTION_DAYS.
CREATE TABLE delivery_payloads (
  id INTEGER PRIMARY KEY,
  hash TEXT NOT NULL UNIQUE,
  items TEXT NOT NULL,
  held_back TEXT,
  item_count INTEGER NOT NULL,
  max_seq INTEGER
);
CREATE TABLE deliveries (
  id INTEGER PRIMARY KEY,
  partner_id INTEGER NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
  at TEXT NOT NULL,
  feed TEXT NOT NULL,
  format TEXT NOT NULL,
  payload_id INTEGER NOT NULL REFERENCES delivery_payloads (id)
);
CREATE INDEX deliveries_partner_at ON deliveries (partner_id, at);
CREATE INDEX deliveries_at ON deliveries (at);
CREATE INDEX deliveries_payload ON deliveries (payload_id);

-- Highest seq each partner was sent: survives the pruning of old deliveries.
CREATE TABLE partner_cursors (
  partner_id INTEGER PRIMARY KEY REFERENCES partners (id) ON DELETE CASCADE,
  max_seq INTEGER NOT NULL,
  last_delivery_at TEXT NOT NULL

);
`,
  },
  {
    version: 18,
    name: 'delivery-counts',
    up: `
-- Identical deliveries (same partner, feed, format and item list) within one batch are one row
-- with a count and the time of the last: a partner polling the same bytes 10,000 times a second
-- costs one row per second, and the report still says how many it received and when.
ALTER TABLE deliveries ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE deliveries ADD COLUMN last_at TEXT;
`,
  },
  {
    version: 20,
    name: 'article-lifecycle',
    up: `
-- Publication status (usable, embargoed, withheld, canceled) with its notice, time and embargo.
-- The old 'status' column stays as the derived visibility: 'live' exactly when pub_status is
-- 'usable', so the plain-feed queries and their indexes are unchanged. A withdrawal was final:
-- it becomes a kill.
ALTER TABLE articles ADD COLUMN pub_status TEXT NOT NULL DEFAULT 'usable'
  CHECK (pub_status IN ('usable', 'embargoed', 'withheld', 'canceled'));
ALTER TABLE articles ADD COLUMN status_reason TEXT;
ALTER TABLE articles ADD COLUMN status_at TEXT;
ALTER TABLE articles ADD COLUMN embargoed_until TEXT;
ALTER TABLE articles ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
ALTER TABLE articles ADD COLUMN revision_reason TEXT;
UPDATE articles SET pub_status = 'canceled', status_reason = 'withdrawn', status_at = changed_at WHERE status = 'withdrawn';
-- The next embargo to lift: the render cache expires on it.
CREATE INDEX articles_embargo ON articles (embargoed_until) WHERE pub_status = 'embargoed';

-- Every superseded version of an article, written in the transaction that replaces it.
CREATE TABLE article_revisions (
  article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
  revision INTEGER NOT NULL,
  -- When this revision became current, and why.
  valid_from TEXT NOT NULL,
  reason TEXT,
  -- JSON: title, summary, contentHtml, rights, assets, status, statusReason, embargoedUntil.
  snapshot TEXT NOT NULL,
  PRIMARY KEY (article_id, revision)
);
`,
  },
  {
    version: 21,
    name: 'article-source-status',
    up: `
-- The status the source itself last declared for an article (Atom at:deleted-entry, ninjs
-- pubStatus): a source's declaration is applied only when it changes, so a feed that says
-- "usable" on every fetch never undoes an operator's withhold.
ALTER TABLE articles ADD COLUMN source_status TEXT;
`,
  },
  {
    version: 25,
    name: 'fetch-log-by-time',
    up: `
-- The operator console and /metrics read the fetch log by time (items per hour, errors in the
-- last 24 h) across all sources; without this index each read scans the whole log.
CREATE INDEX fetch_log_started ON fetch_log (started_at);
`,
  },
  {
    version: 30,
    name: 'websub-hub',
    up: `
-- WebSub hub (W3C Recommendation 2018): one row per verified (topic, callback), §5.1 "each
-- subsequent request ... MUST override the previous subscription state" for that pair.
CREATE TABLE websub_subscriptions (
  id INTEGER PRIMARY KEY,
  topic TEXT NOT NULL,
  callback TEXT NOT NULL,
  callback_host TEXT NOT NULL,
  secret TEXT,
  -- A partner topic is subscribed with a partner key: its id (never the key) is kept so every
  -- delivery can check the key is still valid; variant is the partner rendering it gets.
  key_id TEXT,
  variant TEXT NOT NULL DEFAULT '',
  lease_seconds INTEGER NOT NULL,
  expires_at TEXT NOT NULL,
  created_at TEXT NOT NULL,
  verified_at TEXT NOT NULL,
  delivered INTEGER NOT NULL DEFAULT 0,
  failed_attempts INTEGER NOT NULL DEFAULT 0,
  dropped INTEGER NOT NULL DEFAULT 0,
  last_delivery_at TEXT,
  last_error TEXT,
  UNIQUE (topic, callback)
);
CREATE INDEX websub_subscriptions_host ON websub_subscriptions (callback_host);
CREATE INDEX websub_subscriptions_expiry ON websub_subscriptions (expires_at);

-- What was last pushed per topic and rendering: the ETag of the full feed, or the cursor of a
-- seq topic.
CREATE TABLE websub_topics (
  topic TEXT NOT NULL,
  variant TEXT NOT NULL DEFAULT '',
  etag TEXT,
  last_seq INTEGER,
  PRIMARY KEY (topic, variant)
);

-- One body per topic change, shared by every delivery of it.
CREATE TABLE websub_contents (
  id INTEGER PRIMARY KEY,
  topic TEXT NOT NULL,
  variant TEXT NOT NULL DEFAULT '',
  content_type TEXT NOT NULL,
  body BLOB NOT NULL,
  full_feed INTEGER NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE websub_deliveries (
  id INTEGER PRIMARY KEY,
  subscription_id INTEGER NOT NULL REFERENCES websub_subscriptions (id) ON DELETE CASCADE,
  content_id INTEGER NOT NULL REFERENCES websub_contents (id) ON DELETE CASCADE,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  last_error TEXT
);
CREATE INDEX websub_deliveries_due ON websub_deliveries (next_attempt_at);
CREATE INDEX websub_deliveries_subscription ON websub_deliveries (subscription_id);
CREATE INDEX websub_deliveries_content ON websub_deliveries (content_id);
`,
  },
  {
    version: 31,
    name: 'websub-source-subscriptions',
    up: `
-- The subscriber side: a source whose feed advertises a hub, subscribed with a fresh secret.
-- The token is the unguessable last segment of the callback URL (WebSub §5.1).
CREATE TABLE websub_source_subscriptions (
  source_id INTEGER PRIMARY KEY REFERENCES sources (id) ON DELETE CASCADE,
  hub TEXT NOT NULL,
  topic TEXT NOT NULL,
  token TEXT NOT NULL UNIQUE,
  secret TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('requested', 'active', 'failed')),
  lease_until TEXT,
  requested_at TEXT NOT NULL,
  verified_at TEXT,
  last_push_at TEXT,
  pushes INTEGER NOT NULL DEFAULT 0,
  rejected INTEGER NOT NULL DEFAULT 0,
  last_error TEXT
);
`,
  },
  {
    version: 32,
    name: 'websub-source-pending-secret',
    up: `
-- A renewal is made with a fresh secret; until the hub verifies it, pushes may still be signed
-- with the previous one, so both are accepted meanwhile.
ALTER TABLE websub_source_subscriptions ADD COLUMN pending_secret TEXT;
`,
  },
  {
    version: 40,
    name: 'source-leases',
    presentIn: (db) => hasColumn(db, 'sources', 'lease_owner'),
    up: `
-- Fetch leases (storage/repos.ts LeaseRepo): who fetches a due source, until when, and a
-- fencing token that grows on every claim. host is the URL's host[:port], kept with the URL by
-- every write, so live leases can be counted per host for politeness across instances.
ALTER TABLE sources ADD COLUMN host TEXT;
ALTER TABLE sources ADD COLUMN lease_owner TEXT;
ALTER TABLE sources ADD COLUMN lease_until TEXT;
ALTER TABLE sources ADD COLUMN lease_token INTEGER NOT NULL DEFAULT 0;
UPDATE sources SET host = wirefeed_host(url);
-- Only leased rows are indexed: counting live leases per host reads a handful of entries.
CREATE INDEX sources_leased ON sources (lease_until, host) WHERE lease_until IS NOT NULL;
`,
  },
  {
    version: 45,
    name: 'article-raw-hash',
    up: `
-- The hash of the raw item (and its document context) an article's stored content came from:
-- a re-fetch recognizes unchanged items by it before parsing them (ingest/raw-scan.ts).
ALTER TABLE articles ADD COLUMN raw_hash TEXT;
`,
  },
];

export const CURRENT_SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** SQL functions the migrations call; JS-side so backfills match what the repositories write. */
export function registerSqlFunctions(db: BetterSqlite3.Database): void {
  db.function('wirefeed_fold', { deterministic: true }, (v: unknown) => (typeof v === 'string' ? foldCategory(v) : ''));
  db.function('wirefeed_html_text', { deterministic: true }, (v: unknown) => (typeof v === 'string' ? indexText(v) : ''));
  db.function('wirefeed_host', { deterministic: true }, (v: unknown) => (typeof v === 'string' ? sourceHost(v) : null));
}

/** The highest applied version (0 for an empty database). */
export function schemaVersion(db: BetterSqlite3.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Migration bookkeeping: which versions this database has (db copy leaves it out). */
export const MIGRATION_TABLE = 'schema_version';

function hasLedger(db: BetterSqlite3.Database): boolean {
  return db.prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?`).get(MIGRATION_TABLE) !== undefined;
}

/** The applied versions. */
export function appliedVersions(db: BetterSqlite3.Database): Set<number> {
  if (!hasLedger(db)) return new Set();
  return new Set(db.prepare(`SELECT version FROM ${MIGRATION_TABLE}`).pluck().all() as number[]);
}

/**
 * Creates the schema_version table in a database that has none, recording what a database from
 * before it has: every known version up to its user_version, unless `presentIn` says otherwise.
 */
function adoptLedger(db: BetterSqlite3.Database, migrations: readonly Migration[]): void {
  if (hasLedger(db)) return;
  db.exec('BEGIN IMMEDIATE');
  try {
    if (!hasLedger(db)) {
      db.exec(
        `CREATE TABLE ${MIGRATION_TABLE} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))`,
      );
      const highest = schemaVersion(db);
      const record = db.prepare(`INSERT INTO ${MIGRATION_TABLE} (version, name) VALUES (?, ?)`);
      for (const m of migrations) if (m.version <= highest && (m.presentIn?.(db) ?? true)) record.run(m.version, m.name);
    }
    db.exec('COMMIT');
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw new StorageError(`storage: cannot record the applied migrations: ${(err as Error).message}`, { cause: err });
  }
}

function refuseNewer(found: number, known: number): never {
  throw new StorageError(
    `storage: database schema version ${found} is newer than this wirefeed supports (${known}); upgrade wirefeed or point WIREFEED_DB elsewhere`,
    { code: 'schema_too_new' },
  );
}

/** Refuses a database that has a version this build does not know (written by a newer wirefeed). */
function refuseUnknown(db: BetterSqlite3.Database, migrations: readonly Migration[], known: number): void {
  const ours = new Set(migrations.map((m) => m.version));
  const current = schemaVersion(db);
  if (current > known) refuseNewer(current, known);
  for (const v of appliedVersions(db)) if (!ours.has(v)) refuseNewer(v, known);
}

/**
 * Applies every known migration the database lacks, up to `to` (default: all), in version
 * order, and returns the highest version before and after. Refuses a database written by a
 * newer wirefeed.
 */
export function migrate(
  db: BetterSqlite3.Database,
  opts: { to?: number; migrations?: readonly Migration[] } = {},
): { from: number; to: number } {
  const migrations = opts.migrations ?? MIGRATIONS;
  const known = migrations.length ? migrations[migrations.length - 1]!.version : 0;
  const target = opts.to ?? known;
  const from = schemaVersion(db);
  if (from > known) refuseNewer(from, known);
  registerSqlFunctions(db);
  adoptLedger(db, migrations);
  refuseUnknown(db, migrations, known);
  for (const m of migrations) {
    if (m.version > target) break;
    if (appliedVersions(db).has(m.version)) continue;
    // The pragma is a no-op inside a transaction: it must change before BEGIN.
    const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
    if (m.rebuildsTables) db.pragma('foreign_keys = OFF');
    // IMMEDIATE takes the write lock before re-reading what is applied, so two processes
    // starting together apply each migration once.
    db.exec('BEGIN IMMEDIATE');
    try {
      refuseUnknown(db, migrations, known);
      if (!appliedVersions(db).has(m.version)) {
        if (m.editsSchema) {
          db.unsafeMode(true);
          try {
            db.exec(m.up);
            db.pragma(`schema_version = ${(db.pragma('schema_version', { simple: true }) as number) + 1}`);
          } finally {
            db.unsafeMode(false);
          }
        } else db.exec(m.up);
        if (m.rebuildsTables) {
          const broken = db.pragma('foreign_key_check') as { table: string }[];
          if (broken.length) throw new Error(`foreign key check found ${broken.length} broken references (first in ${broken[0]!.table})`);
        }
        db.prepare(`INSERT INTO ${MIGRATION_TABLE} (version, name) VALUES (?, ?)`).run(m.version, m.name);
        db.pragma(`user_version = ${Math.max(m.version, schemaVersion(db))}`);
      }
      db.exec('COMMIT');
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      if (err instanceof StorageError) throw err;
      throw new StorageError(`storage: migration ${m.version} (${m.name}) failed: ${(err as Error).message}`, { cause: err });
    } finally {
      if (m.rebuildsTables) db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
    }
  }
  return { from, to: schemaVersion(db) };
}
