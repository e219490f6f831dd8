// Row shapes as SQLite returns them and their mapping to model types. NULL columns become
// absent properties, never `null` or `undefined` values, so objects compare cleanly.
import type {
  Article,
  ArticleStatus,
  AssetInput,
  Author,
  Category,
  Channel,
  ChannelFilter,
  FetchLogEntry,
  FetchOutcome,
  IdentityKind,
  LintIssue,
  Source,
  SourceStatus,
} from '../../model/types.js';

export type Nullable<T> = T | null;

/** Drops properties whose value is null or undefined. */
export function compact<T extends object>(o: { [K in keyof T]: T[K] | null }): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== null && v !== undefined) out[k] = v;
  return out as T;
}

export function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null || text === '') return fallback;
  return JSON.parse(text) as T;
}

export interface SourceRow {
  id: number;
  slug: string;
  url: string;
  title: Nullable<string>;
  site_url: Nullable<string>;
  description: Nullable<string>;
  language: Nullable<string>;
  categories: string;
  min_interval_s: number;
  max_interval_s: number;
  etag: Nullable<string>;
  last_modified: Nullable<string>;
  next_fetch_at: string;
  last_fetched_at: Nullable<string>;
  last_success_at: Nullable<string>;
  error_count: number;
  last_error: Nullable<string>;
  status: SourceStatus;
  status_reason: Nullable<string>;
  default_credit: Nullable<string>;
  default_rights: Nullable<string>;
  lint: string;
  created_at: string;
}

export function toSource(r: SourceRow): Source {
  return compact<Source>({
    id: r.id,
    slug: r.slug,
    url: r.url,
    title: r.title,
    siteUrl: r.site_url,
    description: r.description,
    language: r.language,
    categories: parseJson<string[]>(r.categories, []),
    minIntervalS: r.min_interval_s,
    maxIntervalS: r.max_interval_s,
    etag: r.etag,
    lastModified: r.last_modified,
    nextFetchAt: r.next_fetch_at,
    lastFetchedAt: r.last_fetched_at,
    lastSuccessAt: r.last_success_at,
    errorCount: r.error_count,
    lastError: r.last_error,
    status: r.status,
    statusReason: r.status_reason,
    defaultCredit: r.default_credit,
    defaultRights: r.default_rights,
    lint: parseJson<LintIssue[]>(r.lint, []),
    createdAt: r.created_at,
  });
}

/** Article columns plus the joined source attribution (`s_*`). */
export interface ArticleRow {
  id: number;
  source_id: number;
  identity_key: string;
  identity_kind: IdentityKind;
  guid: Nullable<string>;
  url: Nullable<string>;
  title: string;
  summary: Nullable<string>;
  content_html: Nullable<string>;
  authors: string;
  categories: string;
  language: Nullable<string>;
  published_at: Nullable<string>;
  updated_at: Nullable<string>;
  rights: Nullable<string>;
  content_hash: string;
  seq: number;
  first_seen_at: string;
  changed_at: string;
  status: ArticleStatus;
  s_slug: string;
  s_title: string;
  s_site_url: Nullable<string>;
  s_url: string;
}

/** The SELECT list matching ArticleRow, for `articles a JOIN sources s`. */
export const ARTICLE_COLUMNS = `a.id, a.source_id, a.identity_key, a.identity_kind, a.guid, a.url, a.title, a.summary,
  a.content_html, a.authors, a.categories, a.language, a.published_at, a.updated_at, a.rights, a.content_hash,
  a.seq, a.first_seen_at, a.changed_at, a.status,
  s.slug AS s_slug, coalesce(s.title, s.slug) AS s_title, s.site_url AS s_site_url, s.url AS s_url`;

export interface AssetRow {
  article_id: number;
  position: number;
  url: string;
  mime_type: Nullable<string>;
  medium: Nullable<string>;
  width: Nullable<number>;
  height: Nullable<number>;
  size: Nullable<number>;
  title: Nullable<string>;
  caption: Nullable<string>;
  credit: Nullable<string>;
  credit_role: Nullable<string>;
  rights: Nullable<string>;
  thumbnail_url: Nullable<string>;
}

export function toAsset(r: AssetRow): AssetInput {
  return compact<AssetInput>({
    url: r.url,
    mimeType: r.mime_type,
    medium: r.medium,
    width: r.width,
    height: r.height,
    size: r.size,
    title: r.title,
    caption: r.caption,
    credit: r.credit,
    creditRole: r.credit_role,
    rights: r.rights,
    thumbnailUrl: r.thumbnail_url,
  });
}

export function toArticle(r: ArticleRow, assets: AssetInput[]): Article {
  return compact<Article>({
    id: r.id,
    sourceId: r.source_id,
    identityKey: r.identity_key,
    identityKind: r.identity_kind,
    guid: r.guid,
    url: r.url,
    title: r.title,
    summary: r.summary,
    contentHtml: r.content_html,
    authors: parseJson<Author[]>(r.authors, []),
    categories: parseJson<Category[]>(r.categories, []),
    language: r.language,
    publishedAt: r.published_at,
    updatedAt: r.updated_at,
    rights: r.rights,
    assets,
    contentHash: r.content_hash,
    seq: r.seq,
    firstSeenAt: r.first_seen_at,
    changedAt: r.changed_at,
    status: r.status,
    source: compact({
      sourceId: r.source_id,
      slug: r.s_slug,
      title: r.s_title,
      siteUrl: r.s_site_url,
      feedUrl: r.s_url,
    }),
  });
}

export interface ChannelRow {
  slug: string;
  title: string;
  description: Nullable<string>;
  filter: string;
  default_limit: number;
  created_at: string;
}

export function toChannel(r: ChannelRow): Channel {
  return compact<Channel>({
    slug: r.slug,
    title: r.title,
    description: r.description,
    filter: parseJson<ChannelFilter>(r.filter, {}),
    defaultLimit: r.default_limit,
    createdAt: r.created_at,
  });
}

export interface FetchLogRow {
  id: number;
  source_id: number;
  started_at: string;
  ms: number;
  outcome: FetchOutcome;
  http_status: Nullable<number>;
  bytes: Nullable<number>;
  items_new: number;
  items_updated: number;
  items_unchanged: number;
  error: Nullable<string>;
  warnings: string;
  final_url: Nullable<string>;
}

export function toFetchLogEntry(r: FetchLogRow): FetchLogEntry {
  return compact<FetchLogEntry>({
    id: r.id,
    sourceId: r.source_id,
    startedAt: r.started_at,
    ms: r.ms,
    outcome: r.outcome,
    httpStatus: r.http_status,
    bytes: r.bytes,
    itemsNew: r.items_new,
    itemsUpdated: r.items_updated,
    itemsUnchanged: r.items_unchanged,
    error: r.error,
    warnings: parseJson<string[]>(r.warnings, []),
    finalUrl: r.final_url,
  });
}
