// Storage interfaces (DESIGN.md §2), async throughout: SQLite (storage/sqlite/) and
// PostgreSQL (storage/postgres/) implement the same ones.
// Only storage/ knows SQL; everything else talks to these.
import type {
  Article,
  ArticleEvent,
  ArticleInput,
  ArticleRevision,
  SourceState,
  ArticleQuery,
  Channel,
  Delivery,
  FetchLogEntry,
  FetchOutcome,
  IsoDate,
  LintIssue,
  NewChannel,
  NewPartner,
  NewSource,
  Partner,
  PartnerKey,
  PartnerPatch,
  RawItemRef,
  Source,
  SourcePatch,
  SourceStatus,
} from '../model/types.js';
import type { HubSubscription, NewHubSubscription, PendingDelivery, SourceSubscription, TopicState, TopicStream } from '../model/websub.js';

export interface SourceRepo {
  /** Inserts a source; throws ValidationError(409, 'source_exists') when url or slug is taken. */
  create(input: NewSource & { slug: string; nextFetchAt: IsoDate; now: IsoDate }): Promise<Source>;
  get(id: number): Promise<Source | undefined>;
  getBySlug(slug: string): Promise<Source | undefined>;
  /** Exact match on the stored (normalized) URL. */
  findByUrl(url: string): Promise<Source | undefined>;
  list(filter?: { status?: SourceStatus }): Promise<Source[]>;
  /** Throws ValidationError(409) on a url/slug clash, NotFoundError when absent. */
  update(id: number, patch: SourcePatch): Promise<Source>;
  /** Removes the source with its articles, assets and fetch log. Returns false when absent. */
  remove(id: number): Promise<boolean>;
  /** Active sources with next_fetch_at <= now, earliest first. */
  listDue(now: IsoDate, limit: number): Promise<Source[]>;
  /** Earliest next_fetch_at among active sources, for the scheduler. */
  nextDueAt(): Promise<IsoDate | undefined>;
  /** Counts for health checks, without loading every source. */
  health(): Promise<{ total: number; failing: number; paused: number }>;
}

export interface ArticleRepo {
  /** Live articles matching the query; newest first, or seq ascending with `after`. */
  query(q: ArticleQuery): Promise<Article[]>;
  get(id: number): Promise<Article | undefined>;
  /**
   * One lifecycle event in one transaction: `decide` sees the current article and returns the
   * change (or undefined: nothing to do, nothing written; or throws to refuse). A change stores
   * the previous revision and takes a new seq. Undefined when there is no such article.
   */
  applyEvent(id: number, decide: (current: Article) => ArticleEvent | undefined, now: IsoDate): Promise<Article | undefined>;
  /** Every revision, oldest first, the current one last; undefined when there is no such article. */
  revisions(id: number): Promise<ArticleRevision[] | undefined>;
  /** Lifts every embargo whose time is <= now (each an event with a new seq); returns how many. */
  liftDueEmbargoes(now: IsoDate): Promise<number>;
  /** The earliest embargo end still pending (an index lookup; callers memoize it per dataVersion()). */
  nextEmbargoEnd(): Promise<IsoDate | undefined>;
  /** changed_at of the newest event among the articles of a selection, hidden ones included. */
  lastChange(q: Omit<ArticleQuery, 'limit' | 'after'>): Promise<IsoDate | undefined>;
  /** Highest seq in the database (0 when empty). */
  maxSeq(): Promise<number>;
  /** Editor's notes of these articles (only those that have one): for partner outputs only. */
  ednotes(ids: readonly number[]): Promise<Map<number, string>>;
  count(filter?: { sourceId?: number }): Promise<number>;
}

/**
 * A claim on one source (issue 13 §2). `token` grows by one on every claim of the source, in
 * every instance: it is the fencing token that recordFetch checks (Kleppmann's fencing tokens),
 * so a holder that paused past its lease cannot overwrite the result of a later claim.
 */
export interface LeaseRef {
  sourceId: number;
  owner: string;
  token: number;
}

export interface SourceLease extends LeaseRef {
  until: IsoDate;
}

export interface ClaimRequest {
  /** The claiming instance (WIREFEED_INSTANCE_ID). */
  owner: string;
  /** The claimer's clock: due means next_fetch_at <= now, a lease is live while until > now. */
  now: IsoDate;
  leaseUntil: IsoDate;
  /** Most sources returned. */
  limit: number;
  /**
   * Live leases allowed per host (URL host[:port]) across all instances: a source whose host
   * already has this many is not claimed. Exact on both backends (claims are serialized).
   */
  perHostLimit: number;
}

export interface ClaimedSource {
  source: Source;
  lease: SourceLease;
}

/** Fetch leases on sources: what makes N schedulers on one database fetch each due source once. */
export interface LeaseRepo {
  /**
   * Atomically leases up to `limit` active due sources whose lease is free or expired, earliest
   * due first, never taking a host past `perHostLimit` live leases; each claim increments the
   * source's token. Two claimers never get the same source while its lease is live.
   */
  claimDue(req: ClaimRequest): Promise<ClaimedSource[]>;
  /** Extends the leases `owner` still holds (same token); returns the ids of those renewed. */
  renewLeases(owner: string, leases: readonly LeaseRef[], until: IsoDate): Promise<number[]>;
  /** Gives back leases not used (nothing fetched); those no longer held are left alone. */
  releaseLeases(owner: string, leases: readonly LeaseRef[]): Promise<void>;
  /** Live leases per host, for tests and metrics. */
  liveLeases(now: IsoDate): Promise<{ host: string; leases: number }[]>;
}

export interface FetchRecord {
  sourceId: number;
  startedAt: IsoDate;
  ms: number;
  outcome: FetchOutcome;
  httpStatus?: number;
  bytes?: number;
  error?: string;
  warnings: string[];
  finalUrl?: string;
  /** Normalized items of a 'modified' fetch; absent otherwise. */
  items?: ArticleInput[];
  /**
   * Items the processor recognized by their raw hash instead of normalizing them: counted as
   * unchanged when their article still holds that hash (see IngestRepo.knownItems).
   */
  unchanged?: RawItemRef[];
  /** Statuses the source declares (kills, withholds…), applied after the items. */
  states?: SourceState[];
  /** Fetch state to store on the source in the same transaction. */
  source: SourcePatch & {
    etag?: string | null;
    lastModified?: string | null;
    bodyHash?: string | null;
    lastFetchedAt: IsoDate;
    lastSuccessAt?: IsoDate;
    lint?: LintIssue[];
  };
  /** The time written into first_seen_at / changed_at. */
  now: IsoDate;
}

export interface FetchCounts {
  itemsNew: number;
  itemsUpdated: number;
  itemsUnchanged: number;
}

export interface LeasedFetchRecord extends FetchRecord {
  /**
   * The lease the fetch ran under: recordFetch writes only if the source still carries this
   * owner and token (else nothing at all is written: fenced), and frees the lease in the same
   * transaction. A FetchRecord without it (a manual refresh, a WebSub push) writes unconditionally.
   */
  lease: LeaseRef;
}

export function isLeasedRecord(rec: FetchRecord | LeasedFetchRecord): rec is LeasedFetchRecord {
  return 'lease' in rec && rec.lease !== undefined;
}

export type StoredFetch = FetchCounts & { log: FetchLogEntry; fenced?: undefined };

/** A leased write refused: the source's lease now belongs to a later claim (or was given back). */
export interface FencedFetch {
  fenced: true;
  sourceId: number;
  /** The lease the record carried, and what the source carries now. */
  lease: LeaseRef;
  current: { owner?: string; token: number };
}

export interface IngestRepo {
  /**
   * Step 7 of the pipeline, in ONE transaction: insert new articles, update changed ones
   * (content hash differs → new seq, changed_at), leave unchanged alone, write the source's
   * fetch state and one fetch-log row. Returns the counts and the log row. A leased record is
   * fenced (see FetchRecord.lease): nothing is written and the FencedFetch says why.
   */
  recordFetch(rec: LeasedFetchRecord): Promise<StoredFetch | FencedFetch>;
  recordFetch(rec: FetchRecord): Promise<StoredFetch>;
  /**
   * The source's newest articles whose stored content came from a raw item with a known hash
   * and whose key is the item's own (its guid; without one its link; without both its content
   * hash; never a disambiguated repeat), for the re-fetch shortcut. Optional: a backend
   * without it processes every item.
   */
  knownItems?(sourceId: number): Promise<RawItemRef[]>;
}

export interface FetchLogRepo {
  list(sourceId: number, limit: number): Promise<FetchLogEntry[]>;
}

export interface ChannelRepo {
  list(): Promise<Channel[]>;
  get(slug: string): Promise<Channel | undefined>;
  /** Throws ValidationError(409, 'channel_exists'). */
  create(input: NewChannel & { now: IsoDate }): Promise<Channel>;
  update(slug: string, patch: Partial<Omit<Channel, 'slug' | 'createdAt'>>): Promise<Channel>;
  remove(slug: string): Promise<boolean>;
}

/** A key that can authenticate: not revoked (its partner may still be inactive). */
export interface LiveKey {
  keyId: string;
  /** Hex SHA-256 of the key. */
  keyHash: string;
  partner: Partner;
}

export interface PartnerRepo {
  list(): Promise<Partner[]>;
  get(slug: string): Promise<Partner | undefined>;
  /** Throws ValidationError(409, 'partner_exists'). */
  create(input: NewPartner & { now: IsoDate }): Promise<Partner>;
  /** A key present with `undefined` clears that optional field. Throws NotFoundError. */
  update(slug: string, patch: PartnerPatch & { now: IsoDate }): Promise<Partner>;
  /** Removes the partner with its keys. False when absent. */
  remove(slug: string): Promise<boolean>;
  addKey(input: { partnerId: number; keyId: string; prefix: string; keyHash: string; now: IsoDate }): Promise<PartnerKey>;
  listKeys(partnerId: number): Promise<PartnerKey[]>;
  /** Sets revokedAt (first revoke wins); undefined when the partner has no such key. */
  revokeKey(partnerId: number, keyId: string, now: IsoDate): Promise<PartnerKey | undefined>;
  liveKeys(): Promise<LiveKey[]>;
  /** Records lastUsedAt per key id (batched by the caller). */
  touchKeys(uses: ReadonlyMap<string, IsoDate>): Promise<void>;
  /**
   * A number that changes whenever partners or keys change, in this process or another one on
   * the same database. Checked on every partner request, so it answers at once, not as a
   * promise: from memory when nothing changed (no query per call). Throws a StorageError when
   * it cannot tell (closed, or the database unreachable past the stale-if-error time).
   */
  version(): number;
}

export interface HourlyIngest {
  /** Start of the hour, ISO-8601 UTC. */
  hour: IsoDate;
  itemsNew: number;
  itemsUpdated: number;
  fetches: number;
  errors: number;
}

export interface SourceFigures {
  sourceId: number;
  /** Fetches (and failed ones) since the time asked for. */
  fetches: number;
  errors: number;
  avgMs: number;
  maxMs: number;
  /** Articles stored for the source (any status). */
  articles: number;
}

/** Read-only aggregates for the operator console and metrics. */
export interface StatsRepo {
  /** Fetch-log totals per UTC hour since `since`, oldest first; hours without fetches are absent. */
  ingestByHour(since: IsoDate): Promise<HourlyIngest[]>;
  /** Per source: fetch figures since `since` and the stored article count. */
  sourceFigures(since: IsoDate): Promise<SourceFigures[]>;
  /**
   * Source counts by state in one query (metrics scrape): `overdue` active sources whose
   * next fetch is before `dueBefore`, and the earliest such next fetch time.
   */
  sourceStates(dueBefore: IsoDate): Promise<SourceStates>;
  /** Kills with a seq above `afterSeq`, oldest first: what a partner at that cursor has not seen. */
  killsAfter(afterSeq: number, limit: number): Promise<KillNotice[]>;
}

export interface KillNotice {
  id: number;
  title: string | undefined;
  seq: number;
  reason?: string;
  at?: IsoDate;
}

export interface SourceStates {
  ok: number;
  failing: number;
  paused: number;
  gone: number;
  /** Active, never fetched yet. */
  new: number;
  overdue: number;
  oldestDueAt?: IsoDate;
}

export interface StorageFiles {
  /** Bytes of the database file and of its write-ahead log (0 in memory). */
  databaseBytes: number;
  walBytes: number;
}

/** WebSub bookkeeping (services/push.ts). Not published data: never moves dataVersion(). */
export interface WebSubRepo {
  /** Inserts or renews (same topic + callback: lease and secret replaced, counters kept). */
  saveSubscription(s: NewHubSubscription): Promise<HubSubscription>;
  removeSubscription(topic: string, callback: string): Promise<boolean>;
  /** Ends every subscription made with this partner key (revoked or deleted). Returns how many. */
  removeSubscriptionsByKey(keyId: string): Promise<number>;
  getSubscription(topic: string, callback: string): Promise<HubSubscription | undefined>;
  listSubscriptions(filter?: { topic?: string }): Promise<HubSubscription[]>;
  countSubscriptions(filter: { topic?: string; callbackHost?: string }): Promise<number>;
  /** Deletes subscriptions whose lease ended, with their queued deliveries. Returns how many. */
  expireSubscriptions(now: IsoDate): Promise<number>;
  /** Each (topic, rendering) with at least one subscription whose lease has not ended. */
  activeStreams(now: IsoDate): Promise<TopicStream[]>;
  getTopicState(topic: string, variant: string): Promise<TopicState | undefined>;
  setTopicState(topic: string, variant: string, state: TopicState): Promise<void>;
  /**
   * Queues one body for every live subscription of its topic and rendering, in one transaction;
   * a full feed replaces full feeds of the same still queued. Returns the deliveries queued.
   */
  enqueue(content: { topic: string; variant: string; contentType: string; body: Buffer; fullFeed: boolean }, now: IsoDate): Promise<number>;
  dueDeliveries(now: IsoDate, limit: number): Promise<PendingDelivery[]>;
  nextDeliveryAt(): Promise<IsoDate | undefined>;
  pendingDeliveries(): Promise<number>;
  /** The body of a queued content, read once and shared by all its deliveries. */
  contentBody(contentId: number): Promise<Buffer | undefined>;
  /** Records a batch of successful deliveries in one transaction. */
  deliveriesSucceeded(ds: readonly Pick<PendingDelivery, 'id' | 'subscriptionId'>[], now: IsoDate): Promise<void>;
  /** `retryAt` undefined: give up (counted as dropped). */
  deliveryFailed(d: Pick<PendingDelivery, 'id' | 'subscriptionId'>, error: string, retryAt: IsoDate | undefined): Promise<void>;
  pruneContents(): Promise<void>;
  /** Totals for /metrics: subscriptions, queued deliveries, the delivery counters summed, and our source subscriptions by state. */
  stats(): Promise<{ subscriptions: number; pending: number; delivered: number; failedAttempts: number; dropped: number; sources: Record<'requested' | 'active' | 'failed', number> }>;

  getSourceSubscription(sourceId: number): Promise<SourceSubscription | undefined>;
  findSourceSubscription(token: string): Promise<SourceSubscription | undefined>;
  listSourceSubscriptions(): Promise<SourceSubscription[]>;
  saveSourceSubscription(s: Omit<SourceSubscription, 'pushes' | 'rejected'> & { pushes: number; rejected: number }): Promise<void>;
  updateSourceSubscription(sourceId: number, patch: Partial<Omit<SourceSubscription, 'sourceId'>>): Promise<void>;
  countSourcePush(sourceId: number, field: 'pushes' | 'rejected', now: IsoDate): Promise<void>;
  removeSourceSubscription(sourceId: number): Promise<void>;
}

/** The item list of one rendering, serialized once however often it is delivered. */
export interface DeliveryPayload {
  /** Identifies equal payloads (a hash of the JSON). */
  hash: string;
  /** JSON array of DeliveredItem. */
  itemsJson: string;
  /** JSON array of HeldBackItem, when any. */
  heldBackJson?: string;
  itemCount: number;
  /** Highest seq among the items (absent for an empty page). */
  maxSeq?: number;
}

export interface DeliveryRow {
  partnerId: number;
  /** The first of `count` identical deliveries, and the last. */
  at: IsoDate;
  lastAt?: IsoDate;
  count: number;
  channel: string;
  format: string;
  payload: DeliveryPayload;
}

export interface DeliveryRepo {
  /** Stores a batch in one transaction and moves each partner's cursor. */
  append(rows: readonly DeliveryRow[]): Promise<void>;
  /** Deliveries with from <= at < to, oldest first. */
  list(partnerId: number, range: { from?: IsoDate; to?: IsoDate; limit: number }): Promise<Delivery[]>;
  cursor(partnerId: number): Promise<{ maxSeq: number; lastDeliveryAt: IsoDate } | undefined>;
  /** Items delivered to the partner since `since` (rebuilds the daily item quota after a restart). */
  itemsSince(partnerId: number, since: IsoDate): Promise<number>;
  /** Deletes deliveries older than `olderThan`; cursors stay. Returns how many. */
  prune(olderThan: IsoDate): Promise<number>;
}

export interface RetentionPolicy {
  /** Delete articles first seen before this time. */
  olderThan?: IsoDate;
  /** Keep at most this many newest articles per source. */
  maxPerSource?: number;
}

/** One reservation of partner requests from a shared window counter. */
export interface RateWindowReservation {
  partnerId: number;
  /** The window's length (the partner's rateLimit.perSeconds) and start (epoch ms, aligned). */
  windowS: number;
  windowStartMs: number;
  /** Requests the partner may make in the window, across all instances. */
  limit: number;
  /** Requests this instance asks for. */
  want: number;
}

/**
 * Partner request counters shared by every instance on the database (PostgreSQL only: on SQLite
 * one process serves, and its in-memory counters are the whole truth).
 */
export interface RateWindowRepo {
  /**
   * Atomically takes up to `want` requests from the window's counter, never past `limit`;
   * `granted` may be 0 (the window is spent), `used` is the counter afterwards.
   */
  reserve(r: RateWindowReservation): Promise<{ granted: number; used: number }>;
}

export interface Storage {
  /** Which backend this is (storage/open.ts chooses it from the database URL). */
  readonly backend: 'sqlite' | 'postgres';
  sources: SourceRepo;
  leases: LeaseRepo;
  articles: ArticleRepo;
  channels: ChannelRepo;
  partners: PartnerRepo;
  deliveries: DeliveryRepo;
  fetchLog: FetchLogRepo;
  ingest: IngestRepo;
  stats: StatsRepo;
  websub: WebSubRepo;
  /** Present on PostgreSQL: partner rate limits shared across instances (services/shared-rate-windows.ts). */
  rateWindows?: RateWindowRepo;
  /**
   * A number that changes whenever published data may have changed (articles, sources,
   * channels), in this process or another one on the same database. It keys the rendered-feed
   * cache on every request, so it must answer from memory when nothing changed (no query per
   * call); it rejects when the database is gone (/healthz relies on that).
   */
  dataVersion(): Promise<number>;
  /** Key/value settings (e.g. the generated admin token's fingerprint). */
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;
  prune(policy: RetentionPolicy): Promise<{ deleted: number }>;
  /** Sizes on disk, for metrics. */
  files(): Promise<StorageFiles>;
  /**
   * Online backup to `file` (a consistent snapshot while others keep reading and writing);
   * `onProgress` sees pages copied so far out of the total.
   */
  backup(file: string, onProgress?: (done: number, total: number) => void): Promise<void>;
  /** WAL checkpoint (TRUNCATE) and `PRAGMA optimize`. */
  maintenance(): Promise<void>;
  /** Finishes queued writes and closes every connection. Idempotent. */
  close(): Promise<void>;
}
