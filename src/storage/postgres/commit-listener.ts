// Hears the other instances' commits: one dedicated connection LISTENs on the schema's channel
// (context.ts sends pg_notify inside every writing transaction, so a notice arrives only once its
// transaction committed). It counts notices per kind; dataVersion() and partners.version() add
// these counts to this instance's own commits.
//
// PostgreSQL delivers notices only to a live session: while the connection is down, others'
// commits go unheard. So a lost connection counts as a change of every kind at once (caches
// must not trust what they rendered), every read of the counts while disconnected counts as a
// change again (nothing can be cached then), and the listener reconnects with backoff.
import type pg from 'pg';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { WriteKind } from './context.js';
import { createClient, type PgPoolOptions } from './pool.js';

type Kind = Exclude<WriteKind, 'none'>;
const KINDS: readonly Kind[] = ['data', 'partners'];

export interface CommitListener {
  /** Changes of each kind seen from other instances (and assumed while deaf). */
  readonly received: Readonly<Record<Kind, number>>;
  /** True while the LISTEN session is up. */
  readonly listening: boolean;
  /** Called on every notice from another instance (and on a reconnect, for every kind). */
  onChange(fn: (kind: Kind) => void): () => void;
  close(): Promise<void>;
}

export interface CommitListenerOptions {
  connection: PgPoolOptions;
  /** notifyChannel(schema). */
  channel: string;
  /** This instance's origin: its own notices are skipped (its commits count at once). */
  origin: string;
  log?: Logger;
  /** First and longest wait between reconnect attempts (ms). */
  retryMs?: { min: number; max: number };
}

/** Starts listening; resolves once the first LISTEN is in place (rejects if it cannot connect). */
export async function startCommitListener(opts: CommitListenerOptions): Promise<CommitListener> {
  const counts: Record<Kind, number> = { data: 0, partners: 0 };
  const subscribers = new Set<(kind: Kind) => void>();
  const retry = opts.retryMs ?? { min: 100, max: 5_000 };
  let client: pg.Client | undefined;
  let listening = false;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let wait = retry.min;

  const changed = (kind: Kind): void => {
    counts[kind]++;
    for (const fn of subscribers) fn(kind);
  };

  const onNotification = (msg: pg.Notification): void => {
    const payload = msg.payload ?? '';
    const sep = payload.indexOf(':');
    const kind = payload.slice(0, sep) as Kind;
    if (!KINDS.includes(kind) || payload.slice(sep + 1) === opts.origin) return;
    changed(kind);
  };

  async function connect(): Promise<void> {
    const c = createClient({ ...opts.connection, applicationName: `${opts.connection.applicationName ?? 'wirefeed'} listener` });
    c.on('notification', onNotification);
    c.on('error', () => lost(c)); // reported by 'end' too; the handler keeps Node from crashing
    c.on('end', () => lost(c));
    try {
      await c.connect();
      // The channel is an identifier: quoted, with any quote doubled.
      await c.query(`LISTEN "${opts.channel.replace(/"/g, '""')}"`);
    } catch (err) {
      c.removeAllListeners('end');
      await c.end().catch(() => {});
      throw err;
    }
    client = c;
    listening = true;
    wait = retry.min;
  }

  function lost(c: pg.Client): void {
    if (c !== client) return;
    client = undefined;
    listening = false;
    if (closed) return;
    opts.log?.warn({ channel: opts.channel }, 'storage commit listener lost its connection; reconnecting');
    for (const k of KINDS) changed(k);
    schedule();
  }

  function schedule(): void {
    timer = setTimeout(() => {
      timer = undefined;
      connect().then(
        // Commits made while deaf are unknown: count a change of every kind again.
        () => KINDS.forEach(changed),
        (err) => {
          if (closed) return;
          opts.log?.warn({ channel: opts.channel, err: errorMessage(err), retryMs: wait }, 'storage commit listener cannot reconnect');
          wait = Math.min(wait * 2, retry.max);
          schedule();
        },
      );
    }, wait);
    timer.unref();
  }

  await connect();

  const received = {} as Record<Kind, number>;
  for (const k of KINDS) {
    Object.defineProperty(received, k, {
      enumerable: true,
      // While deaf, every look is a change: nothing rendered now can be trusted later.
      get: () => (listening ? counts[k] : ++counts[k]),
    });
  }

  return {
    received,
    get listening() {
      return listening;
    },
    onChange(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const c = client;
      client = undefined;
      listening = false;
      await c?.end().catch(() => {});
    },
  };
}
