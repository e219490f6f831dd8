// Partner authentication at the HTTP edge, shared by the fast lane (plain node request and
// response, synchronous) and the Express routes. A key comes as `Authorization: Bearer <key>`
// or, for readers that cannot set headers, as `?key=<key>` (weaker: URLs end up in histories,
// proxy logs and Referer headers; README "For partners"). Other Authorization schemes (a feed
// reader's Basic credentials) are not partner keys and leave the request anonymous.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ValidationError } from '../errors.js';
import { decideAccess, type AccessVerdict, type AuthOutcome, type PartnerContext, type PartnerService } from '../services/partners.js';
import type { FeedFormat } from '../model/types.js';
import type { FeedAccess, FeedTarget, RenderedFeed } from '../services/types.js';
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
  /** Fast lane: undefined when the key snapshot must be reloaded first (take the async path). */
  identifySync(req: IncomingMessage, keyParam: string | undefined): AuthOutcome | undefined;
  identify(req: IncomingMessage, keyParam: string | undefined): Promise<AuthOutcome>;
  /** The entitlement decision for a feed; see services/partners.ts decideAccess. */
  admit(access: FeedAccess, auth: AuthOutcome): AccessVerdict;
  /** Writes the 401/403 answer (JSON error, WWW-Authenticate per RFC 6750 §3). */
  refuse(res: ServerResponse, verdict: 401 | 403, auth: AuthOutcome, requestId: string): void;
  /**
   * Answers an admitted feed request: anonymous ones straight through the responder; partner
   * ones with their quota and delivery record. Returns the status written.
   */
  send(req: IncomingMessage, res: ServerResponse, feed: RenderedFeed, auth: AuthOutcome, requestId: string, what: FeedRequestInfo): number;
}

/** What a partner received, for the delivery log. */
export interface FeedRequestInfo {
  target: FeedTarget;
  format: FeedFormat;
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

export function createPartnerAuth(deps: { partners: PartnerService; responder: FeedResponder }): PartnerAuth {
  const { partners, responder } = deps;
  return {
    identifySync(req, keyParam) {
      return partners.authenticateSync(presentedKey(req, keyParam));
    },
    identify(req, keyParam) {
      return partners.authenticate(presentedKey(req, keyParam));
    },
    admit: decideAccess,
    refuse(res, verdict, auth, requestId) {
      const { code, message, challenge } = refusal(verdict, auth);
      const body = JSON.stringify({ error: { code, message } });
      const headers: Record<string, string> = {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': String(Buffer.byteLength(body)),
        'Cache-Control': 'no-store',
        'Access-Control-Allow-Origin': '*',
        'X-Request-Id': requestId,
      };
      if (challenge) headers['WWW-Authenticate'] = challenge;
      res.writeHead(verdict, headers);
      res.end(body);
    },
    send(req, res, feed, _auth, requestId) {
      return responder.write(req, res, feed, requestId);
    },
  };
}
