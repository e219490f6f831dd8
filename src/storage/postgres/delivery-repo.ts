// DeliveryRepo on PostgreSQL: the partner delivery log and each partner's cursor, the twin of
// sqlite/delivery-repo.ts. A batch is four statements whatever its size (arrays through
// unnest), in one transaction of kind 'none' (nothing a feed shows depends on it).
import type { Delivery, IsoDate } from '../../model/types.js';
import type { DeliveryRepo, DeliveryRow } from '../repos.js';
import type { PgContext } from './context.js';
import { toDelivery, type DeliveryLogRow } from '../delivery-rows.js';


const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function createDeliveryRepo(ctx: PgContext): DeliveryRepo {
  return {
    async append(rows: readonly DeliveryRow[]) {
      if (rows.length === 0) return;
      await ctx.tx(
        'record deliveries',
        async (t) => {
          // A partner removed since the request: its deliveries go with it. FOR KEY SHARE keeps
          // the others from being removed until this transaction ends.
          const partnerIds = [...new Set(rows.map((r) => r.partnerId))];
          const existing = new Set(
            (await t.many<{ id: number }>('SELECT id FROM partners WHERE id = ANY($1::bigint[]) ORDER BY id FOR KEY SHARE', [partnerIds])).map((r) => r.id),
          );
          const kept = rows.filter((r) => existing.has(r.partnerId));
          if (kept.length === 0) return;

          // Each distinct payload once, in hash order (concurrent batches lock shared payload
          // rows in one order). The no-op update returns an existing payload's id in the same
          // statement and locks it, so a delivery-log prune elsewhere cannot delete it meanwhile.
          const ps = [...new Map(kept.map((r) => [r.payload.hash, r.payload])).values()].sort((a, b) => byText(a.hash, b.hash));
          const payloadRows = await t.many<{ id: number; hash: string }>(
            `INSERT INTO delivery_payloads (hash, items, held_back, item_count, max_seq)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::bigint[])
             ON CONFLICT (hash) DO UPDATE SET hash = excluded.hash RETURNING id, hash`,
            [ps.map((p) => p.hash), ps.map((p) => p.itemsJson), ps.map((p) => p.heldBackJson ?? null), ps.map((p) => p.itemCount), ps.map((p) => p.maxSeq ?? null)],
          );
          const ids = new Map(payloadRows.map((r) => [r.hash, r.id]));

          // Ids follow the batch order, as on SQLite (deliveries at the same time list by id).
          await t.exec(
            `INSERT INTO deliveries (partner_id, at, feed, format, payload_id, count, last_at)
             SELECT partner_id, at, feed, format, payload_id, count, last_at
             FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::int[], $7::text[])
               WITH ORDINALITY AS u (partner_id, at, feed, format, payload_id, count, last_at, n)
             ORDER BY n`,
            [
              kept.map((r) => r.partnerId),
              kept.map((r) => r.at),
              kept.map((r) => r.channel),
              kept.map((r) => r.format),
              kept.map((r) => ids.get(r.payload.hash)!),
              kept.map((r) => r.count),
              kept.map((r) => (r.count > 1 ? (r.lastAt ?? null) : null)),
            ],
          );

          // Highest seq and latest time per partner in this batch: one cursor row each.
          const cursors = new Map<number, { maxSeq: number; at: string }>();
          for (const r of kept) {
            const seq = r.payload.maxSeq;
            if (seq === undefined) continue;
            const last = r.lastAt ?? r.at;
            const cur = cursors.get(r.partnerId);
            if (!cur) cursors.set(r.partnerId, { maxSeq: seq, at: last });
            else {
              cur.maxSeq = Math.max(cur.maxSeq, seq);
              if (last > cur.at) cur.at = last;
            }
          }
          if (cursors.size === 0) return;
          const cs = [...cursors].sort((a, b) => a[0] - b[0]);
          await t.exec(
            `INSERT INTO partner_cursors (partner_id, max_seq, last_delivery_at)
             SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[])
             ON CONFLICT (partner_id) DO UPDATE SET max_seq = greatest(partner_cursors.max_seq, excluded.max_seq),
               last_delivery_at = greatest(partner_cursors.last_delivery_at, excluded.last_delivery_at)`,
            [cs.map(([id]) => id), cs.map(([, v]) => v.maxSeq), cs.map(([, v]) => v.at)],
          );
        },
        { kind: 'none' },
      );
    },

    async list(partnerId: number, range: { from?: IsoDate; to?: IsoDate; limit: number }) {
      const where = ['d.partner_id = $1'];
      const params: (string | number)[] = [partnerId];
      if (range.from !== undefined) where.push(`d.at >= $${params.push(range.from)}`);
      if (range.to !== undefined) where.push(`d.at < $${params.push(range.to)}`);
      params.push(range.limit);
      return ctx.read('list deliveries', async (q) =>
        (
          await q.many<DeliveryLogRow>(
            `SELECT d.at, d.feed, d.format, p.items, p.held_back, d.count, d.last_at FROM deliveries d JOIN delivery_payloads p ON p.id = d.payload_id
             WHERE ${where.join(' AND ')} ORDER BY d.at, d.id LIMIT $${params.length}`,
            params,
          )
        ).map(toDelivery),
      );
    },

    async cursor(partnerId: number) {
      return ctx.read('partner cursor', async (q) => {
        const r = await q.one<{ max_seq: number; last_delivery_at: string }>('SELECT max_seq, last_delivery_at FROM partner_cursors WHERE partner_id = $1', [partnerId]);
        return r ? { maxSeq: r.max_seq, lastDeliveryAt: r.last_delivery_at } : undefined;
      });
    },

    async itemsSince(partnerId: number, since: IsoDate) {
      return ctx.read('count delivered items', async (q) => {
        const r = await q.one<{ n: number }>(
          'SELECT coalesce(sum(p.item_count * d.count), 0) AS n FROM deliveries d JOIN delivery_payloads p ON p.id = d.payload_id WHERE d.partner_id = $1 AND d.at >= $2',
          [partnerId, since],
        );
        return r!.n;
      });
    },

    async prune(olderThan: IsoDate) {
      // Look first, as the SQLite twin does: most hourly runs have nothing to delete.
      if (!(await ctx.read('deliveries to prune', (q) => q.one('SELECT 1 FROM deliveries WHERE at < $1 LIMIT 1', [olderThan])))) return 0;
      return ctx.tx(
        'prune deliveries',
        async (t) => {
          const n = await t.exec('DELETE FROM deliveries WHERE at < $1', [olderThan]);
          if (n) await t.exec('DELETE FROM delivery_payloads p WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.payload_id = p.id)');
          return n;
        },
        { kind: 'none' },
      );
    },
  };
}
