// Partner authentication at the HTTP edge, shared by the fast lane (plain node request and
// response, answered from memory) and the Express routes. A key comes as `Authorization: Bearer <key>`
// or, for readers that cannot set headers, as `?key=<key>` (weaker: URLs end up in histories,
// proxy logs and Referer headers; README "For partners"). Other Authorization schemes (a feed
// reader's Basic credentials) are not partner keys and leave the request anonymous.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ValidationError } from '../errors.js';
import { decideAccess, type AccessVerdict, type AuthOutcome, type PartnerContext, type PartnerService } from '../services/partners.js';
import type { OutputFormat, RateLimit } from '../model/types.js';
import type { FeedAccess, FeedTarget, RenderedFeed } from '../services/types.js';
import type { DeliveryLog } from '../services/deliveries.js';
import { utcDayStart, type QuotaMeter, type QuotaState } from '../services/quotas.js';
import type { FeedResponder } from './feed-response.js';

export const KEY_PARAM = 'key';

/**
 * Takes the `key` parameter out of a parsed query record (so the feed query never sees it).
 * A repeated key is a 400, as any repeated parameter is.
 */
export function takeKeyParam(record: Record<string, string | string[]>): string | undefined {
  const v = record[KEY_PARAM];
  if (v === undefined) return undefined;
  delete record[KEY_PARAM];
  if (Array.isArray(v)) throw new ValidationError('invalid_query', `query: ${KEY_PARAM} is given more than once`, 400);
  return v;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/** The presented key: the Authorization header wins over the query parameter. */
export function presentedKey(req: IncomingMessage, keyParam: string | undefined): string | undefined {
  const h = req.headers.authorization;
  if (h !== undefined) {
    const m = BEARER.exec(h);
    if (m) return m[1];
  }
  return keyParam;
}

export interface PartnerAuth {
  /**
   * Fast lane: from memory only, at once (no promise); undefined when something must be loaded
   * first (the key snapshot, or a partner's daily item count after a restart): take `identify`
   * instead. Throws when storage cannot tell the key snapshot's version.
   */
  identifyCached(req: IncomingMessage, keyParam: string | undefined): AuthOutcome | undefined;
  identify(req: IncomingMessage, keyParam: string | undefined): Promise<AuthOutcome>;
  /** The entitlement decision for a feed; see services/partners.ts decideAccess. */
  admit(access: FeedAccess, auth: AuthOutcome): AccessVerdict;
  /**
   * Writes the 401/403 answer (JSON error, WWW-Authenticate per RFC 6750 §3; a partner's counts
   * against its quota, so the answer may wait for shared quota counters: then a promise).
   */
  refuse(res: ServerResponse, verdict: 401 | 403, auth: AuthOutcome, requestId: string): void | Promise<void>;
  /**
   * Answers an admitted feed request: anonymous ones straight through the responder; partner
   * ones with their quota (RateLimit headers, or 429) and a delivery record for a 200 GET.
   * Returns the status written (a promise when the quota needs shared counters first).
   */
  send(req: IncomingMessage, res: ServerResponse, feed: RenderedFeed, auth: AuthOutcome, requestId: string, what: FeedRequestInfo): number | Promise<number>;
}

/** What a partner received, for the delivery log. */
export interface FeedRequestInfo {
  target: FeedTarget;
  format: OutputFormat;
}

export type { AuthOutcome, PartnerContext };

function refusal(verdict: 401 | 403, auth: AuthOutcome): { code: string; message: string; challenge?: string } {
  if (verdict === 401) {
    // RFC 6750 §3.1: no error code when no credential was sent at all.
    if (auth.kind === 'anonymous')
      return { code: 'unauthorized', message: 'partners: this feed needs a partner key (Authorization: Bearer <key>)', challenge: 'Bearer realm="wirefeed"' };
    return { code: 'invalid_key', message: 'partners: the key is not valid (unknown or revoked)', challenge: 'Bearer realm="wirefeed", error="invalid_token"' };
  }
  if (auth.kind === 'inactive') return { code: 'partner_inactive', message: 'partners: this partner account is not active' };
  return { code: 'not_entitled', message: 'partners: this key is not entitled to this feed', challenge: 'Bearer realm="wirefeed", error="insufficient_scope"' };
}

/**
 * The RateLimit-Policy value (draft-ietf-httpapi-ratelimit-headers-10 §3, a Structured Fields
 * list): the "requests" policy, and an "items" policy (quota unit "items", a wirefeed
 * extension) when the partner has a daily item quota. It depends on the limit alone.
 */
export function rateLimitPolicy(limit: RateLimit): string {
  const policy = `"requests";q=${limit.requests};w=${limit.perSeconds}`;
  return limit.itemsPerDay === undefined ? policy : `${policy}, "items";q=${limit.itemsPerDay};w=86400;qu="items"`;
}

/** RateLimit-Policy and RateLimit (§4: what is left of each policy, and when it resets). */
export function rateLimitHeaders(q: QuotaState, policy: string = rateLimitPolicy(q.limit)): string[] {
  let current = `"requests";r=${q.remaining};t=${q.resetS}`;
  if (q.items && q.limit.itemsPerDay !== undefined) current += `, "items";r=${q.items.remaining};t=${q.items.resetS}`;
  return ['RateLimit-Policy', policy, 'RateLimit', current];
}

function writeJsonError(res: ServerResponse, status: number, code: string, message: string, requestId: string, extra: readonly string[]): void {
  const body = JSON.stringify({ error: { code, message } });
  const headers = [
    'Content-Type',
    'application/json; charset=utf-8',
    'Content-Length',
    String(Buffer.byteLength(body)),
    'Cache-Control',
    'no-store',
    'Access-Control-Allow-Origin',
    '*',
    'Access-Control-Expose-Headers',
    'RateLimit, RateLimit-Policy, Retry-After, WWW-Authenticate',
    'X-Request-Id',
    requestId,
    ...extra,
  ];
  res.writeHead(status, headers);
  res.end(body);
}

export interface PartnerAuthDeps {
  partners: PartnerService;
  responder: FeedResponder;
  quotas: QuotaMeter;
  /** Absent: no delivery log (WIREFEED_DELIVERY_LOG=0). */
  deliveries?: DeliveryLog;
  now?: () => number;
}

export function createPartnerAuth(deps: PartnerAuthDeps): PartnerAuth {
  const { partners, responder, quotas, deliveries } = deps;
  const now = deps.now ?? Date.now;
  // A partner's limit object lives as long as its key snapshot: its policy header is built once.
  const policies = new WeakMap<RateLimit, string>();
  const headersOf = (q: QuotaState): string[] => {
    let policy = policies.get(q.limit);
    if (policy === undefined) policies.set(q.limit, (policy = rateLimitPolicy(q.limit)));
    return rateLimitHeaders(q, policy);
  };

  /** The quota is loaded (items per day rebuilt from the delivery log) before first use. */
  const ready = (auth: AuthOutcome): boolean => auth.kind !== 'partner' || !quotas.needsSeed(auth.partner.partnerId, auth.partner.rateLimit);

  async function prepare(auth: AuthOutcome): Promise<AuthOutcome> {
    if (auth.kind === 'partner' && !ready(auth)) {
      const t = now();
      quotas.seedItems(auth.partner.partnerId, deliveries ? await deliveries.itemsSince(auth.partner.partnerId, utcDayStart(t)) : 0, t);
    }
    return auth;
  }

  /** A partner's answer once its quota is known: 429, or the feed with its RateLimit fields. */
  function answer(req: IncomingMessage, res: ServerResponse, feed: RenderedFeed, p: PartnerContext, requestId: string, what: FeedRequestInfo, t: number, q: QuotaState): number {
    const headers = headersOf(q);
    if (!q.allowed) {
      const why = q.items && q.items.remaining === 0 ? 'the daily item quota is used up' : `more than ${p.rateLimit.requests} requests in ${p.rateLimit.perSeconds} s`;
      writeJsonError(res, 429, 'rate_limited', `partners: ${why}; retry after ${q.retryAfterS} s`, requestId, [...headers, 'Retry-After', String(q.retryAfterS)]);
      return 429;
    }
    const status = responder.write(req, res, feed, requestId, headers);
    if (status === 200 && req.method === 'GET') {
      quotas.addItems(p.partnerId, feed.items.length, t);
      deliveries?.record(p.partnerId, what.target, what.format, feed, t);
    }
    return status;
  }

  return {
    identifyCached(req, keyParam) {
      const auth = partners.authenticateCached(presentedKey(req, keyParam));
      return auth && ready(auth) ? auth : undefined;
    },
    async identify(req, keyParam) {
      return prepare(await partners.authenticate(presentedKey(req, keyParam)));
    },
    admit: decideAccess,
    refuse(res, verdict, auth, requestId) {
      const { code, message, challenge } = refusal(verdict, auth);
      const extra: string[] = challenge ? ['WWW-Authenticate', challenge] : [];
      const write = (q?: QuotaState): void => writeJsonError(res, verdict, code, message, requestId, q ? [...extra, ...headersOf(q)] : extra);
      if (auth.kind !== 'partner') return write();
      const q = quotas.take(auth.partner.partnerId, auth.partner.rateLimit, now());
      return q instanceof Promise ? q.then(write) : write(q);
    },
    send(req, res, feed, auth, requestId, what) {
      if (auth.kind !== 'partner') return responder.write(req, res, feed, requestId);
      const t = now();
      const q = quotas.take(auth.partner.partnerId, auth.partner.rateLimit, t);
      return q instanceof Promise ? q.then((s) => answer(req, res, feed, auth.partner, requestId, what, t, s)) : answer(req, res, feed, auth.partner, requestId, what, t, q);
    },
  };
}

