// decode → parse → normalize (DESIGN.md §1 steps 4–6). Large documents are processed in a
// worker thread so a 10 MB feed never stalls the server's event loop; small ones run inline,
// where a thread hop would cost more than it saves.
import type { Worker } from 'node:worker_threads';
import { ParseError, WirefeedError, errorMessage, reviveError, serializeError, type SerializedError } from '../errors.js';
import type { NormalizedFeed } from '../model/types.js';
import { importSibling } from '../lazy-import.js';
import { siblingModuleUrl, startWorker } from '../worker-thread.js';
import type { ProcessFeed, ProcessOptions } from './types.js';

/**
 * The whole pipeline on the current thread (on a re-fetch, for the items not known yet); the
 * pipeline's modules are loaded on the first call (process-inline.ts).
 */
export async function processFeedInline(bytes: Buffer, opts: ProcessOptions): Promise<NormalizedFeed> {
  const inline = await importSibling<typeof import('./process-inline.js')>(import.meta.url, 'process-inline');
  return inline.processFeedInline(bytes, opts);
}

// ---- worker protocol ----

export interface ProcessJob {
  id: number;
  bytes: Uint8Array;
  opts: ProcessOptions;
}

export type ProcessReply = { id: number; ok: true; feed: NormalizedFeed } | { id: number; ok: false; error: SerializedError };

/** Items of a reply sent ahead of it, so the main thread deserializes a big feed in slices. */
export interface ProcessItemsPart {
  id: number;
  items: NormalizedFeed['items'];
}

export type ProcessMessage = ProcessReply | ProcessItemsPart;

/**
 * Items per message back to the main thread. Deserializing a 10 MiB feed's 3,000 items in one
 * message takes tens of ms on the main thread; slices let the event loop run between them.
 */
export const REPLY_CHUNK_ITEMS = 200;

/** The messages that carry `reply`: item slices first, then the reply with what is left. */
export function replyMessages(reply: ProcessReply, chunk = REPLY_CHUNK_ITEMS): ProcessMessage[] {
  if (!reply.ok || reply.feed.items.length <= chunk) return [reply];
  const items = reply.feed.items;
  const out: ProcessMessage[] = [];
  for (let i = 0; i < items.length - chunk; i += chunk) out.push({ id: reply.id, items: items.slice(i, i + chunk) });
  const sent = out.length * chunk;
  out.push({ ...reply, feed: { ...reply.feed, items: items.slice(sent) } });
  return out;
}

/** Runs one job and never throws: errors travel back as data (structured clone drops classes). */
export async function runProcessJob(job: ProcessJob): Promise<ProcessReply> {
  try {
    const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
    return { id: job.id, ok: true, feed: await processFeedInline(bytes, job.opts) };
  } catch (err) {
    return { id: job.id, ok: false, error: serializeError(err, 'process_failed') };
  }
}

// ---- the processor ----

export interface FeedProcessorOptions {
  /** Documents larger than this many bytes are processed in a worker thread. */
  workerThresholdBytes: number;
  /** Worker threads at most (default 1). */
  workers?: number;
  /** Worker entry module; defaults to process-worker next to this file (.ts under tsx, .js built). */
  workerUrl?: URL;
  /**
   * A worker idle this long is stopped, giving its heap and thread back; the next document
   * starts one again (tens of ms). 0 keeps workers for good. Default WORKER_IDLE_MS.
   */
  idleMs?: number;
  /**
   * Old-generation heap of each parse worker, in MiB (default PARSE_HEAP_MB). A document whose
   * parse needs more fails alone, with ParseError code `too_large_to_parse`, and the worker is
   * replaced: the process's memory is bounded by this, not by the largest document it meets.
   */
  heapMb?: number;
}

/**
 * Default parse-worker heap (FeedProcessorOptions.heapMb). Measured on RSS documents at the
 * 10 MiB body cap: 3,000–3,300 items of 3 KB need 48–64 MiB, 40,000 items of 50 bytes 96–128.
 */
export const PARSE_HEAP_MB = 128;

/** Idle time after which a parse worker leaves (FeedProcessorOptions.idleMs). */
export const WORKER_IDLE_MS = 30_000;

export interface FeedProcessor {
  process: ProcessFeed;
  close(): Promise<void>;
}

/**
 * Documents at least this large are "big": parsing one builds an object tree many times its
 * size, so big documents are parsed one at a time (whatever the worker count) and the worker
 * that parsed one is retired afterwards, giving its whole heap back instead of keeping it at
 * its high-water mark. Measured with `npm run bench -- hostile-memory`.
 */
export const BIG_DOCUMENT_BYTES = 1 << 20;

interface Pending {
  bytes: Buffer;
  opts: ProcessOptions;
  big: boolean;
  resolve: (feed: NormalizedFeed) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  current?: Pending & { id: number };
  /** Item slices received ahead of the current job's reply. */
  parts: NormalizedFeed['items'][];
  dead: boolean;
  /** Set while the worker waits for work: stops it when it fires. */
  idleTimer?: NodeJS.Timeout;
}

function defaultWorkerUrl(): URL {
  return siblingModuleUrl(import.meta.url, 'process-worker');
}

export function createFeedProcessor(options: FeedProcessorOptions): FeedProcessor {
  const maxWorkers = Math.max(1, options.workers ?? 1);
  const workerUrl = options.workerUrl ?? defaultWorkerUrl();
  const idleMs = options.idleMs ?? WORKER_IDLE_MS;
  const heapMb = options.heapMb ?? PARSE_HEAP_MB;
  const slots: Slot[] = [];
  const queue: Pending[] = [];
  let nextId = 1;
  let closed = false;

  const retire = (slot: Slot, why: string, outOfMemory = false): void => {
    if (slot.dead) return;
    slot.dead = true;
    slots.splice(slots.indexOf(slot), 1);
    const job = slot.current;
    slot.current = undefined;
    slot.parts = [];
    job?.reject(
      outOfMemory
        ? new ParseError(`parse: document too large to parse in ${heapMb} MiB (${(job.bytes.byteLength / (1 << 20)).toFixed(1)} MiB body; WIREFEED_PARSE_HEAP_MB)`, { code: 'too_large_to_parse' })
        : new WirefeedError('worker_crashed', `process: worker crashed while processing a document (${why})`),
    );
    // The replacement is started on demand by the next dispatch.
    dispatch();
  };

  const spawn = (): Slot => {
    // A small young generation: parsing churns short-lived objects, and each worker's default
    // semi-spaces would otherwise add tens of MB of RSS per worker for little speed.
    const worker = startWorker(workerUrl, { resourceLimits: { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: heapMb } });
    const slot: Slot = { worker, parts: [], dead: false };
    worker.on('message', (msg: ProcessMessage) => {
      const job = slot.current;
      if (!job || job.id !== msg.id) return;
      if (!('ok' in msg)) {
        slot.parts.push(msg.items);
        return;
      }
      const parts = slot.parts;
      slot.parts = [];
      slot.current = undefined;
      worker.unref();
      if (job.big) recycle(slot);
      else if (idleMs > 0) {
        slot.idleTimer = setTimeout(() => {
          if (!slot.current && !slot.dead) recycle(slot);
        }, idleMs);
        slot.idleTimer.unref();
      }
      if (msg.ok) job.resolve(parts.length ? { ...msg.feed, items: [...parts.flat(), ...msg.feed.items] } : msg.feed);
      else job.reject(reviveError(msg.error));
      dispatch();
    });
    // Node ends a worker that reaches its heap limit with ERR_WORKER_OUT_OF_MEMORY.
    worker.on('error', (err) => retire(slot, errorMessage(err), (err as { code?: string }).code === 'ERR_WORKER_OUT_OF_MEMORY'));
    worker.on('exit', (code) => retire(slot, `exit code ${code}`));
    slots.push(slot);
    return slot;
  };

  /** A worker that parsed a big document leaves: its heap goes back to the system at once. */
  function recycle(slot: Slot): void {
    clearTimeout(slot.idleTimer);
    slot.dead = true;
    slots.splice(slots.indexOf(slot), 1);
    void slot.worker.terminate();
  }

  function dispatch(): void {
    while (queue.length > 0 && !closed) {
      // One big document at a time; small ones pass it in the queue.
      const bigRunning = slots.some((s) => s.current?.big);
      const index = queue.findIndex((p) => !p.big || !bigRunning);
      if (index < 0) return;
      const slot = slots.find((s) => !s.current && !s.dead) ?? (slots.length < maxWorkers ? spawn() : undefined);
      if (!slot) return;
      const pending = queue.splice(index, 1)[0]!;
      // A private copy, made only now so queued documents are held once: Buffers often view a
      // shared pool, which must not be transferred away.
      const copy = new Uint8Array(pending.bytes.byteLength);
      copy.set(pending.bytes);
      const id = nextId++;
      clearTimeout(slot.idleTimer);
      slot.current = { ...pending, id };
      slot.worker.ref();
      const job: ProcessJob = { id, bytes: copy, opts: pending.opts };
      slot.worker.postMessage(job, [copy.buffer]);
    }
  }

  const inWorker = (bytes: Buffer, opts: ProcessOptions): Promise<NormalizedFeed> =>
    new Promise((resolve, reject) => {
      queue.push({ bytes, opts, big: bytes.byteLength >= BIG_DOCUMENT_BYTES, resolve, reject });
      dispatch();
    });

  return {
    async process(bytes, opts) {
      if (closed) throw new WirefeedError('processor_closed', 'process: the feed processor is closed');
      return bytes.byteLength > options.workerThresholdBytes ? inWorker(bytes, opts) : processFeedInline(bytes, opts);
    },
    async close() {
      closed = true;
      for (const p of queue.splice(0)) p.reject(new WirefeedError('processor_closed', 'process: the feed processor is closed'));
      const all = slots.splice(0);
      for (const s of all) {
        clearTimeout(s.idleTimer);
        s.dead = true;
        s.current?.reject(new WirefeedError('processor_closed', 'process: the feed processor is closed'));
      }
      await Promise.all(all.map((s) => s.worker.terminate()));
    },
  };
}
