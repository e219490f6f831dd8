// The ingest write path off the main thread. better-sqlite3 is synchronous, so storing a 10 MiB
// feed (one transaction, ~400 ms) on the main connection would freeze the HTTP server for as
// long. One worker thread holds a second connection on the same file and runs recordFetch
// there; the main thread only posts the record and awaits the answer. Requests run strictly one
// at a time in call order (seq order = call order). Small records that queued up while the
// thread was busy go over together and are written in one transaction, each in its own
// savepoint (a failing one rolls back alone): one commit instead of one per record (a commit
// cost about as much thread time as storing a re-fetch's few changed items). A lease write
// queued behind them joins their transaction the same way and ends the batch.
// Writes of the two connections serialize through SQLite's write lock (busy_timeout).
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';
import { StorageError, errorMessage, reviveError, serializeError, type SerializedError } from '../../errors.js';
import type { ArticleInput } from '../../model/types.js';
import { siblingModuleUrl, startWorker } from '../../worker-thread.js';
import type { FencedFetch, FetchRecord, LeasedFetchRecord, LeaseRepo, StoredFetch } from '../repos.js';

type FetchResult = StoredFetch | FencedFetch;
/** A record as posted: leased or not (the worker's recordFetch tells them apart). */
export type AnyFetchRecord = FetchRecord | LeasedFetchRecord;

/**
 * Lease writes go through the thread too: on the main connection a claim would wait (blocking
 * the event loop, busy_timeout) whenever the thread holds the write lock for a big record.
 */
export type LeaseCall =
  | { op: 'claimDue'; args: Parameters<LeaseRepo['claimDue']> }
  | { op: 'renewLeases'; args: Parameters<LeaseRepo['renewLeases']> }
  | { op: 'releaseLeases'; args: Parameters<LeaseRepo['releaseLeases']> };

// ---- protocol (writer-worker.ts is the other side) ----

export interface WriterWorkerData {
  file: string;
  /** Requests in, replies out. A MessagePort rather than the worker's own channel so close() can read replies synchronously. */
  port: MessagePort;
  /** Bumped by the worker after each reply (SharedArrayBuffer): what a blocked close() waits on. */
  signal: Int32Array;
}

export type WriterRequest =
  /** Part of a big record's items, staged by the worker until the record-fetch message. */
  | { type: 'items'; id: number; items: ArticleInput[] }
  /** `staged`: rec.items is the concatenation of the staged 'items' messages. */
  | { type: 'record-fetch'; id: number; rec: AnyFetchRecord; staged: boolean }
  /** Several small records and lease writes, run in call order in one transaction (one savepoint each). */
  | { type: 'record-batch'; id: number; members: BatchMember[] }
  | { type: 'lease'; id: number; call: LeaseCall }
  | { type: 'close' };

/** One write of a 'record-batch': a record to store or a lease write. */
export type BatchMember = { rec: AnyFetchRecord } | { call: LeaseCall };

export type WriterOutcome = { ok: true; result: FetchResult | unknown } | { ok: false; error: SerializedError };

export type WriterReply =
  | ({ type: 'done'; id: number } & WriterOutcome)
  /** One outcome per member of a 'record-batch', in its order. */
  | { type: 'done-batch'; id: number; outcomes: WriterOutcome[] }
  | { type: 'closed' };

// ---- the main-thread side ----

export interface WriterThreadOptions {
  /** Absolute path of the database file (already migrated by the main connection). */
  file: string;
  /** How long close() waits for queued writes before abandoning them (default 10 s). */
  closeTimeoutMs?: number;
  /** Worker entry module; defaults to writer-worker next to this file (.ts under tsx, .js built). */
  workerUrl?: URL;
  /**
   * The thread closes its connection and stops after this long without a write (its heap and
   * page cache go back); the next write starts it again. 0 keeps it. Default WRITER_IDLE_MS.
   */
  idleMs?: number;
}

/** Idle time after which the writer thread stops (WriterThreadOptions.idleMs). */
export const WRITER_IDLE_MS = 30_000;

export interface WriterThread {
  recordFetch(rec: AnyFetchRecord): Promise<FetchResult>;
  /** Runs a lease write in the thread, in call order with the records. */
  lease(call: LeaseCall): Promise<unknown>;
  /** Write transactions the thread committed: dataVersion() adds them so the feed cache moves at once. */
  readonly commits: number;
  /**
   * Finishes the queued writes (bounded by closeTimeoutMs), closes the thread's connection and
   * stops it. Synchronous (it blocks on Atomics.wait and reads the replies with
   * receiveMessageOnPort), so no reply can arrive after Storage.close() closed the main
   * connection. Idempotent.
   */
  close(): void;
}

interface Pending {
  /** A record to store, or a lease write (`call`). */
  rec?: AnyFetchRecord;
  call?: LeaseCall;
  resolve: (r: unknown) => void;
  reject: (err: Error) => void;
}

/** The request on the wire: one pending call, or a batch of small records. */
interface Sent {
  id: number;
  members: Pending[];
  /** Item chunks not yet posted (big records go out one chunk per event-loop turn). */
  unsent?: ArticleInput[][];
}

interface Thread {
  worker: Worker;
  port: MessagePort;
  /** Set when the thread stopped or is being stopped on purpose; its exit is then no crash. */
  dead: boolean;
  idleTimer?: NodeJS.Timeout;
}

const CLOSE_TIMEOUT_MS = 10_000;

/**
 * Items per message. postMessage serializes on the calling thread: a 10 MiB feed in one message
 * costs ~30–50 ms of main-thread time, in chunks of this size a few ms per event-loop turn.
 */
const ITEMS_PER_MESSAGE = 200;

/** Writes in one batch at most (the records' items together stay within ITEMS_PER_MESSAGE). */
const RECORDS_PER_BATCH = 32;

function closedError(): StorageError {
  return new StorageError('storage: the database is closed', { code: 'storage_closed' });
}

export function createWriterThread(options: WriterThreadOptions): WriterThread {
  const workerUrl = options.workerUrl ?? siblingModuleUrl(import.meta.url, 'writer-worker');
  const closeTimeoutMs = options.closeTimeoutMs ?? CLOSE_TIMEOUT_MS;
  const idleMs = options.idleMs ?? WRITER_IDLE_MS;
  const signal = new Int32Array(new SharedArrayBuffer(4));
  const queue: Pending[] = [];
  let thread: Thread | undefined;
  let current: Sent | undefined;
  let state: 'open' | 'closing' | 'closed' = 'open';
  let closeAcked = false;
  let commits = 0;
  let nextId = 1;

  /** Stops an idle thread the way close() does: it closes its connection and exits. */
  const retire = (t: Thread): void => {
    if (t.dead || thread !== t || current || queue.length > 0 || state !== 'open') return;
    t.dead = true;
    thread = undefined;
    t.worker.once('exit', () => t.port.close());
    t.port.postMessage({ type: 'close' } satisfies WriterRequest);
  };

  const idle = (t: Thread): void => {
    // An idle writer must not keep the process alive; a busy one must until it answers.
    t.worker.unref();
    t.port.unref();
    if (idleMs > 0 && queue.length === 0) {
      clearTimeout(t.idleTimer);
      t.idleTimer = setTimeout(() => retire(t), idleMs);
      t.idleTimer.unref();
    }
  };

  const onReply = (t: Thread, msg: WriterReply): void => {
    if (t !== thread) return;
    if (msg.type === 'closed') {
      closeAcked = true;
      return;
    }
    const sent = current;
    if (!sent || sent.id !== msg.id) return;
    current = undefined;
    const outcomes = msg.type === 'done-batch' ? msg.outcomes : [msg];
    sent.members.forEach((p, i) => {
      const o = outcomes[i] ?? { ok: false, error: serializeError(new StorageError('storage: the writer thread gave no answer for this record'), 'storage_failed') };
      if (o.ok) {
        if (p.rec) commits++; // leases change nothing a feed shows
        p.resolve(o.result);
      } else {
        p.reject(reviveError(o.error));
      }
    });
    idle(t);
    pump();
  };

  const lost = (t: Thread, why: string): void => {
    if (t.dead) return;
    t.dead = true;
    t.port.close();
    if (thread === t) thread = undefined;
    const sent = current;
    current = undefined;
    // SQLite rolls back a transaction whose connection vanished; the caller's fetch is simply not recorded.
    for (const p of sent?.members ?? []) {
      p.reject(new StorageError(`storage: writer thread crashed while ${p.call ? 'writing leases' : 'recording a fetch'} (${why})`, { code: 'writer_crashed' }));
    }
    pump(); // a replacement starts with the next request
  };

  const spawn = (): Thread => {
    const { port1, port2 } = new MessageChannel();
    const data: WriterWorkerData = { file: options.file, port: port2, signal };
    // Records arrive, are written and become garbage: a small young generation keeps RSS down.
    const worker = startWorker(workerUrl, { workerData: data, transferList: [port2], resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    const t: Thread = { worker, port: port1, dead: false };
    port1.on('message', (msg: WriterReply) => onReply(t, msg));
    worker.on('error', (err) => lost(t, errorMessage(err)));
    worker.on('exit', (code) => lost(t, `exit code ${code}`));
    return t;
  };

  /**
   * The next request: the first queued write, with the small writes queued behind a small
   * record. A lease write ends the batch: its answer (a claim's sources) is waited for, and
   * waits only for the records queued before it.
   */
  function takeNext(): Pending[] {
    const first = queue.shift()!;
    const size = (p: Pending) => p.rec?.items?.length ?? 0;
    let items = size(first);
    if (first.call || items > ITEMS_PER_MESSAGE) return [first];
    const members = [first];
    while (members.length < RECORDS_PER_BATCH && queue.length > 0 && items + size(queue[0]!) <= ITEMS_PER_MESSAGE) {
      const next = queue.shift()!;
      items += size(next);
      members.push(next);
      if (next.call) break;
    }
    return members;
  }

  function pump(): void {
    if (current || queue.length === 0 || state === 'closed') return;
    try {
      thread ??= spawn();
    } catch (err) {
      queue.shift()!.reject(new StorageError(`storage: cannot start the writer thread: ${errorMessage(err)}`, { cause: err }));
      pump();
      return;
    }
    const sent: Sent = { id: nextId++, members: takeNext() };
    const { id, members } = sent;
    current = sent;
    clearTimeout(thread.idleTimer);
    thread.worker.ref();
    thread.port.ref();
    const p = members[0]!;
    if (p.call) {
      thread.port.postMessage({ type: 'lease', id, call: p.call } satisfies WriterRequest);
      return;
    }
    if (members.length > 1) {
      thread.port.postMessage({ type: 'record-batch', id, members: members.map((m): BatchMember => (m.call ? { call: m.call } : { rec: m.rec! })) } satisfies WriterRequest);
      return;
    }
    const rec = p.rec!;
    const items = rec.items;
    if (!items || items.length <= ITEMS_PER_MESSAGE) {
      thread.port.postMessage({ type: 'record-fetch', id, rec, staged: false } satisfies WriterRequest);
      return;
    }
    sent.unsent = [];
    for (let i = 0; i < items.length; i += ITEMS_PER_MESSAGE) sent.unsent.push(items.slice(i, i + ITEMS_PER_MESSAGE));
    sendChunk(thread, sent);
  }

  /** Posts the next chunk of `sent` (all of them while closing: no event-loop turns then), then the record. */
  function sendChunk(t: Thread, sent: Sent): void {
    if (current !== sent || thread !== t || !sent.unsent) return; // crashed or abandoned meanwhile
    do {
      const items = sent.unsent.shift();
      if (!items) {
        sent.unsent = undefined;
        t.port.postMessage({ type: 'record-fetch', id: sent.id, rec: { ...sent.members[0]!.rec!, items: [] }, staged: true } satisfies WriterRequest);
        return;
      }
      t.port.postMessage({ type: 'items', id: sent.id, items } satisfies WriterRequest);
    } while (state !== 'open');
    setImmediate(() => sendChunk(t, sent));
  }

  /** Blocks until `done()` or the deadline, handling replies as they arrive. */
  const waitSync = (t: Thread, done: () => boolean, deadline: number): boolean => {
    while (!done()) {
      // Read the counter before draining: a reply posted after the drain has bumped it past `seen`.
      const seen = Atomics.load(signal, 0);
      for (let m = receiveMessageOnPort(t.port); m; m = receiveMessageOnPort(t.port)) onReply(t, m.message as WriterReply);
      if (done()) return true;
      if (thread !== t) return false;
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(signal, 0, seen, left);
    }
    return true;
  };

  return {
    recordFetch(rec) {
      if (state !== 'open') return Promise.reject(closedError());
      return new Promise<FetchResult>((resolve, reject) => {
        queue.push({ rec, resolve: resolve as (r: unknown) => void, reject });
        pump();
      });
    },
    lease(call) {
      if (state !== 'open') return Promise.reject(closedError());
      return new Promise<unknown>((resolve, reject) => {
        queue.push({ call, resolve, reject });
        pump();
      });
    },
    get commits() {
      return commits;
    },
    close() {
      if (state !== 'open') return;
      state = 'closing';
      const t = thread;
      if (t) {
        clearTimeout(t.idleTimer);
        if (current) sendChunk(t, current); // the rest of a half-sent record, synchronously
        const deadline = Date.now() + closeTimeoutMs;
        const drained = waitSync(t, () => !current && queue.length === 0, deadline);
        if (drained && thread === t) {
          t.port.postMessage({ type: 'close' } satisfies WriterRequest);
          waitSync(t, () => closeAcked, deadline);
        }
        t.dead = true;
        t.port.close();
        // Already exiting when it closed its connection; terminate() covers a thread that did not answer.
        void t.worker.terminate().catch(() => undefined);
        thread = undefined;
      }
      state = 'closed';
      const abandoned = [...(current?.members ?? []), ...queue.splice(0)];
      current = undefined;
      for (const p of abandoned) {
        p.reject(new StorageError(`storage: closed before the write finished (waited up to ${closeTimeoutMs} ms)`, { code: 'storage_closed' }));
      }
    },
  };
}
