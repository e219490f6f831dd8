// Hears the other instances' commits: one dedicated connection LISTENs on the schema's channel
// (context.ts sends pg_notify inside every writing transaction, so a notice arrives only once its
// transaction committed). It counts notices per kind; dataVersion() and partners.version() add
// these counts to this instance's own commits.
//
// PostgreSQL delivers notices only to a live session: while the connection is down, others'
// commits go unheard. The listener reconnects with backoff and, once listening again, counts a
// change of every kind (whatever was rendered before or during the gap is redone). While deaf
// the counts stand still and `deafSince` says since when: storage-ops.ts versionOf decides how
// long a cache may be trusted that way. A connection that stops answering without closing (a
// network partition) would look alive for as long as TCP keeps it, so a heartbeat query that
// gets no answer in time counts as a loss too.
import type pg from 'pg';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import type { WriteKind } from './context.js';
import { createClient, type PgPoolOptions } from './pool.js';

type Kind = Exclude<WriteKind, 'none'>;
const KINDS: readonly Kind[] = ['data', 'partners'];

export interface CommitListener {
  /** Changes of each kind seen from other instances (and assumed after every gap). */
  readonly received: Readonly<Record<Kind, number>>;
  /** True while the LISTEN session is up. */
  readonly listening: boolean;
  /** Date.now() when the session was lost, while it is down; undefined while listening or closed. */
  readonly deafSince: number | undefined;
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
  /** How often the session is checked with a query, and how long its answer may take (ms). */
  heartbeatMs?: number;
}

export const DEFAULT_HEARTBEAT_MS = 5_000;

/** Starts listening; resolves once the first LISTEN is in place (rejects if it cannot connect). */
export async function startCommitListener(opts: CommitListenerOptions): Promise<CommitListener> {
  const counts: Record<Kind, number> = { data: 0, partners: 0 };
  const subscribers = new Set<(kind: Kind) => void>();
  const retry = opts.retryMs ?? { min: 100, max: 5_000 };
  const heartbeatMs = opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  let client: pg.Client | undefined;
  let listening = false;
  let deafSince: number | undefined;
  let beat: NodeJS.Timeout | undefined;
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
    deafSince = undefined;
    wait = retry.min;
    heartbeat(c);
  }

  function heartbeat(c: pg.Client): void {
    beat = setTimeout(() => {
      const late = setTimeout(() => {
        opts.log?.warn({ channel: opts.channel, heartbeatMs }, 'storage commit listener: no answer to the heartbeat');
        lost(c);
      }, heartbeatMs);
      late.unref();
      c.query('SELECT 1').then(
        () => {
          clearTimeout(late);
          if (c === client) heartbeat(c);
        },
        () => clearTimeout(late), // the connection's 'error'/'end' reports the loss
      );
    }, heartbeatMs);
    beat.unref();
  }

  function lost(c: pg.Client): void {
    if (c !== client) return;
    client = undefined;
    listening = false;
    if (beat) clearTimeout(beat);
    c.removeAllListeners('notification');
    // Without waiting: a partitioned peer never answers the goodbye.
    void c.end().catch(() => {});
    if (closed) return;
    deafSince = Date.now();
    opts.log?.warn({ channel: opts.channel }, 'storage commit listener lost its connection; reconnecting');
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

  return {
    received: counts,
    get listening() {
      return listening;
    },
    get deafSince() {
      return deafSince;
    },
    onChange(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (beat) clearTimeout(beat);
      const c = client;
      client = undefined;
      listening = false;
      deafSince = undefined;
      await c?.end().catch(() => {});
    },
  };
}
