// Plain data types shared by every layer. No behaviour, no imports (DESIGN.md §2, §3).

/** ISO-8601 UTC timestamp, always produced by `Date.prototype.toISOString()`. */
export type IsoDate = string;

export type SourceStatus = 'active' | 'paused' | 'gone';
/**
 * Publication status of an article (IPTC pubStatus, as wire agencies use it): `usable`,
 * `embargoed` until a time, `withheld` (pulled for now, may be released) or `canceled` (killed;
 * final). Every change of it is an event that takes a new `seq`.
 */
export type ArticleStatus = 'usable' | 'embargoed' | 'withheld' | 'canceled';
export const ARTICLE_STATUSES: readonly ArticleStatus[] = ['usable', 'embargoed', 'withheld', 'canceled'];
/** The revision reason recorded for an update that came from the source feed. */
export const SOURCE_UPDATE_REASON = 'source update';
export type IdentityKind = 'guid' | 'link' | 'hash';
export type FeedFormat = 'rss' | 'atom' | 'json';
/** What the feed URLs serve: the three feed formats and IPTC ninjs (a JSON document of news objects). */
export type OutputFormat = FeedFormat | 'ninjs';
/**
 * Who may read a channel or a source: everyone, or only partners with an entitled key. A
 * `partners` source never appears in public outputs, whichever channel would select it.
 */
export type Visibility = 'public' | 'partners';

export interface Author {
  name: string;
  email?: string;
  url?: string;
}

export interface Category {
  term: string;
  /** RSS `category@domain`, Atom `category@scheme`. */
  scheme?: string;
  label?: string;
}

/** A photo, video, audio file or other attachment of an article. */
export interface AssetInput {
  url: string;
  mimeType?: string;
  /** Media RSS medium: image | video | audio | document | executable. */
  medium?: string;
  width?: number;
  height?: number;
  /** Bytes. */
  size?: number;
  /** Media RSS `media:title`. */
  title?: string;
  /** Media RSS `media:description`: the caption. */
  caption?: string;
  credit?: string;
  /** Media RSS `media:credit@role`, e.g. "photographer". */
  creditRole?: string;
  /** Usage rights / copyright line (`media:copyright`, `media:license`). */
  rights?: string;
  /** URL of a thumbnail for this asset, when the source gave one. */
  thumbnailUrl?: string;
}

/** One lint finding about a source feed (see the source lint in README). */
export interface LintIssue {
  code: string;
  message: string;
  /** How many items it concerns, when it is per item. */
  count?: number;
}

/** What normalize produces for one item: everything the store keeps about an article. */
export interface ArticleInput {
  identityKey: string;
  identityKind: IdentityKind;
  guid?: string;
  url?: string;
  /** Plain text, as the source wrote it; absent when it gave none (never made up from the body). */
  title?: string;
  /** Plain text. */
  summary?: string;
  /** Sanitized HTML. */
  contentHtml?: string;
  authors: Author[];
  categories: Category[];
  language?: string;
  /** As the source stated it (published, else updated, else dc:date); absent when it gave none. */
  publishedAt?: IsoDate;
  updatedAt?: IsoDate;
  rights?: string;
  /** Primary image first. */
  assets: AssetInput[];
  /**
   * Notes to editors (ninjs `ednote`, e.g. "CREDIT MANDATORY, NO ARCHIVE"). Stored, but read
   * back only for partner outputs: public articles never carry it.
   */
  ednote?: string;
  /** Hash over every stored field above except identity; same key + other hash = an update. */
  contentHash: string;
  /**
   * Hash of the raw item in its document context (ingest/raw-scan.ts), set when the caller
   * asked for it: a later fetch with the same raw item skips parsing and normalizing it.
   */
  rawHash?: string;
}

/** A raw item (by its hash) and the article it made: known before a fetch, unchanged after. */
export interface RawItemRef {
  rawHash: string;
  identityKey: string;
  publishedAt?: IsoDate;
}

/** The feed-level facts normalize extracts from a document. */
export interface FeedMeta {
  title?: string;
  description?: string;
  siteUrl?: string;
  language?: string;
  /** RSS `ttl`, in minutes. */
  ttlMinutes?: number;
  format: string;
  /** WebSub discovery (§4) from the document: the hub and the topic URL it advertises. */
  hub?: string;
  self?: string;
}

export interface NormalizedFeed {
  meta: FeedMeta;
  items: ArticleInput[];
  lint: LintIssue[];
  /** Publication statuses the source declares (ingest/source-states.ts). */
  states?: SourceState[];
  /** Items recognized by their raw hash and not processed again (absent unless asked for). */
  unchanged?: RawItemRef[];
}

/** RFC 6721 tombstones namespace (Atom `at:deleted-entry`), read by ingest and written by publish. */
export const TOMBSTONES_NS = 'http://purl.org/atompub/tombstones/1.0';

/**
 * A status the source itself declares for one of its entries: an Atom `at:deleted-entry`
 * (canceled) or a JSON item's ninjs `pubStatus`. Applied when it differs from what the source
 * declared before, so a source repeating "usable" never undoes an operator's withhold.
 */
export interface SourceState {
  /** The entry's id (guid) as the source wrote it. */
  ref: string;
  status: ArticleStatus;
  reason?: string;
  embargoedUntil?: IsoDate;
}

export interface SourceAttribution {
  sourceId: number;
  slug: string;
  title: string;
  /** The source's web site. */
  siteUrl?: string;
  /** The source's feed URL. */
  feedUrl: string;
}

export interface Article extends ArticleInput {
  id: number;
  sourceId: number;
  /** Monotonic across the whole database; bumped on insert and on change. The partner cursor. */
  seq: number;
  firstSeenAt: IsoDate;
  /** Last time this row changed (insert, update, state change). */
  changedAt: IsoDate;
  status: ArticleStatus;
  /** Why the status is what it is (the kill or withhold notice), for partners. */
  statusReason?: string;
  /** When the status last changed (the tombstone's `when`); absent while it never did. */
  statusAt?: IsoDate;
  /** Set with status `embargoed`; kept after the embargo is lifted as the release time. */
  embargoedUntil?: IsoDate;
  /** Revision number, 1 for the first stored version; each change adds one. */
  revision?: number;
  /** Why the current revision was made (a correction notice, "source update", …). */
  revisionReason?: string;
  source: SourceAttribution;
  /**
   * In a merged output (several sources), the other sources that carry the same story under
   * the same id: provenance of the one item written for it. Set by the feed service only.
   */
  alsoFrom?: SourceAttribution[];
}

/** What a correction may change; absent fields stay as they are. */
export interface ArticleCorrection {
  title?: string;
  summary?: string;
  contentHtml?: string;
  rights?: string;
  /** Per position: caption, credit or rights of an existing asset. */
  assets?: ({ caption?: string; credit?: string; rights?: string } | null)[];
}

/**
 * A state change decided by the lifecycle rules and applied by storage in one transaction:
 * it stores the previous revision, sets the new state and takes a new seq.
 */
export interface ArticleEvent {
  status: ArticleStatus;
  reason?: string;
  embargoedUntil?: IsoDate;
  correction?: ArticleCorrection;
  /** The reason recorded on the new revision. */
  revisionReason: string;
}

/** One stored revision of an article, as listed by the revisions API. */
export interface ArticleRevision {
  number: number;
  /** When this revision became current. */
  at: IsoDate;
  reason?: string;
  status: ArticleStatus;
  statusReason?: string;
  embargoedUntil?: IsoDate;
  /** Absent when the story had no title (none is made up). */
  title?: string;
  summary?: string;
  contentHtml?: string;
  rights?: string;
  assets: AssetInput[];
}

export interface Source {
  id: number;
  slug: string;
  url: string;
  title?: string;
  siteUrl?: string;
  description?: string;
  language?: string;
  categories: string[];
  minIntervalS: number;
  maxIntervalS: number;
  etag?: string;
  lastModified?: string;
  /** SHA-256 of the last document processed; an identical body is not parsed again. */
  bodyHash?: string;
  nextFetchAt: IsoDate;
  lastFetchedAt?: IsoDate;
  /** Last time a fetch returned new or changed content. */
  lastSuccessAt?: IsoDate;
  errorCount: number;
  lastError?: string;
  status: SourceStatus;
  /** Why it is paused or gone, for people. */
  statusReason?: string;
  defaultCredit?: string;
  defaultRights?: string;
  visibility: Visibility;
  lint: LintIssue[];
  createdAt: IsoDate;
}

export interface NewSource {
  url: string;
  slug?: string;
  title?: string;
  categories?: string[];
  minIntervalS?: number;
  maxIntervalS?: number;
  defaultCredit?: string;
  defaultRights?: string;
  visibility?: Visibility;
}

export type SourcePatch = Partial<
  Pick<
    Source,
    | 'url'
    | 'slug'
    | 'title'
    | 'siteUrl'
    | 'description'
    | 'language'
    | 'categories'
    | 'minIntervalS'
    | 'maxIntervalS'
    | 'nextFetchAt'
    | 'status'
    | 'statusReason'
    | 'errorCount'
    | 'lastError'
    | 'defaultCredit'
    | 'defaultRights'
    | 'visibility'
  >
>;

export interface ChannelFilter {
  /** Source ids; empty or absent = every source. */
  sourceIds?: number[];
  /** Any of these categories (case-insensitive); empty or absent = any. */
  categories?: string[];
  /** Full-text query (SQLite FTS5 syntax, simple words recommended). */
  query?: string;
}

export interface Channel {
  slug: string;
  title: string;
  description?: string;
  filter: ChannelFilter;
  defaultLimit: number;
  visibility: Visibility;
  createdAt: IsoDate;
}

export type NewChannel = Omit<Channel, 'createdAt' | 'defaultLimit' | 'filter' | 'visibility'> & {
  filter?: ChannelFilter;
  defaultLimit?: number;
  visibility?: Visibility;
};

export type FetchOutcome = 'modified' | 'not-modified' | 'gone' | 'retry-later' | 'error';

export interface FetchLogEntry {
  id: number;
  sourceId: number;
  startedAt: IsoDate;
  ms: number;
  outcome: FetchOutcome;
  httpStatus?: number;
  bytes?: number;
  itemsNew: number;
  itemsUpdated: number;
  itemsUnchanged: number;
  error?: string;
  /** e.g. "moved permanently to https://…", lint summaries. */
  warnings: string[];
  /** Final URL after redirects when it differs from the source URL. */
  finalUrl?: string;
}

export interface ArticleQuery {
  sourceIds?: number[];
  categories?: string[];
  /** FTS5 query. */
  q?: string;
  /** Cursor: only seq > after, oldest first. Without it: newest first. */
  after?: number;
  limit: number;
  /** Include articles that are not usable (withheld, canceled, embargoed): cursor pages show them as tombstones. */
  includeWithdrawn?: boolean;
  /** Leave out articles of `partners`-visibility sources (every public output sets it). */
  publicSourcesOnly?: boolean;
  /** Only articles with one of these identity keys (every copy of a story, whatever the order). */
  identityKeys?: string[];
}

/** Requests per window a partner may make (e.g. 600 per 60 s). */
export interface RateLimit {
  requests: number;
  perSeconds: number;
  /** Optional cap on items delivered per UTC day. */
  itemsPerDay?: number;
}

/** How a partner's outputs differ from the plain ones (see README "Rights policy"). */
export interface RightsPolicy {
  /** Assets whose rights text (or credit) contains one of these (case-insensitive) are dropped. */
  excludeAssetsMatching?: string[];
  /** Items with no credit (on an asset, or an author) are held back. */
  requireCredit?: boolean;
  /** Write a credit line into the body: before it (`prepend`) or after it (`append`). */
  creditLine?: 'prepend' | 'append';
}

/** One article revision a partner received, and what its rights policy left out of it. */
export interface DeliveredItem {
  id: number;
  seq: number;
  /** URLs of assets the rights policy dropped from this item. */
  omittedAssets?: string[];
}

/** An item the rights policy held back (not delivered). */
export interface HeldBackItem {
  id: number;
  seq: number;
  reason: 'no_credit';
}

export interface Delivery {
  at: IsoDate;
  /** Channel slug, or `sources/<slug>` for a source feed. */
  channel: string;
  format: string;
  items: DeliveredItem[];
  heldBack?: HeldBackItem[];
  /** Identical deliveries within one second are one entry: how many, and when the last was. */
  count?: number;
  lastAt?: IsoDate;
}

/** Where a partner is: the highest seq it was sent, and how far the newest article is ahead. */
export interface PartnerCursor {
  cursor: number;
  newestSeq: number;
  lag: number;
  lastDeliveryAt?: IsoDate;
}

export interface Partner {
  id: number;
  slug: string;
  name: string;
  contact?: string;
  /** Slugs of the channels this partner is entitled to. */
  channels: string[];
  rateLimit?: RateLimit;
  rightsPolicy?: RightsPolicy;
  active: boolean;
  createdAt: IsoDate;
  updatedAt: IsoDate;
}

export interface NewPartner {
  slug: string;
  name: string;
  contact?: string;
  channels: string[];
  rateLimit?: RateLimit;
  rightsPolicy?: RightsPolicy;
  active?: boolean;
}

export type PartnerPatch = Partial<Omit<NewPartner, 'slug'>>;

/** A partner key as stored and listed: never the secret, only its hash (not even that in listings). */
export interface PartnerKey {
  /** Public identifier, used to revoke. */
  keyId: string;
  partnerId: number;
  /** The first characters of the key, to recognize it (e.g. "wf_live_ab12"). */
  prefix: string;
  createdAt: IsoDate;
  lastUsedAt?: IsoDate;
  revokedAt?: IsoDate;
}
