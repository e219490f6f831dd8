// Console sessions: an unguessable id in an HttpOnly, SameSite=Strict cookie; the state lives in
// memory in a store owned by the created console (a restart signs everyone out, which is fine
// for an operator console). A session ends on sign-out, after IDLE_MS without a request, or
// MAX_AGE_MS after sign-in, whichever comes first. Each session has its own CSRF token, which
// every form carries and every POST must echo.
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const SESSION_COOKIE = 'wirefeed_admin';
/** Before sign-in: a double-submit token for the sign-in form itself (login CSRF). */
export const LOGIN_COOKIE = 'wirefeed_login';
const IDLE_MS = 30 * 60_000;
export const MAX_AGE_MS = 12 * 3_600_000;
const MAX_SESSIONS = 1000;

export interface Session {
  id: string;
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
}

export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Console sign-ins held in memory: idle and absolute expiry, a cap on live sessions. */
export interface SessionStore {
  create(): Session;
  /** The live session for a cookie value (its idle clock restarts), or undefined. */
  get(id: string | undefined): Session | undefined;
  destroy(id: string): void;
  readonly size: number;
}

export function createSessionStore(opts: { now: () => number; idleMs?: number; maxAgeMs?: number }): SessionStore {
  const idleMs = opts.idleMs ?? IDLE_MS;
  const maxAgeMs = opts.maxAgeMs ?? MAX_AGE_MS;
  const sessions = new Map<string, Session>();
  const expired = (s: Session, t: number) => t - s.lastSeenAt > idleMs || t - s.createdAt > maxAgeMs;

  function sweep(t: number): void {
    for (const [id, s] of sessions) if (expired(s, t)) sessions.delete(id);
    // Map order is insertion order: the oldest sign-ins go first.
    while (sessions.size >= MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
  }

  return {
    create(): Session {
      const t = opts.now();
      sweep(t);
      const s: Session = { id: randomToken(), csrf: randomToken(), createdAt: t, lastSeenAt: t };
      sessions.set(s.id, s);
      return s;
    },
    /** The live session for a cookie value (its idle clock restarts), or undefined. */
    get(id: string | undefined): Session | undefined {
      if (!id) return undefined;
      const s = sessions.get(id);
      if (!s) return undefined;
      const t = opts.now();
      if (expired(s, t)) {
        sessions.delete(id);
        return undefined;
      }
      s.lastSeenAt = t;
      return s;
    },
    destroy(id: string): void {
      sessions.delete(id);
    },
    get size() {
      return sessions.size;
    },
  };
}


/** Cookie header → name/value pairs (RFC 6265 §5.4 shape; values are our base64url tokens). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const name = part.slice(0, eq).trim();
    if (name && !out.has(name)) out.set(name, part.slice(eq + 1).trim());
  }
  return out;
}

export function cookie(name: string, value: string, opts: { maxAgeS: number; secure: boolean }): string {
  return `${name}=${value}; Path=/admin; Max-Age=${opts.maxAgeS}; HttpOnly; SameSite=Strict${opts.secure ? '; Secure' : ''}`;
}
