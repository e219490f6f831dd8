// Admin API authentication: a bearer token compared in constant time (both sides hashed to the
// same length first, so neither the content nor the length leaks through timing).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { sendError } from './error-handler.js';

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

export function requireBearer(adminToken: string) {
  const expected = digest(adminToken);
  return (req: Request, res: Response, next: NextFunction): void => {
    const header = req.headers.authorization;
    const m = typeof header === 'string' ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
    // An empty configured token must never match an empty or missing credential.
    if (m && adminToken !== '' && timingSafeEqual(digest(m[1]!), expected)) {
      next();
      return;
    }
    res.setHeader('WWW-Authenticate', m ? 'Bearer realm="wirefeed", error="invalid_token"' : 'Bearer realm="wirefeed"');
    sendError(res, 401, 'unauthorized', m ? 'admin: the bearer token is not valid' : 'admin: an Authorization: Bearer token is required');
  };
}
