// The WebSub hub for everything wirefeed publishes (W3C WebSub Recommendation, 2018). Topics are
// our feed URLs as advertised in rel="self". A subscription request is checked at once (the edge
// answers 202, §5.1.2), then the subscriber's intent is verified with a GET carrying
// hub.challenge (§5.3). Committed changes are found by watching the data version and the seq
// counter (every new, corrected or killed article takes a new seq), and each subscriber of a
// changed topic gets a signed POST (§7, §8), retried with backoff until it succeeds, the retry
// window closes or the lease ends.
import { createHmac, randomBytes } from 'node:crypto';
import { NotFoundError, ValidationError, WirefeedError, errorMessage } from '../errors.js';
import type { CallbackClient } from '../ingest/fetch.js';
import { validateFeedUrl, type NetPolicy } from '../ingest/net-guard.js';
import type { Logger } from '../log.js';
import type { OutputFormat } from '../model/types.js';
import type { HubSubscription, PendingDelivery, TopicStream } from '../model/websub.js';
import type { Storage } from '../storage/repos.js';
import { HUB_PATH, parseFeedPath, websubLinkHeader } from './feed-path.js';
import { canonicalQuery, isSafeOrigin, parseFeedQuery, queryStringToRecord } from './feed-query.js';
import { decideAccess, type AuthOutcome, type PartnerService } from './partners.js';
import type { FeedAccess, FeedQuery, FeedService, FeedTarget, FeedVariant } from './types.js';

/** §8: "MUST be less than 200 bytes in length". */
export const MAX_SECRET_BYTES = 199;

export interface HubLimits {
  /** Lease when the subscriber asks for none (§5.1: the hub MAY set a default). */
  defaultLeaseS: number;
  minLeaseS: number;
  maxLeaseS: number;
  /** Subscriptions per topic and per callback host[:port]; renewals are never refused. */
  perTopic: number;
  perCallbackHost: number;
  /** A change not delivered within this long after its commit is dropped. */
  retryWindowS: number;
}

export const DEFAULT_HUB_LIMITS: HubLimits = {
  defaultLeaseS: 10 * 86_400,
  minLeaseS: 300,
  maxLeaseS: 30 * 86_400,
  perTopic: 10_000,
  perCallbackHost: 1_000,
  retryWindowS: 12 * 3_600,
};

/** First retry after 10 s, each next one 3× later, at most 3 h apart (§7: "retry ... repeatedly"). */
export function retryDelayS(failures: number, random: () => number = Math.random): number {
  const base = Math.min(10 * 3 ** Math.max(0, failures - 1), 3 * 3_600);
  return Math.round(base * (0.9 + 0.2 * random()));
}

/** A refused hub request: the edge answers `status` with the message as plain text (§5.1.2). */
export class HubRequestError extends WirefeedError {
  readonly status: number;
  constructor(status: number, code: string, message: string) {
    super(code, message);
    this.status = status;
  }
}

export interface HubDeps {
  storage: Storage;
  feeds: FeedService;
  /** Partner keys: a partners-only topic is subscribed with one and delivered while it is valid. */
  partners: Pick<PartnerService, 'authenticateKeyId'>;
  client: CallbackClient;
  /** The private-network guard of sources, applied to callback URLs. */
  policy: NetPolicy;
  baseUrl?: string;
  log: Logger;
  limits?: Partial<HubLimits>;
  now?: () => Date;
  random?: () => number;
  /** How often the commit watcher looks at the data version (ms). */
  watchMs?: number;
  /** A data-version change without a new seq (e.g. a channel edit) is looked at this often at most. */
  quietCheckMs?: number;
  /** Callback requests at once. */
  concurrency?: number;
}

export interface HubSubscriptionView extends Omit<HubSubscription, 'secret' | 'variant'> {
  /** Whether pushes are signed (the secret itself is never shown). */
  signed: boolean;
  pendingDeliveries?: number;
}

export interface WebSubHub {
  /**
   * Validates a form-encoded hub request (§5.1) and starts verification of intent in the
   * background; resolving means "202 Accepted". `auth` is who presented which partner key
   * (anonymous by default). Throws HubRequestError.
   */
  request(form: Record<string, unknown>, origin?: string, auth?: AuthOutcome): Promise<void>;
  /** Looks for committed changes to subscribed topics now and queues their deliveries. */
  checkTopics(): Promise<void>;
  /** Sends every delivery that is due now (with the retry schedule for failures). */
  deliverDue(): Promise<void>;
  list(): Promise<{ subscriptions: HubSubscriptionView[]; pendingDeliveries: number }>;
  /** Starts the commit watcher and the delivery timer. */
  start(): void;
  stop(): Promise<void>;
  /** Resolves when no verification, check or delivery run is in progress (tests, shutdown). */
  idle(): Promise<void>;
}

interface Topic {
  target: FeedTarget;
  format: OutputFormat;
  query: FeedQuery;
  /** Origin self links are built on when no base URL is configured. */
  origin?: string;
  /** Where the hub of this topic is (rel="hub" in pushes). */
  hub: string;
}

function single(form: Record<string, unknown>, key: string): string | undefined {
  const v = form[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new HubRequestError(400, 'invalid_request', `${key} must be given once, as a plain value`);
  return v;
}

function required(form: Record<string, unknown>, key: string): string {
  const v = single(form, key);
  if (v === undefined || v === '') throw new HubRequestError(400, 'invalid_request', `${key} is required`);
  return v;
}

export function createWebSubHub(deps: HubDeps): WebSubHub {
  const { storage, feeds, client, log } = deps;
  const repo = storage.websub;
  const limits: HubLimits = { ...DEFAULT_HUB_LIMITS, ...deps.limits };
  const clock = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const concurrency = deps.concurrency ?? 64;
  const busy = new Set<Promise<unknown>>();

  function track<T>(p: Promise<T>): Promise<T> {
    busy.add(p);
    void p.then(
      () => busy.delete(p),
      () => busy.delete(p),
    );
    return p;
  }

  /** Parses a topic URL; undefined unless it is exactly the rel="self" URL of one of our feeds. */
  function parseTopic(raw: string): Topic | { error: string } {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return { error: 'hub.topic is not an absolute URL' };
    }
    let base: string;
    let path: string;
    if (deps.baseUrl) {
      if (!raw.startsWith(`${deps.baseUrl}/`)) return { error: `hub.topic must be a feed of this hub, under ${deps.baseUrl}/feeds/` };
      base = deps.baseUrl;
      path = raw.slice(base.length).split('?')[0]!;
    } else {
      base = `${url.protocol}//${url.host}`;
      if (!isSafeOrigin(base)) return { error: 'hub.topic must be a feed of this hub' };
      path = url.pathname;
    }
    const parsed = parseFeedPath(path);
    if (!parsed) return { error: 'hub.topic must be a feed URL of this hub (/feeds/<channel>.<rss|atom|json> or /feeds/sources/<slug>.<fmt>)' };
    let query: FeedQuery;
    try {
      query = parseFeedQuery(queryStringToRecord(url.search.slice(1)));
    } catch (err) {
      return { error: `hub.topic: ${errorMessage(err)}` };
    }
    // §5.1: the topic "MUST be the self URL found during the discovery step".
    const canonical = `${base}${path}${canonicalQuery(query)}`;
    if (canonical !== raw) return { error: `hub.topic must be the feed's rel="self" URL exactly: ${canonical}` };
    return { target: parsed.target, format: parsed.format, query, ...(deps.baseUrl ? {} : { origin: base }), hub: `${base}${HUB_PATH}` };
  }

  function leaseFor(raw: string | undefined): number {
    if (raw === undefined || raw === '') return limits.defaultLeaseS;
    if (!/^\d{1,12}$/.test(raw) || Number(raw) === 0) throw new HubRequestError(400, 'invalid_request', 'hub.lease_seconds must be a positive whole number');
    return Math.min(limits.maxLeaseS, Math.max(limits.minLeaseS, Number(raw)));
  }

  function callbackHost(url: URL): string {
    return url.host.toLowerCase();
  }

  const ANONYMOUS: AuthOutcome = { kind: 'anonymous' };

  /** Why a request or a delivery may not see a feed: the feeds' own rule (decideAccess). */
  function refusal(access: FeedAccess, auth: AuthOutcome): HubRequestError | undefined {
    const verdict = decideAccess(access, auth);
    if (verdict === 'ok') return undefined;
    if (verdict === 401) {
      return auth.kind === 'anonymous'
        ? new HubRequestError(401, 'unauthorized', 'this topic is a partners feed: subscribe with the partner key (Authorization: Bearer <key>)')
        : new HubRequestError(401, 'invalid_key', 'the partner key is not valid (unknown or revoked)');
    }
    return auth.kind === 'inactive'
      ? new HubRequestError(403, 'partner_inactive', 'this partner account is not active')
      : new HubRequestError(403, 'not_entitled', 'this partner key is not entitled to this topic');
  }

  async function request(form: Record<string, unknown>, origin?: string, auth: AuthOutcome = ANONYMOUS): Promise<void> {
    const mode = required(form, 'hub.mode');
    if (mode !== 'subscribe' && mode !== 'unsubscribe') throw new HubRequestError(400, 'invalid_mode', 'hub.mode must be "subscribe" or "unsubscribe"');
    const callbackRaw = required(form, 'hub.callback');
    let callback: URL;
    try {
      callback = validateFeedUrl(callbackRaw, deps.policy, 'hub.callback');
    } catch (err) {
      if (err instanceof ValidationError) throw new HubRequestError(400, err.code, err.message);
      throw err;
    }
    const topicRaw = required(form, 'hub.topic');
    const topic = parseTopic(topicRaw);
    if ('error' in topic) throw new HubRequestError(400, 'invalid_topic', topic.error);
    // Without a base URL, a topic is ours when it is on the origin the request reached us by.
    if (!deps.baseUrl && origin !== undefined && topic.origin !== origin) {
      throw new HubRequestError(400, 'invalid_topic', `hub.topic must be a feed of this hub, under ${origin}/feeds/`);
    }
    let access: FeedAccess;
    try {
      access = await feeds.access(topic.target);
    } catch (err) {
      if (err instanceof NotFoundError) throw new HubRequestError(404, 'unknown_topic', `hub.topic: ${err.message}`);
      throw err;
    }
    if (mode === 'unsubscribe') {
      // §5.1: hub.lease_seconds and hub.secret "MUST be ignored by the hub" when unsubscribing;
      // no key either: verification of intent is what proves the request.
      track(verify({ mode, topic: topicRaw, callback: callback.href, host: callbackHost(callback), leaseS: 0, hub: topic }));
      return;
    }
    const refused = refusal(access, auth);
    if (refused) throw refused;
    const partner = auth.kind === 'partner' ? auth.partner : undefined;
    const leaseS = leaseFor(single(form, 'hub.lease_seconds'));
    const secret = single(form, 'hub.secret');
    if (secret !== undefined) {
      if (secret === '') throw new HubRequestError(400, 'invalid_secret', 'hub.secret must not be empty (leave it out for unsigned pushes)');
      if (Buffer.byteLength(secret, 'utf8') > MAX_SECRET_BYTES) throw new HubRequestError(400, 'invalid_secret', `hub.secret must be less than 200 bytes (WebSub §5.1)`);
    }
    const existing = await repo.getSubscription(topicRaw, callback.href);
    if (!existing) {
      if ((await repo.countSubscriptions({ topic: topicRaw })) >= limits.perTopic) {
        throw new HubRequestError(429, 'too_many_subscriptions', `this topic has the most subscriptions the hub allows (${limits.perTopic})`);
      }
      if ((await repo.countSubscriptions({ callbackHost: callbackHost(callback) })) >= limits.perCallbackHost) {
        throw new HubRequestError(429, 'too_many_subscriptions', `callbacks on ${callbackHost(callback)} have the most subscriptions the hub allows (${limits.perCallbackHost})`);
      }
    }
    track(verify({ mode, topic: topicRaw, callback: callback.href, host: callbackHost(callback), leaseS, secret, hub: topic, keyId: partner?.keyId, variant: partner?.variant }));
  }

  /**
   * §5.3 verification of intent: GET the callback with hub.mode, hub.topic, hub.challenge (and
   * hub.lease_seconds when subscribing); only a 2xx whose body is the challenge confirms it.
   * A failure leaves the subscription state as it was (§5.1), so a failed renewal does not
   * end a running subscription.
   */
  async function verify(v: {
    mode: 'subscribe' | 'unsubscribe';
    topic: string;
    callback: string;
    host: string;
    leaseS: number;
    secret?: string;
    hub: Topic;
    keyId?: string;
    variant?: FeedVariant;
  }): Promise<void> {
    const challenge = randomBytes(24).toString('base64url');
    const url = new URL(v.callback);
    url.searchParams.append('hub.mode', v.mode);
    url.searchParams.append('hub.topic', v.topic);
    url.searchParams.append('hub.challenge', challenge);
    if (v.mode === 'subscribe') url.searchParams.append('hub.lease_seconds', String(v.leaseS));
    // §5.3: the lease is "measured from the time the verification request was made".
    const askedAt = clock();
    let outcome: string;
    try {
      const res = await client.send({ method: 'GET', url: url.href });
      outcome = res.status >= 200 && res.status < 300 ? (res.body === challenge ? 'ok' : 'challenge not echoed') : `HTTP ${res.status}`;
    } catch (err) {
      outcome = errorMessage(err);
    }
    if (outcome !== 'ok') {
      log.info({ mode: v.mode, topic: v.topic, callbackHost: v.host, outcome }, 'websub verification failed');
      return;
    }
    if (v.mode === 'unsubscribe') {
      await repo.removeSubscription(v.topic, v.callback);
      log.info({ topic: v.topic, callbackHost: v.host }, 'websub unsubscribed');
      return;
    }
    const variant = v.variant?.key ?? '';
    const nowIso = clock().toISOString();
    const fresh = !(await repo.activeStreams(nowIso)).some((s) => s.topic === v.topic && s.variant === variant);
    if (fresh) await resetTopic(v.topic, v.hub, v.variant);
    const expiresAt = new Date(askedAt.getTime() + v.leaseS * 1000).toISOString();
    await repo.saveSubscription({ topic: v.topic, callback: v.callback, callbackHost: v.host, secret: v.secret, keyId: v.keyId, variant, leaseSeconds: v.leaseS, expiresAt, now: nowIso });
    log.info({ topic: v.topic, callbackHost: v.host, leaseS: v.leaseS, expiresAt }, 'websub subscribed');
  }

  /** A topic nobody followed starts from its current content: the subscriber has just read it. */
  async function resetTopic(topic: string, t: Topic, variant: FeedVariant | undefined): Promise<void> {
    const key = variant?.key ?? '';
    if (t.query.after !== undefined) {
      await repo.setTopicState(topic, key, { lastSeq: Math.max(t.query.after, await storage.articles.maxSeq()) });
    } else {
      const feed = await feeds.renderFresh(t.target, t.format, t.query, t.origin, variant);
      await repo.setTopicState(topic, key, { etag: feed.etag });
    }
  }

  /**
   * The partner rendering of a stream, from any of its subscriptions' keys still valid (null:
   * none is). Subscriptions made with a key that is gone for good (revoked, deleted) end here.
   */
  async function variantOf(stream: TopicStream): Promise<FeedVariant | undefined | null> {
    let found: FeedVariant | undefined;
    for (const keyId of stream.keyIds) {
      const auth = await deps.partners.authenticateKeyId(keyId);
      if (auth.kind === 'invalid') {
        const n = await repo.removeSubscriptionsByKey(keyId);
        if (n) log.info({ keyId, ended: n }, 'websub subscriptions ended: partner key revoked');
      } else if (auth.kind === 'partner' && auth.partner.variant.key === stream.variant) found ??= auth.partner.variant;
    }
    if (stream.variant === '') return undefined;
    return found ?? null;
  }

  // ---- fan-out on commit ----

  /** Pages of changes one check pushes for a cursor topic at most; the rest follow next check. */
  const MAX_CURSOR_PAGES = 20;

  async function checkTopic(stream: TopicStream, nowIso: string): Promise<number> {
    const { topic } = stream;
    const t = parseTopic(topic);
    if ('error' in t) return 0;
    // No valid key left for a partner rendering: nothing may be rendered for it.
    const variant = await variantOf(stream);
    if (variant === null) return 0;
    const state = (await repo.getTopicState(topic, stream.variant)) ?? {};
    let queued = 0;
    try {
      if (t.query.after !== undefined) {
        // Cursor topic: push only what changed since the last push (§7 allows a diff when the
        // format can carry one; a cursor page is exactly that, with its `next` link).
        let last = state.lastSeq ?? t.query.after;
        for (let page = 0; page < MAX_CURSOR_PAGES; page++) {
          const feed = await feeds.renderFresh(t.target, t.format, { ...t.query, after: last }, t.origin, variant);
          if (feed.maxSeq === undefined || feed.maxSeq <= last) break;
          queued += await repo.enqueue({ topic, variant: stream.variant, contentType: feed.contentType, body: feed.body, fullFeed: false }, nowIso);
          last = feed.maxSeq;
        }
        if (last !== state.lastSeq) await repo.setTopicState(topic, stream.variant, { lastSeq: last });
      } else {
        // Full-feed topic: §7 "MUST contain the full contents of the topic URL".
        const feed = await feeds.renderFresh(t.target, t.format, t.query, t.origin, variant);
        if (feed.etag !== state.etag) {
          queued += await repo.enqueue({ topic, variant: stream.variant, contentType: feed.contentType, body: feed.body, fullFeed: true }, nowIso);
          await repo.setTopicState(topic, stream.variant, { etag: feed.etag });
        }
      }
    } catch (err) {
      // A channel or source removed since: nothing to push until it exists again.
      if (!(err instanceof NotFoundError)) throw err;
    }
    return queued;
  }

  let checking: Promise<void> | undefined;
  let recheck = false;

  function checkTopics(): Promise<void> {
    if (checking) {
      recheck = true;
      return checking;
    }
    checking = track(
      (async () => {
        try {
          do {
            recheck = false;
            const nowIso = clock().toISOString();
            const expired = await repo.expireSubscriptions(nowIso);
            if (expired) log.info({ expired }, 'websub leases ended');
            let queued = 0;
            for (const stream of await repo.activeStreams(nowIso)) queued += await checkTopic(stream, nowIso);
            if (queued) {
              log.debug({ queued }, 'websub deliveries queued');
              void deliverDue();
            }
          } while (recheck);
        } catch (err) {
          log.error({ err: errorMessage(err) }, 'websub topic check failed');
        } finally {
          checking = undefined;
        }
      })(),
    );
    return checking;
  }

  // ---- delivery ----

  const inFlight = new Set<number>();
  /** Deliveries read and sent per round: bounds memory and the length of one SQLite read. */
  const DELIVERY_BATCH = 256;

  function sign(secret: string, body: Buffer): string {
    // §8: "method=signature", the hex HMAC of the body keyed with hub.secret.
    return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  }

  /**
   * Whether this subscriber may still receive this topic: the topic's visibility and the key
   * are checked at every delivery, so a revoked key, a suspended partner or a channel made
   * partners-only stops pushes at once. A key that can never come back ends the subscription.
   */
  async function admitted(d: PendingDelivery, run: DeliveryRun): Promise<boolean> {
    const t = parseTopic(d.topic);
    if ('error' in t) return false;
    let access = run.access.get(d.topic);
    if (!access) {
      access = feeds.access(t.target).catch((err: unknown) => {
        if (err instanceof NotFoundError) return null;
        throw err;
      });
      run.access.set(d.topic, access);
    }
    const visibility = await access;
    if (visibility === null) return false;
    const auth = d.keyId === undefined ? ANONYMOUS : await deps.partners.authenticateKeyId(d.keyId);
    if (!refusal(visibility, auth)) return true;
    if (auth.kind === 'invalid' || auth.kind === 'anonymous') {
      await repo.removeSubscription(d.topic, d.callback);
      log.info({ topic: d.topic, callbackHost: new URL(d.callback).host, keyId: d.keyId }, 'websub subscription ended: key no longer valid for the topic');
    }
    return false;
  }

  /**
   * What one delivery run shares: each content's body read once (a run may post the same feed to
   * thousands), each topic's visibility looked up once, successes written in one transaction.
   */
  interface DeliveryRun {
    bodies: Map<number, Promise<Buffer | undefined>>;
    access: Map<string, Promise<FeedAccess | null>>;
    succeeded: PendingDelivery[];
  }

  async function deliver(d: PendingDelivery, run: DeliveryRun): Promise<void> {
    const at = clock();
    if (Date.parse(d.expiresAt) <= at.getTime()) {
      await repo.deliveryFailed(d, 'lease ended before delivery', undefined);
      return;
    }
    let body = run.bodies.get(d.contentId);
    if (!body) run.bodies.set(d.contentId, (body = repo.contentBody(d.contentId)));
    const bytes = await body;
    if (!bytes) return; // superseded by a newer full feed while queued
    if (!(await admitted(d, run))) {
      await repo.deliveryFailed(d, 'not delivered: the subscription no longer has access to the topic', undefined);
      return;
    }
    const t = parseTopic(d.topic);
    const hub = 'error' in t ? `${deps.baseUrl ?? new URL(d.topic).origin}${HUB_PATH}` : t.hub;
    const headers: Record<string, string> = {
      'content-type': d.contentType,
      // §7: at least one rel="hub" and exactly one rel="self" (the topic).
      link: websubLinkHeader(hub, d.topic),
    };
    if (d.secret !== undefined) headers['x-hub-signature'] = sign(d.secret, bytes);
    let error: string | undefined;
    try {
      const res = await client.send({ method: 'POST', url: d.callback, headers, body: bytes });
      // §7: only 2xx is success; redirects are failures too.
      if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
    } catch (err) {
      error = errorMessage(err);
    }
    const done = clock();
    if (error === undefined) {
      run.succeeded.push(d);
      return;
    }
    const retryAt = done.getTime() + retryDelayS(d.attempts + 1, random) * 1000;
    const giveUp = retryAt > Date.parse(d.createdAt) + limits.retryWindowS * 1000 || retryAt >= Date.parse(d.expiresAt);
    await repo.deliveryFailed(d, error, giveUp ? undefined : new Date(retryAt).toISOString());
    log.info({ topic: d.topic, callbackHost: new URL(d.callback).host, attempts: d.attempts + 1, error, dropped: giveUp }, 'websub delivery failed');
  }

  let delivering: Promise<void> | undefined;
  let redeliver = false;
  let timer: NodeJS.Timeout | undefined;
  let running = false;

  function deliverDue(): Promise<void> {
    if (delivering) {
      redeliver = true;
      return delivering;
    }
    delivering = track(
      (async () => {
        try {
          do {
            redeliver = false;
            for (;;) {
              const due = await repo.dueDeliveries(clock().toISOString(), DELIVERY_BATCH);
              // One delivery per subscriber at a time, so a subscriber sees changes in order.
              const seen = new Set<number>();
              const batch = due.filter((d) => !inFlight.has(d.id) && !seen.has(d.subscriptionId) && seen.add(d.subscriptionId));
              if (batch.length === 0) break;
              const run: DeliveryRun = { bodies: new Map(), access: new Map(), succeeded: [] };
              let next = 0;
              const worker = async () => {
                while (next < batch.length) {
                  const d = batch[next++]!;
                  inFlight.add(d.id);
                  try {
                    await deliver(d, run);
                  } catch (err) {
                    log.error({ err: errorMessage(err) }, 'websub delivery crashed');
                  } finally {
                    inFlight.delete(d.id);
                  }
                }
              };
              await Promise.all(Array.from({ length: Math.min(concurrency, batch.length) }, worker));
              await repo.deliveriesSucceeded(run.succeeded, clock().toISOString());
            }
          } while (redeliver);
          await repo.pruneContents();
        } catch (err) {
          log.error({ err: errorMessage(err) }, 'websub delivery run failed');
        } finally {
          delivering = undefined;
          if (running) await scheduleRetries();
        }
      })(),
    );
    return delivering;
  }

  async function scheduleRetries(): Promise<void> {
    if (timer) clearTimeout(timer);
    const next = await repo.nextDeliveryAt();
    if (next === undefined || !running) return;
    const wait = Math.max(0, Math.min(Date.parse(next) - clock().getTime(), 60_000));
    timer = setTimeout(() => void deliverDue(), wait);
    timer.unref();
  }

  // ---- the commit watcher ----

  let watch: NodeJS.Timeout | undefined;
  let seenVersion = -1;
  let seenSeq = -1;
  let lastQuietCheck = 0;

  async function onTick(): Promise<void> {
    const version = await storage.dataVersion();
    if (version === seenVersion) return;
    const seq = await storage.articles.maxSeq();
    const now = Date.now();
    // A new seq is a new, corrected or killed article: look at once. Other writes (channel
    // edits, source removals) change feeds too, but rarely matter as much: look at most every
    // quietCheckMs, so a busy ingest writing fetch states does not render every topic each tick.
    if (seq === seenSeq && now - lastQuietCheck < (deps.quietCheckMs ?? 5_000)) return;
    seenVersion = version;
    seenSeq = seq;
    lastQuietCheck = now;
    await checkTopics();
  }

  return {
    request,
    checkTopics,
    deliverDue,

    async list() {
      const [subs, pending] = await Promise.all([repo.listSubscriptions(), repo.pendingDeliveries()]);
      return {
        subscriptions: subs.map(({ secret, variant: _variant, ...s }) => ({ ...s, signed: secret !== undefined })),
        pendingDeliveries: pending,
      };
    },

    start() {
      if (running) return;
      running = true;
      const ms = deps.watchMs ?? 100;
      watch = setInterval(() => {
        onTick().catch((err) => log.error({ err: errorMessage(err) }, 'websub watcher failed'));
      }, ms);
      watch.unref();
      // Changes committed while the process was down, and deliveries still queued.
      void checkTopics().then(() => deliverDue());
    },

    async stop() {
      running = false;
      if (watch) clearInterval(watch);
      if (timer) clearTimeout(timer);
      await Promise.allSettled([...busy]);
    },

    async idle() {
      while (busy.size > 0) await Promise.allSettled([...busy]);
    },
  };
}
