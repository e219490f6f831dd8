// Admin authentication: the token compared in constant time (both sides hashed to the same
// length first, so neither the content nor the length leaks through timing). One check serves
// the API's bearer header, the console's sign-in form and /metrics.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { sendError } from './error-handler.js';

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Who the audit log names for requests made with the admin token. */
export const ADMIN_ACTOR = 'admin token';

/** A predicate true only for the admin token; an empty configured token matches nothing. */
export function createTokenCheck(adminToken: string): (candidate: string | undefined) => boolean {
  const expected = digest(adminToken);
  return (candidate) => adminToken !== '' && typeof candidate === 'string' && candidate !== '' && timingSafeEqual(digest(candidate), expected);
}

/** The token of an `Authorization: Bearer <token>` header, if that is what it holds. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = typeof header === 'string' ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
  return m?.[1];
}

export function requireBearer(adminToken: string) {
  const matches = createTokenCheck(adminToken);
  return (req: Request, res: Response, next: NextFunction): void => {
    const token = bearerToken(req.headers.authorization);
    if (matches(token)) {
      res.locals.actor = ADMIN_ACTOR;
      next();
      return;
    }
    res.setHeader('WWW-Authenticate', token ? 'Bearer realm="wirefeed", error="invalid_token"' : 'Bearer realm="wirefeed"');
    sendError(res, 401, 'unauthorized', token ? 'admin: the bearer token is not valid' : 'admin: an Authorization: Bearer token is required');
  };
}
