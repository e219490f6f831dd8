// Service contracts used by the edges (http/, cli/, scheduler/).
import type { Article, Channel, DeliveredItem, FeedFormat, OutputFormat, HeldBackItem, FetchLogEntry, NewSource, RightsPolicy, Source, SourcePatch, ChannelFilter, Visibility } from '../model/types.js';
import type { DiscoveredFeed } from '../ingest/types.js';
import type { ChannelFilterInput } from './inputs.js';

export interface RefreshOutcome {
  sourceId: number;
  slug: string;
  outcome: FetchLogEntry['outcome'];
  log: FetchLogEntry;
}

export interface SourceService {
  /**
   * Validates (scheme, credentials, length, private address unless allowed), dedupes (409) and
   * inserts with next_fetch_at = now. A web page URL is resolved by discovery to the best feed
   * it links; a page that links none is a ValidationError ('not_a_feed').
   */
  /** `discover` (default true when a fetcher is wired): fetch the URL once to find the feed behind a web page. */
  add(input: NewSource, opts?: { discover?: boolean }): Promise<Source>;
  list(): Promise<Source[]>;
  get(idOrSlug: number | string): Promise<Source>;
  update(id: number, patch: SourcePatch): Promise<Source>;
  /**
   * Removes the source with its articles. Refused (409 source_in_use) while channels name it,
   * unless `detach`; never leaves a channel with an empty source list (that would mean all).
   */
  remove(id: number, opts?: { detach?: boolean }): Promise<{ source: Source; detachedFrom: string[] }>;
  fetchLog(id: number, limit?: number): Promise<FetchLogEntry[]>;
  /** What `add(url)` would register, without registering it (the console shows it first). */
  discover(url: string): Promise<SourceDiscovery>;
}

export interface SourceDiscovery {
  requested: string;
  /** The URL that would be stored. */
  feedUrl: string;
  /** page: a web page, feedUrl is its best feed; feed: the URL is a feed; unreachable: could not tell. */
  kind: 'page' | 'feed' | 'unreachable' | 'not-checked';
  /** Every feed the page links, best first (page only). */
  candidates: DiscoveredFeed[];
  error?: string;
  /** Set when a source with feedUrl already exists. */
  existingSlug?: string;
}

export interface RefreshService {
  /** Fetches one source now, whatever its schedule, and records the outcome. Never throws for fetch errors. */
  refreshSource(source: Source, signal?: AbortSignal, pushed?: { body: Buffer; contentType?: string }): Promise<RefreshOutcome>;
  /**
   * Refreshes every due source with the global and per-host limits. `stop` lets fetches in
   * flight finish but starts no more; `abort` cuts fetches in flight short.
   */
  refreshDue(stop?: AbortSignal, abort?: AbortSignal, onOutcome?: (o: RefreshOutcome) => void): Promise<RefreshOutcome[]>;
}

/** The refresh service as the scheduler and the CLI drive it (the HTTP layer needs only RefreshService). */
export interface RefreshRunner extends RefreshService {
  /** These sources now, whatever their schedule, within the same limits as a due-run; `onEach` hears of each as it finishes. */
  refreshMany(sources: Source[], stop?: AbortSignal, abort?: AbortSignal, onEach?: (o: RefreshOutcome) => void): Promise<RefreshOutcome[]>;
  /** Sources being refreshed right now. */
  readonly inFlight: number;
}

export interface ChannelService {
  list(): Promise<Channel[]>;
  get(slug: string): Promise<Channel>;
  /** `filter.sourceIds` may name sources by id or slug; they are stored as ids. */
  create(input: { slug: string; title: string; description?: string; filter?: ChannelFilterInput; defaultLimit?: number; visibility?: Visibility }): Promise<Channel>;
  update(slug: string, patch: Partial<Pick<Channel, 'title' | 'description' | 'defaultLimit' | 'visibility'>> & { filter?: ChannelFilterInput }): Promise<Channel>;
  remove(slug: string): Promise<void>;
}

/** Query of a human page (`/feeds/<slug>?q=&limit=&page=`), already validated. */
export interface PageQuery {
  limit?: number;
  category?: string;
  q?: string;
  /** 1 = newest. */
  page?: number;
}

/** Query of a public feed URL, already validated. */
export interface FeedQuery {
  limit?: number;
  category?: string;
  q?: string;
  after?: number;
  /** Long polling (with `after` only): hold an empty page up to this many seconds. Not part of the document. */
  wait?: number;
}

export interface FeedTarget {
  kind: 'channel' | 'source';
  slug: string;
}

/**
 * Who may read a feed (README "Visibility"): everyone, or partners entitled to one of
 * `channels` (the partners channel itself; for a partners-only source, the partners channels
 * that name it).
 */
export type FeedAccess = { visibility: 'public' } | { visibility: 'partners'; channels: readonly string[] };

/**
 * A partner rendering of a feed: editor's notes included, the rights policy applied. Partners
 * with equal policies share one `key` and so one cached render per feed.
 */
export interface FeedVariant {
  key: string;
  partner: true;
  rightsPolicy?: RightsPolicy;
}

export interface RenderedFeed {
  /** Who may be sent these bytes; checked on every request, the cached ones included. */
  access: FeedAccess;
  /** Set for a partner rendering: its responses are private (never stored by shared caches). */
  variant?: FeedVariant;
  /** Article revisions in the document, in document order (the delivery log records them). */
  items: readonly DeliveredItem[];
  /** Items a partner's rights policy held back from this rendering. */
  heldBack?: readonly HeldBackItem[];
  body: Buffer;
  gzip: Buffer;
  br: Buffer;
  /** Strong ETag, quoted: hash of `body`. */
  etag: string;
  /** Newest change among the items (or the channel's), for Last-Modified. */
  lastModified?: Date;
  contentType: string;
  /** The URL this document is at (rel="self", the WebSub topic). */
  selfUrl: string;
  /** The WebSub hub advertised with it (rel="hub"). */
  hubUrl: string;
  /** Highest seq among the items (undefined for an empty document): a cursor topic's watermark. */
  maxSeq?: number;
}

/**
 * `origin` (e.g. "http://feeds.local:8080", from a validated Host header) is the base of self
 * links when no baseUrl is configured; it is part of the cache key. Ignored when baseUrl is set.
 */
export interface FeedService {
  /** Rendered bytes from cache, rendering and compressing only on a miss. Throws NotFoundError / ValidationError. */
  getFeed(target: FeedTarget, format: OutputFormat, query: FeedQuery, origin?: string, variant?: FeedVariant): Promise<RenderedFeed>;
  /** getFeed for a query with `wait`: an empty cursor page is held until a commit brings items or the time is up (services/long-poll.ts). */
  waitFeed(target: FeedTarget, format: OutputFormat, query: FeedQuery, origin?: string, variant?: FeedVariant, signal?: AbortSignal): Promise<RenderedFeed>;
  /** Requests held by waitFeed right now. */
  readonly held: number;
  /**
   * Like getFeed, but never the previous render served during the render interval: the bytes
   * of the data as it is now (the WebSub hub compares them with what it last pushed).
   */
  renderFresh(target: FeedTarget, format: OutputFormat, query: FeedQuery, origin?: string, variant?: FeedVariant): Promise<RenderedFeed>;
  /** Cache probe for the fast lane (reads the data version, never renders): undefined on a miss. */
  peekFeed(target: FeedTarget, format: OutputFormat, query: FeedQuery, origin?: string, variant?: FeedVariant): Promise<RenderedFeed | undefined>;
  /** Who may read the feed of `target`, without rendering it. Throws NotFoundError. */
  access(target: FeedTarget): Promise<FeedAccess>;
  /** Data for the human HTML page of a public channel or source (partners ones are not found). */
  getPage(target: FeedTarget, query?: PageQuery, origin?: string): Promise<{ title: string; description?: string; items: Article[]; hasOlder: boolean }>;
  /** Everything the public index page lists: public channels and public sources only. */
  directory(): Promise<{ channels: Channel[]; sources: Source[] }>;
  /** Rendered feeds held in memory and their bytes (plain + gzip + br), for metrics. */
  cacheStats(): { entries: number; bytes: number };
}

export type { DiscoveredFeed };
