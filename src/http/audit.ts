// The one place admin actions are written to the log, from the API and the console alike: one
// structured `info` line per change with who (`actor`, and the channel it came through), what,
// which object and the result. Never the token or a key: only names and ids.
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '../log.js';

export interface AuditEntry {
  /** e.g. 'source.pause', 'channel.create', 'article.withdraw'. */
  action: string;
  /** Id or slug of the object acted on. */
  target: string | number;
  via: 'api' | 'console' | 'cli';
  /**
   * Who acted: "admin token" today; a partner account names itself here. The API's
   * authentication sets it in res.locals.actor; unset means the request was not authenticated.
   */
  actor?: string;
  /** HTTP status of the answer, and `ok` or the error code. */
  status?: number;
  result?: string;
  reqId?: string;
  /** Small, non-secret details (new status, changed fields). */
  detail?: Record<string, unknown>;
}

export function auditLog(log: Logger, entry: AuditEntry): void {
  log.info({ audit: true, ...entry }, 'admin action');
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const VERBS: Record<string, string> = { POST: 'create', PUT: 'replace', PATCH: 'update', DELETE: 'remove' };

/**
 * `POST /api/sources` → source.create, `PATCH /api/sources/x` → source.update on x,
 * `POST /api/articles/7/withdraw` → article.withdraw on 7. Derived from the path so a route
 * added later is audited without remembering to.
 */
export function apiAction(method: string, path: string): { action: string; target: string } {
  const [collection = 'api', id, sub] = path.split('/').filter(Boolean).slice(1).map((p) => decodeURIComponent(p));
  const resource = collection.replace(/s$/, '');
  return { action: `${resource}.${sub ?? VERBS[method] ?? method.toLowerCase()}`, target: id ?? collection };
}

/**
 * Mounted on the API before authentication: every request but a read gets its audit line when
 * the answer is sent, refusals (401, 409, 422…) included.
 */
export function auditAdminActions(log: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (READS.has(req.method)) {
      next();
      return;
    }
    const path = req.originalUrl.split('?')[0]!;
    res.on('finish', () => {
      const locals = res.locals as { actor?: string; errorCode?: string; requestId?: string; audit?: Record<string, unknown> };
      const body = req.body as Record<string, unknown> | undefined;
      const fields = req.method === 'PATCH' && body && typeof body === 'object' ? Object.keys(body) : undefined;
      auditLog(log, {
        ...apiAction(req.method, path),
        via: 'api',
        actor: locals.actor ?? 'unauthenticated',
        status: res.statusCode,
        result: res.statusCode < 400 ? 'ok' : (locals.errorCode ?? 'error'),
        reqId: locals.requestId,
        ...(fields || locals.audit ? { detail: { ...(fields ? { fields } : {}), ...locals.audit } } : {}),
      });
    });
    next();
  };
}
