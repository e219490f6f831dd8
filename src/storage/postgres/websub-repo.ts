// WebSub bookkeeping on PostgreSQL, the twin of sqlite/websub-repo.ts: hub subscriptions,
// per-topic push state, the delivery queue and our own subscriptions at source hubs. Every
// write is quiet: none of this is feed content, so it must not move dataVersion().
import type { IsoDate } from '../../model/types.js';
import type { HubSubscription, PendingDelivery, SourceSubscription, TopicState, TopicStream } from '../../model/websub.js';
import type { WebSubRepo } from '../repos.js';
import { compact, type Nullable } from '../rows.js';
import { SOURCE_SUB_COLUMNS, toSourceSubscription, toSubscription, type SourceSubscriptionRow, type SubscriptionRow } from '../websub-rows.js';
import type { PgContext, PgQuery } from './context.js';

const SUBSCRIPTION_COLUMNS =
  'id, topic, callback, callback_host, secret, key_id, variant, lease_seconds, expires_at, created_at, verified_at, delivered, failed_attempts, dropped, last_delivery_at, last_error';

const SOURCE_SUBSCRIPTION_COLUMNS = `source_id, ${Object.values(SOURCE_SUB_COLUMNS).join(', ')}`;

export function createWebSubRepo(ctx: PgContext): WebSubRepo {
  // Bookkeeping no output depends on: no commit notice, no data version move.
  const quiet = { kind: 'none' } as const;
  /** Pushed bodies no queued delivery refers to any more. */
  const ORPHAN_CONTENTS = 'FROM websub_contents c WHERE NOT EXISTS (SELECT 1 FROM websub_deliveries d WHERE d.content_id = c.id)';
  const count = async (q: PgQuery, sql: string, params: string[] = []) => (await q.one<{ n: number }>(sql, params))!.n;

  return {
    async saveSubscription(s) {
      return ctx.tx(
        'save websub subscription',
        async (t) => {
          // A renewal keeps the row (and its counters); lease and secret are replaced (§5.1).
          const row = await t.one<SubscriptionRow>(
            `INSERT INTO websub_subscriptions (topic, callback, callback_host, secret, key_id, variant, lease_seconds, expires_at, created_at, verified_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
             ON CONFLICT (topic, callback) DO UPDATE SET secret = excluded.secret, key_id = excluded.key_id, variant = excluded.variant,
               lease_seconds = excluded.lease_seconds, expires_at = excluded.expires_at, verified_at = excluded.verified_at,
               callback_host = excluded.callback_host
             RETURNING ${SUBSCRIPTION_COLUMNS}`,
            [s.topic, s.callback, s.callbackHost, s.secret ?? null, s.keyId ?? null, s.variant, s.leaseSeconds, s.expiresAt, s.now],
          );
          return toSubscription(row!);
        },
        quiet,
      );
    },

    async removeSubscription(topic, callback) {
      return ctx.tx('remove websub subscription', async (t) => (await t.exec('DELETE FROM websub_subscriptions WHERE topic = $1 AND callback = $2', [topic, callback])) > 0, quiet);
    },

    async removeSubscriptionsByKey(keyId) {
      return ctx.tx('remove websub subscriptions of a key', (t) => t.exec('DELETE FROM websub_subscriptions WHERE key_id = $1', [keyId]), quiet);
    },

    async getSubscription(topic, callback) {
      return ctx.read('get websub subscription', async (q) => {
        const r = await q.one<SubscriptionRow>(`SELECT ${SUBSCRIPTION_COLUMNS} FROM websub_subscriptions WHERE topic = $1 AND callback = $2`, [topic, callback]);
        return r ? toSubscription(r) : undefined;
      });
    },

    async listSubscriptions(filter) {
      return ctx.read('list websub subscriptions', async (q) => {
        const rows =
          filter?.topic !== undefined
            ? await q.many<SubscriptionRow>(`SELECT ${SUBSCRIPTION_COLUMNS} FROM websub_subscriptions WHERE topic = $1 ORDER BY id`, [filter.topic])
            : await q.many<SubscriptionRow>(`SELECT ${SUBSCRIPTION_COLUMNS} FROM websub_subscriptions ORDER BY id`);
        return rows.map(toSubscription);
      });
    },

    async countSubscriptions(filter) {
      return ctx.read('count websub subscriptions', async (q) => {
        if (filter.topic !== undefined) return count(q, 'SELECT count(*) AS n FROM websub_subscriptions WHERE topic = $1', [filter.topic]);
        if (filter.callbackHost !== undefined) return count(q, 'SELECT count(*) AS n FROM websub_subscriptions WHERE callback_host = $1', [filter.callbackHost]);
        return count(q, 'SELECT count(*) AS n FROM websub_subscriptions');
      });
    },

    async expireSubscriptions(now) {
      // Called whenever the data version moves: look first, write only when a lease has ended.
      if (!(await ctx.read('websub leases ended', (q) => q.one('SELECT 1 FROM websub_subscriptions WHERE expires_at <= $1 LIMIT 1', [now])))) return 0;
      return ctx.tx(
        'expire websub subscriptions',
        async (t) => {
          // Deliveries still queued for them are dropped with them (ON DELETE CASCADE).
          const n = await t.exec('DELETE FROM websub_subscriptions WHERE expires_at <= $1', [now]);
          if (n > 0) await t.exec(`DELETE ${ORPHAN_CONTENTS}`);
          return n;
        },
        quiet,
      );
    },

    async activeStreams(now) {
      return ctx.read('websub topics', async (q) => {
        const rows = await q.many<{ topic: string; variant: string; key_ids: string[] }>(
          `SELECT topic, variant, coalesce(array_agg(key_id ORDER BY id) FILTER (WHERE key_id IS NOT NULL), '{}') AS key_ids
           FROM websub_subscriptions WHERE expires_at > $1 GROUP BY topic, variant ORDER BY topic, variant`,
          [now],
        );
        return rows.map((r): TopicStream => ({ topic: r.topic, variant: r.variant, keyIds: r.key_ids }));
      });
    },

    async getTopicState(topic, variant) {
      return ctx.read('websub topic state', async (q) => {
        const r = await q.one<{ etag: Nullable<string>; last_seq: Nullable<number> }>('SELECT etag, last_seq FROM websub_topics WHERE topic = $1 AND variant = $2', [topic, variant]);
        return r ? compact<TopicState>({ etag: r.etag, lastSeq: r.last_seq }) : undefined;
      });
    },

    async setTopicState(topic, variant, state) {
      await ctx.tx(
        'set websub topic state',
        (t) =>
          t.exec(
            `INSERT INTO websub_topics (topic, variant, etag, last_seq) VALUES ($1, $2, $3, $4)
             ON CONFLICT (topic, variant) DO UPDATE SET etag = excluded.etag, last_seq = excluded.last_seq`,
            [topic, variant, state.etag ?? null, state.lastSeq ?? null],
          ),
        quiet,
      );
    },

    async enqueue(content, now) {
      return ctx.tx(
        'enqueue websub deliveries',
        async (t) => {
          if (content.fullFeed) {
            // A full feed supersedes a full feed still waiting for the same subscriber: only the
            // newest state of the topic is worth delivering.
            await t.exec(
              `DELETE FROM websub_deliveries d USING websub_contents c
               WHERE c.id = d.content_id AND c.topic = $1 AND c.variant = $2 AND c.full_feed`,
              [content.topic, content.variant],
            );
          }
          const inserted = await t.one<{ id: number }>(
            'INSERT INTO websub_contents (topic, variant, content_type, body, full_feed, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
            [content.topic, content.variant, content.contentType, content.body, content.fullFeed, now],
          );
          const contentId = inserted!.id;
          const n = await t.exec(
            `INSERT INTO websub_deliveries (subscription_id, content_id, next_attempt_at)
             SELECT id, $1, $2 FROM websub_subscriptions WHERE topic = $3 AND variant = $4 AND expires_at > $2 ORDER BY id`,
            [contentId, now, content.topic, content.variant],
          );
          if (n === 0) await t.exec('DELETE FROM websub_contents WHERE id = $1', [contentId]);
          await t.exec(`DELETE ${ORPHAN_CONTENTS} AND c.topic = $1`, [content.topic]);
          return n;
        },
        quiet,
      );
    },

    async dueDeliveries(now, limit) {
      return ctx.read('due websub deliveries', async (q) => {
        const rows = await q.many<{
          id: number;
          subscription_id: number;
          attempts: number;
          topic: string;
          callback: string;
          secret: Nullable<string>;
          key_id: Nullable<string>;
          expires_at: string;
          content_type: string;
          content_id: number;
          created_at: string;
        }>(
          `SELECT d.id, d.subscription_id, d.attempts, s.topic, s.callback, s.secret, s.key_id, s.expires_at,
                  c.content_type, c.id AS content_id, c.created_at
           FROM websub_deliveries d
           JOIN websub_subscriptions s ON s.id = d.subscription_id
           JOIN websub_contents c ON c.id = d.content_id
           WHERE d.next_attempt_at <= $1
           ORDER BY d.next_attempt_at, d.id LIMIT $2`,
          [now, limit],
        );
        return rows.map((r) =>
          compact<PendingDelivery>({
            id: r.id,
            subscriptionId: r.subscription_id,
            topic: r.topic,
            callback: r.callback,
            secret: r.secret,
            keyId: r.key_id,
            contentType: r.content_type,
            contentId: r.content_id,
            attempts: r.attempts,
            createdAt: r.created_at,
            expiresAt: r.expires_at,
          }),
        );
      });
    },

    async nextDeliveryAt() {
      return ctx.read('next websub delivery', async (q) => (await q.one<{ at: Nullable<IsoDate> }>('SELECT min(next_attempt_at) AS at FROM websub_deliveries'))!.at ?? undefined);
    },

    async pendingDeliveries() {
      return ctx.read('count websub deliveries', (q) => count(q, 'SELECT count(*) AS n FROM websub_deliveries'));
    },

    async contentBody(id) {
      return ctx.read('websub content', async (q) => (await q.one<{ body: Buffer }>('SELECT body FROM websub_contents WHERE id = $1', [id]))?.body);
    },

    async deliveriesSucceeded(ds, now) {
      if (ds.length === 0) return;
      await ctx.tx(
        'websub deliveries done',
        async (t) => {
          await t.exec('DELETE FROM websub_deliveries WHERE id = ANY($1::bigint[])', [ds.map((d) => d.id)]);
          // A subscription may have several deliveries in the batch: each one counts.
          await t.exec(
            `UPDATE websub_subscriptions s SET delivered = s.delivered + u.n, last_delivery_at = $2, last_error = NULL
             FROM (SELECT id, count(*) AS n FROM unnest($1::bigint[]) AS id GROUP BY id) u WHERE s.id = u.id`,
            [ds.map((d) => d.subscriptionId), now],
          );
        },
        quiet,
      );
    },

    async deliveryFailed(d, error, retryAt) {
      await ctx.tx(
        'websub delivery failed',
        async (t) => {
          if (retryAt === undefined) {
            await t.exec('DELETE FROM websub_deliveries WHERE id = $1', [d.id]);
            await t.exec('UPDATE websub_subscriptions SET failed_attempts = failed_attempts + 1, dropped = dropped + 1, last_error = $1 WHERE id = $2', [error, d.subscriptionId]);
          } else {
            await t.exec('UPDATE websub_deliveries SET attempts = attempts + 1, next_attempt_at = $1, last_error = $2 WHERE id = $3', [retryAt, error, d.id]);
            await t.exec('UPDATE websub_subscriptions SET failed_attempts = failed_attempts + 1, last_error = $1 WHERE id = $2', [error, d.subscriptionId]);
          }
        },
        quiet,
      );
    },

    async stats() {
      return ctx.read('websub stats', async (q) => {
        const s = (await q.one<{ n: number; d: number; f: number; x: number }>(
          'SELECT count(*) AS n, coalesce(sum(delivered), 0) AS d, coalesce(sum(failed_attempts), 0) AS f, coalesce(sum(dropped), 0) AS x FROM websub_subscriptions',
        ))!;
        const pending = await count(q, 'SELECT count(*) AS n FROM websub_deliveries');
        const sources = { requested: 0, active: 0, failed: 0 };
        for (const r of await q.many<{ state: keyof typeof sources; n: number }>('SELECT state, count(*) AS n FROM websub_source_subscriptions GROUP BY state')) sources[r.state] = r.n;
        return { subscriptions: s.n, pending, delivered: s.d, failedAttempts: s.f, dropped: s.x, sources };
      });
    },

    async pruneContents() {
      // Runs after every delivery run: write only when there is something to delete.
      if (!(await ctx.read('websub orphan contents', (q) => q.one(`SELECT 1 ${ORPHAN_CONTENTS} LIMIT 1`)))) return;
      await ctx.tx('prune websub contents', (t) => t.exec(`DELETE ${ORPHAN_CONTENTS}`), quiet);
    },

    async getSourceSubscription(sourceId) {
      return ctx.read('get source subscription', async (q) => {
        const r = await q.one<SourceSubscriptionRow>(`SELECT ${SOURCE_SUBSCRIPTION_COLUMNS} FROM websub_source_subscriptions WHERE source_id = $1`, [sourceId]);
        return r ? toSourceSubscription(r) : undefined;
      });
    },

    async findSourceSubscription(token) {
      return ctx.read('find source subscription', async (q) => {
        const r = await q.one<SourceSubscriptionRow>(`SELECT ${SOURCE_SUBSCRIPTION_COLUMNS} FROM websub_source_subscriptions WHERE token = $1`, [token]);
        return r ? toSourceSubscription(r) : undefined;
      });
    },

    async listSourceSubscriptions() {
      return ctx.read('list source subscriptions', async (q) =>
        (await q.many<SourceSubscriptionRow>(`SELECT ${SOURCE_SUBSCRIPTION_COLUMNS} FROM websub_source_subscriptions ORDER BY source_id`)).map(toSourceSubscription),
      );
    },

    async saveSourceSubscription(s) {
      // A new request keeps the push counters (pushes, rejected, last_push_at) of the row it replaces.
      await ctx.tx(
        'save source subscription',
        (t) =>
          t.exec(
            `INSERT INTO websub_source_subscriptions (source_id, hub, topic, token, secret, pending_secret, state, lease_until, requested_at, verified_at, last_push_at, pushes, rejected, last_error)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
             ON CONFLICT (source_id) DO UPDATE SET hub = excluded.hub, topic = excluded.topic, token = excluded.token, secret = excluded.secret,
               pending_secret = excluded.pending_secret, state = excluded.state, lease_until = excluded.lease_until, requested_at = excluded.requested_at,
               verified_at = excluded.verified_at, last_error = excluded.last_error`,
            [
              s.sourceId,
              s.hub,
              s.topic,
              s.token,
              s.secret,
              s.pendingSecret ?? null,
              s.state,
              s.leaseUntil ?? null,
              s.requestedAt,
              s.verifiedAt ?? null,
              s.lastPushAt ?? null,
              s.pushes,
              s.rejected,
              s.lastError ?? null,
            ],
          ),
        quiet,
      );
    },

    async updateSourceSubscription(sourceId, patch) {
      const sets: string[] = [];
      const values: (string | number | null)[] = [];
      for (const [k, v] of Object.entries(patch) as [keyof typeof SOURCE_SUB_COLUMNS, string | number | undefined][]) {
        const col = SOURCE_SUB_COLUMNS[k];
        if (!col) continue;
        sets.push(`${col} = $${values.push(v ?? null)}`);
      }
      if (sets.length === 0) return;
      await ctx.tx('update source subscription', (t) => t.exec(`UPDATE websub_source_subscriptions SET ${sets.join(', ')} WHERE source_id = $${values.push(sourceId)}`, values), quiet);
    },

    async countSourcePush(sourceId, field, now) {
      await ctx.tx(
        'count source push',
        (t) =>
          field === 'pushes'
            ? t.exec('UPDATE websub_source_subscriptions SET pushes = pushes + 1, last_push_at = $1 WHERE source_id = $2', [now, sourceId])
            : t.exec('UPDATE websub_source_subscriptions SET rejected = rejected + 1 WHERE source_id = $1', [sourceId]),
        quiet,
      );
    },

    async removeSourceSubscription(sourceId) {
      await ctx.tx('remove source subscription', (t) => t.exec('DELETE FROM websub_source_subscriptions WHERE source_id = $1', [sourceId]), quiet);
    },
  };
}
