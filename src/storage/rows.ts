// Row shapes as both backends return them (the pg pool is set to return the same values) and their mapping to model types. NULL columns become
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
  SourceAttribution,
  SourceStatus,
  Visibility,
} from '../model/types.js';

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
  body_hash: Nullable<string>;
  next_fetch_at: string;
  last_fetched_at: Nullable<string>;
  last_success_at: Nullable<string>;
  error_count: number;
  last_error: Nullable<string>;
  status: SourceStatus;
  status_reason: Nullable<string>;
  default_credit: Nullable<string>;
  default_rights: Nullable<string>;
  visibility: Visibility;
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
    bodyHash: r.body_hash,
    nextFetchAt: r.next_fetch_at,
    lastFetchedAt: r.last_fetched_at,
    lastSuccessAt: r.last_success_at,
    errorCount: r.error_count,
    lastError: r.last_error,
    status: r.status,
    statusReason: r.status_reason,
    defaultCredit: r.default_credit,
    defaultRights: r.default_rights,
    visibility: r.visibility,
    lint: parseJson<LintIssue[]>(r.lint, []),
    createdAt: r.created_at,
  });
}

/**
 * Article columns plus the joined source attribution, for `articles a JOIN sources s`. Article
 * statements run in raw mode: arrays build much faster than 24-key objects, and a page of 50
 * must cost well under a millisecond. `A` names the positions.
 */
const ARTICLE_SELECT = [
  'a.id', 'a.source_id', 'a.identity_key', 'a.identity_kind', 'a.guid', 'a.url', 'a.title', 'a.summary',
  'a.content_html', 'a.authors', 'a.categories', 'a.language', 'a.published_at', 'a.updated_at', 'a.rights',
  'a.content_hash', 'a.seq', 'a.first_seen_at', 'a.changed_at', 'a.pub_status',
  's.slug', 'coalesce(s.title, s.slug)', 's.site_url', 's.url',
  'a.status_reason', 'a.status_at', 'a.embargoed_until', 'a.revision', 'a.revision_reason',
] as const;
export const ARTICLE_COLUMNS = ARTICLE_SELECT.join(', ');

const A = {
  id: 0, sourceId: 1, identityKey: 2, identityKind: 3, guid: 4, url: 5, title: 6, summary: 7,
  contentHtml: 8, authors: 9, categories: 10, language: 11, publishedAt: 12, updatedAt: 13, rights: 14,
  contentHash: 15, seq: 16, firstSeenAt: 17, changedAt: 18, status: 19,
  sourceSlug: 20, sourceTitle: 21, sourceSiteUrl: 22, sourceUrl: 23,
  statusReason: 24, statusAt: 25, embargoedUntil: 26, revision: 27, revisionReason: 28,
} as const;

/** One raw row of ARTICLE_COLUMNS. */
export type ArticleTuple = unknown[];

export function articleTupleId(t: ArticleTuple): number {
  return t[A.id] as number;
}

export function toArticle(t: ArticleTuple, assets: AssetInput[]): Article {
  const str = (i: number) => t[i] as string;
  const source: SourceAttribution = { sourceId: t[A.sourceId] as number, slug: str(A.sourceSlug), title: str(A.sourceTitle), feedUrl: str(A.sourceUrl) };
  if (t[A.sourceSiteUrl] !== null) source.siteUrl = str(A.sourceSiteUrl);
  const a: Article = {
    id: t[A.id] as number,
    sourceId: t[A.sourceId] as number,
    identityKey: str(A.identityKey),
    identityKind: t[A.identityKind] as IdentityKind,
    authors: parseJson<Author[]>(str(A.authors), []),
    categories: parseJson<Category[]>(str(A.categories), []),
    assets,
    contentHash: str(A.contentHash),
    seq: t[A.seq] as number,
    firstSeenAt: str(A.firstSeenAt),
    changedAt: str(A.changedAt),
    status: t[A.status] as ArticleStatus,
    revision: t[A.revision] as number,
    source,
  };
  if (t[A.guid] !== null) a.guid = str(A.guid);
  if (t[A.url] !== null) a.url = str(A.url);
  if (t[A.title] !== null) a.title = str(A.title);
  if (t[A.summary] !== null) a.summary = str(A.summary);
  if (t[A.contentHtml] !== null) a.contentHtml = str(A.contentHtml);
  if (t[A.language] !== null) a.language = str(A.language);
  if (t[A.publishedAt] !== null) a.publishedAt = str(A.publishedAt);
  if (t[A.updatedAt] !== null) a.updatedAt = str(A.updatedAt);
  if (t[A.rights] !== null) a.rights = str(A.rights);
  if (t[A.statusReason] !== null) a.statusReason = str(A.statusReason);
  if (t[A.statusAt] !== null) a.statusAt = str(A.statusAt);
  if (t[A.embargoedUntil] !== null) a.embargoedUntil = str(A.embargoedUntil);
  if (t[A.revisionReason] !== null) a.revisionReason = str(A.revisionReason);
  return a;
}

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

export interface ChannelRow {
  slug: string;
  title: string;
  description: Nullable<string>;
  filter: string;
  default_limit: number;
  visibility: Visibility;
  created_at: string;
}

export function toChannel(r: ChannelRow): Channel {
  return compact<Channel>({
    slug: r.slug,
    title: r.title,
    description: r.description,
    filter: parseJson<ChannelFilter>(r.filter, {}),
    defaultLimit: r.default_limit,
    visibility: r.visibility,
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

/** Visibility column derived from the publication status: only usable articles are in plain feeds. */
export function visibilityOf(status: Article['status']): 'live' | 'withdrawn' {
  return status === 'usable' ? 'live' : 'withdrawn';
}
