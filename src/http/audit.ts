// The one place admin actions are written to the log, from the API and the console alike: one
// structured line per change with who (the channel it came through), what and which object.
// Never the token or a key: only names and ids.
import type { Logger } from '../log.js';

export interface AuditEntry {
  /** e.g. 'source.pause', 'channel.create', 'article.withdraw'. */
  action: string;
  /** Id or slug of the object acted on. */
  target: string | number;
  via: 'api' | 'console' | 'cli';
  reqId?: string;
  /** Small, non-secret details (new status, changed fields). */
  detail?: Record<string, unknown>;
}

export function auditLog(log: Logger, entry: AuditEntry): void {
  log.info({ audit: true, ...entry }, 'admin action');
}
