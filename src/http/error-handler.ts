// The one place errors become HTTP answers: typed errors map to their status, anything
// unexpected is a 500 with a generic message and a log line carrying the request id.
import type { NextFunction, Request, Response } from 'express';
import { NotFoundError, StorageError, ValidationError } from '../errors.js';
import type { Logger } from '../log.js';

export function sendError(res: Response, status: number, code: string, message: string, extra?: Record<string, unknown>): void {
  res.locals.errorCode = code; // for the audit line
  res.status(status).json({ error: { code, message, ...extra } });
}

/** body-parser errors carry `type` and a 4xx `status`. */
interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

/** Retry-After of a 503 for an unreachable database: the commit listener retries at most this often. */
const RETRY_AFTER_UNAVAILABLE_S = 5;

export function createErrorHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, next: NextFunction): void => {
    if (res.headersSent) {
      next(err);
      return;
    }
    if (err instanceof ValidationError) {
      sendError(res, err.status, err.code, err.message, err.details !== undefined ? { details: err.details } : undefined);
      return;
    }
    if (err instanceof NotFoundError) {
      sendError(res, 404, err.code, err.message);
      return;
    }
    if (err instanceof StorageError && err.code === 'database_unavailable') {
      // Temporary by nature (PostgreSQL restarting or out of reach): worth retrying, not a bug.
      log.warn({ err: err.message, reqId: res.locals.requestId as string | undefined, method: req.method, url: req.originalUrl }, 'request failed: database unavailable');
      res.setHeader('Retry-After', String(RETRY_AFTER_UNAVAILABLE_S));
      sendError(res, 503, 'database_unavailable', 'the database is unavailable; try again shortly');
      return;
    }
    const bp = err as BodyParserError;
    if (bp && typeof bp === 'object' && typeof bp.type === 'string' && typeof bp.status === 'number' && bp.status >= 400 && bp.status < 500) {
      if (bp.type === 'entity.parse.failed') sendError(res, 400, 'invalid_json', 'request: the body is not valid JSON');
      else if (bp.type === 'entity.too.large') sendError(res, 413, 'body_too_large', 'request: the body is larger than 1 MB');
      else sendError(res, bp.status, 'bad_request', `request: ${bp.type}`);
      return;
    }
    const reqId = res.locals.requestId as string | undefined;
    log.error({ err, reqId, method: req.method, url: req.originalUrl }, 'request failed');
    sendError(res, 500, 'internal', `internal error (request id ${reqId ?? 'unknown'})`);
  };
}
