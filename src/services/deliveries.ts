// The partner delivery log (README "Delivery log"): for every partner 200, which article
// revisions (id + seq) it carried, when, through which feed and format, and what the rights
// policy left out. Recording is a push onto an in-memory batch (the item list is serialized
// once per rendered feed, not per request); a timer writes the batch every second in one
// transaction, off the request path. A crash loses at most the last second; a clean shutdown
// (close) loses nothing.
import { ValidationError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Delivery, OutputFormat, IsoDate, Partner, PartnerCursor } from '../model/types.js';
import { createHash } from 'node:crypto';
import type { DeliveryPayload, DeliveryRow, Storage } from '../storage/repos.js';
import type { FeedTarget, RenderedFeed } from './types.js';

export const DEFAULT_FLUSH_MS = 1000;
/** A batch this large is written at once rather than waiting for the timer. */
const MAX_BATCH = 2000;
export const MAX_EXPORT = 100_000;

export interface DeliveryLog {
  /** Notes one delivery; cheap and synchronous (the request path calls it). */
  record(partnerId: number, target: FeedTarget, format: OutputFormat, feed: RenderedFeed, atMs: number): void;
  /** Writes what is pending now. */
  flush(): Promise<void>;
  list(partner: Partner, range: { from?: IsoDate; to?: IsoDate; limit?: number }): Promise<Delivery[]>;
  cursor(partner: Partner): Promise<PartnerCursor>;
  /** Items delivered to a partner since `since` (with what is still pending). */
  itemsSince(partnerId: number, since: IsoDate): Promise<number>;
  /** Deletes deliveries older than `olderThan` (cursors stay). */
  prune(olderThan: Date): Promise<number>;
  close(): Promise<void>;
}

/** `from`/`to` query values: RFC 3339 dates or times, normalized to what the log stores. */
export function parseInstant(v: string | undefined, name: string): IsoDate | undefined {
  if (v === undefined || v === '') return undefined;
  const ms = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(ms)) throw new ValidationError('invalid_query', `query: ${name} must be an RFC 3339 date or date-time, e.g. 2025-12-01 or 2025-12-01T00:00:00Z`, 400);
  return new Date(ms).toISOString();
}

function csvField(v: string | number | undefined): string {
  const s = v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV, one row per delivered (or held-back) item. */
export function deliveriesCsv(list: readonly Delivery[]): string {
  const rows = ['at,channel,format,id,seq,delivered,count,last_at,note'];
  for (const d of list) {
    const n = d.count ?? 1;
    for (const i of d.items) rows.push([d.at, d.channel, d.format, i.id, i.seq, 'yes', n, d.lastAt, i.omittedAssets?.length ? `omitted assets: ${i.omittedAssets.join(' ')}` : undefined].map(csvField).join(','));
    for (const h of d.heldBack ?? []) rows.push([d.at, d.channel, d.format, h.id, h.seq, 'no', n, d.lastAt, `held back: ${h.reason}`].map(csvField).join(','));
  }
  return rows.join('\r\n') + '\r\n';
}

export function feedName(target: FeedTarget): string {
  return target.kind === 'source' ? `sources/${target.slug}` : target.slug;
}

export function createDeliveryLog(deps: { storage: Storage; log?: Logger; flushMs?: number }): DeliveryLog {
  const repo = deps.storage.deliveries;
  const serialized = new WeakMap<RenderedFeed, DeliveryPayload>();
  // Times stay numbers until the batch is written: toISOString costs more than the rest of record().
  // Identical deliveries in one batch (same partner, feed, format, payload) share one entry,
  // found by payload hash, then partner, then feed and format (nearly always one per partner):
  // no key string is built per request. `batch` keeps the entries in the order they came.
  type Pending = Omit<DeliveryRow, 'at' | 'lastAt'> & { atMs: number; lastMs: number };
  let pending = new Map<string, Map<number, Pending[]>>();
  let batch: Pending[] = [];
  let writing: Promise<void> = Promise.resolve();
  let closed = false;
  const timer = setInterval(() => void flush(), deps.flushMs ?? DEFAULT_FLUSH_MS);
  timer.unref();

  /** Once per rendered feed, however often it is delivered. */
  function payloadOf(feed: RenderedFeed): DeliveryPayload {
    let p = serialized.get(feed);
    if (!p) {
      const itemsJson = JSON.stringify(feed.items);
      const heldBackJson = feed.heldBack?.length ? JSON.stringify(feed.heldBack) : undefined;
      const hash = createHash('sha256').update(itemsJson).update('\u0000').update(heldBackJson ?? '').digest('base64url');
      p = { hash, itemsJson, itemCount: feed.items.length, ...(heldBackJson ? { heldBackJson } : {}), ...(feed.maxSeq !== undefined ? { maxSeq: feed.maxSeq } : {}) };
      serialized.set(feed, p);
    }
    return p;
  }

  function flush(): Promise<void> {
    if (batch.length === 0) return writing;
    const rows: DeliveryRow[] = batch.map(({ atMs, lastMs, ...r }) => ({
      ...r,
      at: new Date(atMs).toISOString(),
      ...(r.count > 1 ? { lastAt: new Date(lastMs).toISOString() } : {}),
    }));
    pending = new Map();
    batch = [];
    // One batch at a time, in order: the cursor only moves forward anyway, but rows keep order.
    writing = writing.then(() =>
      repo.append(rows).catch((err: unknown) => {
        deps.log?.error({ err: (err as Error).message, rows: rows.length }, 'delivery log batch not written');
      }),
    );
    return writing;
  }

  return {
    record(partnerId, target, format, feed, atMs) {
      if (closed) return;
      const payload = payloadOf(feed);
      const channel = feedName(target);
      let byPartner = pending.get(payload.hash);
      if (!byPartner) pending.set(payload.hash, (byPartner = new Map()));
      let entries = byPartner.get(partnerId);
      if (!entries) byPartner.set(partnerId, (entries = []));
      for (const same of entries) {
        if (same.channel !== channel || same.format !== format) continue;
        same.count++;
        same.lastMs = atMs;
        return;
      }
      const entry: Pending = { partnerId, atMs, lastMs: atMs, count: 1, channel, format, payload };
      entries.push(entry);
      batch.push(entry);
      if (batch.length >= MAX_BATCH) void flush();
    },

    flush,

    async list(partner, range) {
      const limit = range.limit ?? MAX_EXPORT;
      await flush();
      return repo.list(partner.id, { from: range.from, to: range.to, limit });
    },

    async cursor(partner) {
      await flush();
      const [c, newestSeq] = await Promise.all([repo.cursor(partner.id), deps.storage.articles.maxSeq()]);
      const cursor = c?.maxSeq ?? 0;
      return { cursor, newestSeq, lag: Math.max(0, newestSeq - cursor), ...(c ? { lastDeliveryAt: c.lastDeliveryAt } : {}) };
    },

    async itemsSince(partnerId, since) {
      await flush();
      return repo.itemsSince(partnerId, since);
    },

    async prune(olderThan) {
      await flush();
      return repo.prune(olderThan.toISOString());
    },

    async close() {
      clearInterval(timer);
      await flush();
      closed = true;
    },
  };
}
