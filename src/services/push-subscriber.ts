// WebSub for our sources, the subscriber side (W3C WebSub Recommendation, 2018). A source whose
// feed advertises a hub (§4) is subscribed with a callback under WIREFEED_BASE_URL and a fresh
// hub.secret (§5.1); the hub's verification GET is answered only for the request we made
// (§5.3.1); a push is taken only with a valid X-Hub-Signature (§8) and goes through the same
// pipeline as a fetch. While a subscription is live the source is polled once a day as a safety
// net; when that poll finds stories the hub never pushed, when verification fails or the lease
// runs out, the source falls back to normal polling. Leases are renewed before they end.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { errorMessage } from '../errors.js';
import type { CallbackClient } from '../ingest/fetch.js';
import type { WebSubLinks } from '../ingest/formats/websub-links.js';
import type { Logger } from '../log.js';
import type { FetchOutcome, IsoDate, Source } from '../model/types.js';
import type { SourceSubscription } from '../model/websub.js';
import type { Storage } from '../storage/repos.js';
import { HUB_PATH } from './feed-path.js';
import type { RefreshOutcome } from './types.js';

/** Where our callbacks live: `${WIREFEED_BASE_URL}/websub/callback/<token>`. */
export const CALLBACK_PATH = `${HUB_PATH}/callback`;

/** What refresh tells the subscriber, and asks of it (services/refresh.ts). */
export interface SourcePushHooks {
  /** The earliest next poll while a live subscription covers the source; undefined: poll as usual. */
  pollFloor(source: Source, at: Date): Promise<IsoDate | undefined>;
  /** After a fetch or a push was stored: discovery, and noticing a hub that went quiet. */
  fetched(source: Source, r: { pushed: boolean; outcome: FetchOutcome; itemsNew: number; links: WebSubLinks; at: Date }): Promise<void>;
}

export interface PushedDocument {
  body: Buffer;
  contentType?: string;
}

export interface SourceSubscriberOptions {
  /** Lease we ask for (§5.1 hub.lease_seconds); the hub decides. */
  leaseS: number;
  /** Polling interval while a subscription is live: the safety net. */
  slowPollS: number;
  /** Renew this long before the lease ends (or at a tenth of the lease, if that is shorter). */
  renewBeforeS: number;
  /** A request the hub has not verified after this long has failed. */
  verifyTimeoutS: number;
  /** After a failure, try the hub again after this long (on the next fetch that names it). */
  retryAfterS: number;
}

export const DEFAULT_SUBSCRIBER_OPTIONS: SourceSubscriberOptions = {
  leaseS: 10 * 86_400,
  slowPollS: 86_400,
  renewBeforeS: 3_600,
  verifyTimeoutS: 600,
  retryAfterS: 6 * 3_600,
};

export interface SourceSubscriberDeps {
  storage: Storage;
  client: CallbackClient;
  /** WIREFEED_BASE_URL: without it nobody could call us back, so nothing is subscribed. */
  baseUrl?: string;
  /** Runs a pushed document through refresh, as a fetch would have been. */
  ingestPush: (source: Source, doc: PushedDocument) => Promise<RefreshOutcome>;
  log: Logger;
  now?: () => Date;
  options?: Partial<SourceSubscriberOptions>;
}

export interface SourceSubscriptionView extends Omit<SourceSubscription, 'secret' | 'pendingSecret' | 'token'> {
  slug?: string;
}

export interface SourceSubscriber extends SourcePushHooks {
  /** Answers the hub's GET on a callback (§5.3.1, §5.2): status and body. */
  verify(token: string, query: Record<string, unknown>): Promise<{ status: number; body: string }>;
  /** Takes a push (§7): 2xx once received; ingested afterwards when the signature is valid (§8). */
  receive(token: string, signature: string | undefined, doc: PushedDocument): Promise<{ status: number }>;
  /** Renews leases that end soon and gives up on requests never verified. */
  maintain(): Promise<void>;
  list(): Promise<SourceSubscriptionView[]>;
  start(): void;
  stop(): Promise<void>;
  /** Resolves when no subscribe request or pushed ingest is in flight (tests, shutdown). */
  idle(): Promise<void>;
}

/** §8 recognized algorithms; the signature is the hex HMAC of the body. */
const SIGNATURE = /^(sha1|sha256|sha384|sha512)=([0-9a-f]+)$/i;

export function signatureMatches(header: string | undefined, body: Buffer, secrets: readonly (string | undefined)[]): boolean {
  const m = header === undefined ? null : SIGNATURE.exec(header.trim());
  if (!m) return false;
  const got = Buffer.from(m[2]!, 'hex');
  for (const secret of secrets) {
    if (!secret) continue;
    const want = createHmac(m[1]!.toLowerCase(), secret).update(body).digest();
    if (got.length === want.length && timingSafeEqual(got, want)) return true;
  }
  return false;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function createSourceSubscriber(deps: SourceSubscriberDeps): SourceSubscriber {
  const { storage, client, log } = deps;
  const repo = storage.websub;
  const opts: SourceSubscriberOptions = { ...DEFAULT_SUBSCRIBER_OPTIONS, ...deps.options };
  const clock = deps.now ?? (() => new Date());
  const busy = new Set<Promise<unknown>>();
  let timer: NodeJS.Timeout | undefined;

  function track(p: Promise<unknown>): void {
    busy.add(p);
    void p.then(
      () => busy.delete(p),
      () => busy.delete(p),
    );
  }

  const callbackFor = (token: string) => `${deps.baseUrl}${CALLBACK_PATH}/${token}`;

  /**
   * §5.1: POST hub.mode=subscribe with our callback and a fresh secret. The row is written
   * first: a hub may verify before it even answers the request.
   */
  async function subscribe(source: Source, hub: string, topic: string, prev: SourceSubscription | undefined): Promise<void> {
    const at = clock().toISOString();
    const secret = randomBytes(32).toString('hex');
    const renewing = prev !== undefined && prev.hub === hub && prev.topic === topic;
    const token = renewing ? prev.token : randomBytes(24).toString('base64url');
    await repo.saveSourceSubscription({
      sourceId: source.id,
      hub,
      topic,
      token,
      // A renewal keeps the verified secret until the hub confirms the new one.
      secret: renewing ? prev.secret : secret,
      pendingSecret: secret,
      state: renewing && prev.state === 'active' ? 'active' : 'requested',
      leaseUntil: renewing ? prev.leaseUntil : undefined,
      verifiedAt: renewing ? prev.verifiedAt : undefined,
      requestedAt: at,
      pushes: prev?.pushes ?? 0,
      rejected: prev?.rejected ?? 0,
    });
    const form = new URLSearchParams({
      'hub.mode': 'subscribe',
      'hub.topic': topic,
      'hub.callback': callbackFor(token),
      'hub.secret': secret,
      'hub.lease_seconds': String(opts.leaseS),
    });
    let problem: string | undefined;
    try {
      const res = await client.send({ method: 'POST', url: hub, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from(form.toString()) });
      // §5.1.2: 202 Accepted (some hubs answer 204 after verifying synchronously).
      if (res.status < 200 || res.status >= 300) problem = `hub answered HTTP ${res.status}${res.body ? `: ${res.body.trim().slice(0, 200)}` : ''}`;
    } catch (err) {
      problem = errorMessage(err);
    }
    if (problem !== undefined) {
      await repo.updateSourceSubscription(source.id, { state: 'failed', lastError: `subscribe: ${problem}`, pendingSecret: undefined });
      log.info({ sourceId: source.id, hub, err: problem }, 'websub subscribe failed; polling as usual');
      return;
    }
    log.info({ sourceId: source.id, hub, topic }, renewing ? 'websub renewal requested' : 'websub subscription requested');
  }

  async function verify(token: string, query: Record<string, unknown>): Promise<{ status: number; body: string }> {
    const sub = await repo.findSourceSubscription(token);
    const mode = str(query['hub.mode']);
    const topic = str(query['hub.topic']);
    if (!sub || topic !== sub.topic) return { status: 404, body: 'no such subscription' };
    const at = clock();
    if (mode === 'denied') {
      // §5.2: the hub refused (now, or a subscription it had accepted): poll as usual.
      const reason = str(query['hub.reason']);
      await repo.updateSourceSubscription(sub.sourceId, { state: 'failed', pendingSecret: undefined, lastError: `denied by the hub${reason ? `: ${reason.slice(0, 200)}` : ''}` });
      log.info({ sourceId: sub.sourceId, hub: sub.hub }, 'websub subscription denied by the hub');
      return { status: 200, body: '' };
    }
    const challenge = str(query['hub.challenge']);
    // §5.3.1: confirm only what we asked for: a pending subscribe to this topic.
    if (mode !== 'subscribe' || !challenge || sub.pendingSecret === undefined) return { status: 404, body: 'not requested' };
    const leaseRaw = str(query['hub.lease_seconds']);
    const leaseS = leaseRaw && /^\d{1,10}$/.test(leaseRaw) && Number(leaseRaw) > 0 ? Number(leaseRaw) : opts.leaseS;
    await repo.updateSourceSubscription(sub.sourceId, {
      state: 'active',
      secret: sub.pendingSecret,
      pendingSecret: undefined,
      verifiedAt: at.toISOString(),
      leaseUntil: new Date(at.getTime() + leaseS * 1000).toISOString(),
      lastError: undefined,
    });
    log.info({ sourceId: sub.sourceId, hub: sub.hub, leaseS }, 'websub subscription verified');
    // From now on polling is the safety net only: move the next poll out to the slow interval.
    const source = await storage.sources.get(sub.sourceId);
    const floor = source ? await pollFloor(source, at) : undefined;
    if (source && floor && floor > source.nextFetchAt) await storage.sources.update(source.id, { nextFetchAt: floor });
    return { status: 200, body: challenge };
  }

  async function receive(token: string, signature: string | undefined, doc: PushedDocument): Promise<{ status: number }> {
    const sub = await repo.findSourceSubscription(token);
    // Nothing of ours lives at this callback (any more): a hub should stop.
    if (!sub) return { status: 410 };
    const at = clock().toISOString();
    if (!signatureMatches(signature, doc.body, [sub.secret, sub.pendingSecret])) {
      // §8: "MUST locally ignore the message as invalid"; acknowledged all the same, which it
      // allows, so a forger learns nothing from the status.
      await repo.countSourcePush(sub.sourceId, 'rejected', at);
      log.warn({ sourceId: sub.sourceId, signed: signature !== undefined }, 'websub push dropped: bad signature');
      return { status: 202 };
    }
    await repo.countSourcePush(sub.sourceId, 'pushes', at);
    const source = await storage.sources.get(sub.sourceId);
    if (source && source.status === 'active') {
      // §7: the answer only says "received"; processing follows.
      track(
        deps.ingestPush(source, doc).catch((err) => log.error({ sourceId: sub.sourceId, err: errorMessage(err) }, 'websub push ingest failed')),
      );
    }
    return { status: 202 };
  }

  async function pollFloor(source: Source, at: Date): Promise<IsoDate | undefined> {
    if (!deps.baseUrl) return undefined;
    const sub = await repo.getSourceSubscription(source.id);
    if (sub?.state !== 'active' || !sub.leaseUntil) return undefined;
    const leaseEnd = Date.parse(sub.leaseUntil);
    if (leaseEnd <= at.getTime()) return undefined;
    // The safety-net poll, and never later than the lease's end (if renewal fails, poll then).
    return new Date(Math.min(at.getTime() + opts.slowPollS * 1000, leaseEnd)).toISOString();
  }

  async function fetched(source: Source, r: { pushed: boolean; outcome: FetchOutcome; itemsNew: number; links: WebSubLinks; at: Date }): Promise<void> {
    if (!deps.baseUrl || r.outcome !== 'modified') return;
    const sub = await repo.getSourceSubscription(source.id);
    if (sub?.state === 'active' && !r.pushed && r.itemsNew > 0) {
      // The slow poll found stories the hub never pushed: the hub went quiet.
      await repo.updateSourceSubscription(source.id, { state: 'failed', lastError: `the poll at ${r.at.toISOString()} found ${r.itemsNew} new stories the hub had not pushed; polling as usual` });
      log.info({ sourceId: source.id, hub: sub.hub, missed: r.itemsNew }, 'websub hub went quiet; polling as usual');
      return;
    }
    const hub = r.links.hub;
    if (!hub || r.pushed) return;
    // §5.1: the topic MUST be the self URL found during discovery.
    const topic = r.links.self ?? source.url;
    if (!sub || sub.hub !== hub || sub.topic !== topic) {
      await subscribe(source, hub, topic, sub);
      return;
    }
    if (sub.state === 'failed' && r.at.getTime() - Date.parse(sub.requestedAt) >= opts.retryAfterS * 1000) await subscribe(source, hub, topic, sub);
  }

  async function maintain(): Promise<void> {
    if (!deps.baseUrl) return;
    const at = clock().getTime();
    for (const sub of await repo.listSourceSubscriptions()) {
      if (sub.state === 'requested' && at - Date.parse(sub.requestedAt) > opts.verifyTimeoutS * 1000) {
        await repo.updateSourceSubscription(sub.sourceId, { state: 'failed', pendingSecret: undefined, lastError: `the hub did not verify the subscription within ${opts.verifyTimeoutS} s` });
        continue;
      }
      if (sub.state !== 'active' || !sub.leaseUntil) continue;
      const end = Date.parse(sub.leaseUntil);
      if (end <= at) {
        await repo.updateSourceSubscription(sub.sourceId, { state: 'failed', pendingSecret: undefined, lastError: 'the lease ended before it was renewed' });
        continue;
      }
      const lease = sub.verifiedAt ? end - Date.parse(sub.verifiedAt) : opts.leaseS * 1000;
      const renewAt = end - Math.min(opts.renewBeforeS * 1000, lease / 10);
      // A renewal already asked for and not yet verified is not asked for again.
      const asked = sub.pendingSecret !== undefined && at - Date.parse(sub.requestedAt) < opts.verifyTimeoutS * 1000;
      if (at >= renewAt && !asked) {
        const source = await storage.sources.get(sub.sourceId);
        if (source) await subscribe(source, sub.hub, sub.topic, sub);
      }
    }
  }

  return {
    pollFloor,
    fetched,
    verify,
    receive,
    maintain,

    async list() {
      const sources = new Map((await storage.sources.list()).map((s) => [s.id, s.slug]));
      return (await repo.listSourceSubscriptions()).map(({ secret: _s, pendingSecret: _p, token: _t, ...v }) => ({ ...v, slug: sources.get(v.sourceId) }));
    },

    start() {
      if (timer || !deps.baseUrl) return;
      timer = setInterval(() => {
        maintain().catch((err) => log.error({ err: errorMessage(err) }, 'websub renewal failed'));
      }, 60_000);
      timer.unref();
    },

    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await Promise.allSettled([...busy]);
    },

    async idle() {
      while (busy.size > 0) await Promise.allSettled([...busy]);
    },
  };
}
