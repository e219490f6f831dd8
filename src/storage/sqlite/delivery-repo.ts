// DeliveryRepo on SQLite: the partner delivery log and each partner's cursor. Writes are
// `quiet` (nothing a feed shows depends on them) and come in batches from services/deliveries.
import type { Delivery, IsoDate } from '../../model/types.js';
import type { DeliveryRepo, DeliveryRow } from '../repos.js';
import type { SqliteContext } from './context.js';
import { toDelivery, type DeliveryLogRow } from '../delivery-rows.js';


/** Payload ids remembered across batches (a rendering is delivered many times). */
const PAYLOAD_MEMO = 4096;

export function createDeliveryRepo(ctx: SqliteContext): DeliveryRepo {
  const payloadIds = new Map<string, number>();

  return {
    async append(rows: readonly DeliveryRow[]) {
      if (rows.length === 0) return;
      ctx.write(
        'record deliveries',
        () => {
          const insertPayload = ctx.stmt(
            'INSERT INTO delivery_payloads (hash, items, held_back, item_count, max_seq) VALUES (?, ?, ?, ?, ?) ON CONFLICT (hash) DO NOTHING',
          );
          const payloadId = ctx.stmt('SELECT id FROM delivery_payloads WHERE hash = ?').pluck();
          const insert = ctx.stmt('INSERT INTO deliveries (partner_id, at, feed, format, payload_id, count, last_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
          const cursor = ctx.stmt(
            `INSERT INTO partner_cursors (partner_id, max_seq, last_delivery_at) VALUES (?, ?, ?)
             ON CONFLICT (partner_id) DO UPDATE SET max_seq = max(max_seq, excluded.max_seq), last_delivery_at = max(last_delivery_at, excluded.last_delivery_at)`,
          );
          const partnerExists = ctx.stmt('SELECT 1 FROM partners WHERE id = ?').pluck();
          const known = new Map<number, boolean>();
          // Highest seq and latest time per partner in this batch: one cursor write each.
          const cursors = new Map<number, { maxSeq: number; at: string }>();
          for (const r of rows) {
            // A partner removed since the request: its deliveries go with it.
            let exists = known.get(r.partnerId);
            if (exists === undefined) known.set(r.partnerId, (exists = partnerExists.get(r.partnerId) !== undefined));
            if (!exists) continue;
            const p = r.payload;
            let id = payloadIds.get(p.hash);
            if (id === undefined) {
              insertPayload.run(p.hash, p.itemsJson, p.heldBackJson ?? null, p.itemCount, p.maxSeq ?? null);
              id = payloadId.get(p.hash) as number;
              if (payloadIds.size >= PAYLOAD_MEMO) payloadIds.clear();
              payloadIds.set(p.hash, id);
            }
            insert.run(r.partnerId, r.at, r.channel, r.format, id, r.count, r.count > 1 ? (r.lastAt ?? null) : null);
            if (p.maxSeq !== undefined) {
              const c = cursors.get(r.partnerId);
              if (!c) cursors.set(r.partnerId, { maxSeq: p.maxSeq, at: r.lastAt ?? r.at });
              else {
                c.maxSeq = Math.max(c.maxSeq, p.maxSeq);
                const last = r.lastAt ?? r.at;
                if (last > c.at) c.at = last;
              }
            }
          }
          for (const [partnerId, c] of cursors) cursor.run(partnerId, c.maxSeq, c.at);
        },
        { quiet: true },
      );
    },

    async list(partnerId: number, range: { from?: IsoDate; to?: IsoDate; limit: number }) {
      return ctx.read('list deliveries', () =>
        (
          ctx
            .stmt(
              `SELECT d.at, d.feed, d.format, p.items, p.held_back, d.count, d.last_at FROM deliveries d JOIN delivery_payloads p ON p.id = d.payload_id
               WHERE d.partner_id = ? AND d.at >= ? AND d.at < ? ORDER BY d.at, d.id LIMIT ?`,
            )
            .all(partnerId, range.from ?? '', range.to ?? '\uffff', range.limit) as DeliveryLogRow[]
        ).map(toDelivery),
      );
    },

    async cursor(partnerId: number) {
      return ctx.read('partner cursor', () => {
        const r = ctx.stmt('SELECT max_seq, last_delivery_at FROM partner_cursors WHERE partner_id = ?').get(partnerId) as
          | { max_seq: number; last_delivery_at: string }
          | undefined;
        return r ? { maxSeq: r.max_seq, lastDeliveryAt: r.last_delivery_at } : undefined;
      });
    },

    async itemsSince(partnerId: number, since: IsoDate) {
      return ctx.read('count delivered items', () =>
        ctx
          .stmt('SELECT coalesce(sum(p.item_count * d.count), 0) FROM deliveries d JOIN delivery_payloads p ON p.id = d.payload_id WHERE d.partner_id = ? AND d.at >= ?')
          .pluck()
          .get(partnerId, since) as number,
      );
    },

    async prune(olderThan: IsoDate) {
      // A write waits for SQLite's write lock on the main thread (behind a busy ingest): only
      // take it when a delivery is old enough to go.
      if (ctx.read('deliveries to prune', () => ctx.stmt('SELECT 1 FROM deliveries WHERE at < ? LIMIT 1').get(olderThan)) === undefined) return 0;
      return ctx.write(
        'prune deliveries',
        () => {
          const n = ctx.stmt('DELETE FROM deliveries WHERE at < ?').run(olderThan).changes;
          if (n) {
            ctx.stmt('DELETE FROM delivery_payloads WHERE id NOT IN (SELECT payload_id FROM deliveries)').run();
            payloadIds.clear();
          }
          return n;
        },
        { quiet: true },
      );
    },
  };
}
