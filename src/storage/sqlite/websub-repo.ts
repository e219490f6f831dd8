// WebSub bookkeeping in SQLite: hub subscriptions, per-topic push state, the delivery queue
// and our own subscriptions at source hubs. Every write is quiet: none of this is feed content,
// so it must not move dataVersion() (which would re-render every feed).
import type { IsoDate } from '../../model/types.js';
import type { HubSubscription, PendingDelivery, SourceSubscription, TopicState, TopicStream } from '../../model/websub.js';
import type { WebSubRepo } from '../repos.js';
import type { SqliteContext } from './context.js';
import { compact, type Nullable } from '../rows.js';
import { SOURCE_SUB_COLUMNS, toSourceSubscription, toSubscription, type SourceSubscriptionRow, type SubscriptionRow } from '../websub-rows.js';

export function createWebSubRepo(ctx: SqliteContext): WebSubRepo {
  const quiet = <T>(what: string, fn: () => T): T => ctx.write(what, fn, { quiet: true });
  /** Pushed bodies no queued delivery refers to any more. */
  const ORPHAN_CONTENTS = 'FROM websub_contents WHERE id NOT IN (SELECT content_id FROM websub_deliveries)';
  const getSub = (topic: string, callback: string) =>
    ctx.stmt('SELECT * FROM websub_subscriptions WHERE topic = ? AND callback = ?').get(topic, callback) as SubscriptionRow | undefined;

  return {
    async saveSubscription(s) {
      return quiet('save websub subscription', () => {
        // A renewal keeps the row (and its counters); lease and secret are replaced (§5.1).
        ctx
          .stmt(
            `INSERT INTO websub_subscriptions (topic, callback, callback_host, secret, key_id, variant, lease_seconds, expires_at, created_at, verified_at)
             VALUES (@topic, @callback, @callbackHost, @secret, @keyId, @variant, @leaseSeconds, @expiresAt, @now, @now)
             ON CONFLICT (topic, callback) DO UPDATE SET secret = excluded.secret, key_id = excluded.key_id, variant = excluded.variant,
               lease_seconds = excluded.lease_seconds, expires_at = excluded.expires_at, verified_at = excluded.verified_at,
               callback_host = excluded.callback_host`,
          )
          .run({ ...s, secret: s.secret ?? null, keyId: s.keyId ?? null });
        return toSubscription(getSub(s.topic, s.callback)!);
      });
    },

    async removeSubscription(topic, callback) {
      return quiet('remove websub subscription', () => ctx.stmt('DELETE FROM websub_subscriptions WHERE topic = ? AND callback = ?').run(topic, callback).changes > 0);
    },

    async removeSubscriptionsByKey(keyId) {
      return quiet('remove websub subscriptions of a key', () => ctx.stmt('DELETE FROM websub_subscriptions WHERE key_id = ?').run(keyId).changes);
    },

    async getSubscription(topic, callback) {
      return ctx.read('get websub subscription', () => {
        const r = getSub(topic, callback);
        return r ? toSubscription(r) : undefined;
      });
    },

    async listSubscriptions(filter) {
      return ctx.read('list websub subscriptions', () => {
        const rows = (filter?.topic !== undefined
          ? ctx.stmt('SELECT * FROM websub_subscriptions WHERE topic = ? ORDER BY id').all(filter.topic)
          : ctx.stmt('SELECT * FROM websub_subscriptions ORDER BY id').all()) as SubscriptionRow[];
        return rows.map(toSubscription);
      });
    },

    async countSubscriptions(filter) {
      return ctx.read('count websub subscriptions', () => {
        if (filter.topic !== undefined) return ctx.stmt('SELECT count(*) FROM websub_subscriptions WHERE topic = ?').pluck().get(filter.topic) as number;
        if (filter.callbackHost !== undefined) return ctx.stmt('SELECT count(*) FROM websub_subscriptions WHERE callback_host = ?').pluck().get(filter.callbackHost) as number;
        return ctx.stmt('SELECT count(*) FROM websub_subscriptions').pluck().get() as number;
      });
    },

    async expireSubscriptions(now) {
      // The hub calls this whenever the data version moves. A write takes SQLite's write lock,
      // and on the main thread a busy ingest holding it stalls the event loop (busy_timeout): so
      // look first with a read (WAL readers never wait) and write only when a lease has ended.
      const due = ctx.read('websub leases ended', () => ctx.stmt('SELECT 1 FROM websub_subscriptions WHERE expires_at <= ? LIMIT 1').get(now) !== undefined);
      if (!due) return 0;
      return quiet('expire websub subscriptions', () => {
        // Deliveries still queued for them are dropped with them (ON DELETE CASCADE).
        const n = ctx.stmt('DELETE FROM websub_subscriptions WHERE expires_at <= ?').run(now).changes;
        if (n > 0) ctx.stmt(`DELETE ${ORPHAN_CONTENTS}`).run();
        return n;
      });
    },

    async activeStreams(now) {
      return ctx.read('websub topics', () => {
        const rows = ctx
          .stmt(
            `SELECT topic, variant, json_group_array(key_id) FILTER (WHERE key_id IS NOT NULL) AS key_ids
             FROM websub_subscriptions WHERE expires_at > ? GROUP BY topic, variant ORDER BY topic, variant`,
          )
          .all(now) as { topic: string; variant: string; key_ids: string }[];
        return rows.map((r): TopicStream => ({ topic: r.topic, variant: r.variant, keyIds: JSON.parse(r.key_ids) as string[] }));
      });
    },

    async getTopicState(topic, variant) {
      return ctx.read('websub topic state', () => {
        const r = ctx.stmt('SELECT etag, last_seq FROM websub_topics WHERE topic = ? AND variant = ?').get(topic, variant) as { etag: Nullable<string>; last_seq: Nullable<number> } | undefined;
        return r ? compact<TopicState>({ etag: r.etag, lastSeq: r.last_seq }) : undefined;
      });
    },

    async setTopicState(topic, variant, state) {
      quiet('set websub topic state', () => {
        ctx
          .stmt(
            `INSERT INTO websub_topics (topic, variant, etag, last_seq) VALUES (?, ?, ?, ?)
             ON CONFLICT (topic, variant) DO UPDATE SET etag = excluded.etag, last_seq = excluded.last_seq`,
          )
          .run(topic, variant, state.etag ?? null, state.lastSeq ?? null);
      });
    },

    async enqueue(content, now) {
      return quiet('enqueue websub deliveries', () => {
        if (content.fullFeed) {
          // A full feed supersedes a full feed still waiting for the same subscriber: only the
          // newest state of the topic is worth delivering.
          ctx
            .stmt(
              `DELETE FROM websub_deliveries WHERE id IN (
                 SELECT d.id FROM websub_deliveries d JOIN websub_contents c ON c.id = d.content_id
                 WHERE c.topic = ? AND c.variant = ? AND c.full_feed = 1)`,
            )
            .run(content.topic, content.variant);
        }
        const contentId = ctx
          .stmt('INSERT INTO websub_contents (topic, variant, content_type, body, full_feed, created_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(content.topic, content.variant, content.contentType, content.body, content.fullFeed ? 1 : 0, now).lastInsertRowid as number;
        const n = ctx
          .stmt(
            `INSERT INTO websub_deliveries (subscription_id, content_id, next_attempt_at)
             SELECT id, ?, ? FROM websub_subscriptions WHERE topic = ? AND variant = ? AND expires_at > ?`,
          )
          .run(contentId, now, content.topic, content.variant, now).changes;
        if (n === 0) ctx.stmt('DELETE FROM websub_contents WHERE id = ?').run(contentId);
        ctx.stmt('DELETE FROM websub_contents WHERE topic = ? AND id NOT IN (SELECT content_id FROM websub_deliveries)').run(content.topic);
        return n;
      });
    },

    async dueDeliveries(now, limit) {
      return ctx.read('due websub deliveries', () => {
        const rows = ctx
          .stmt(
            `SELECT d.id, d.subscription_id, d.attempts, s.topic, s.callback, s.secret, s.key_id, s.expires_at,
                    c.content_type, c.id AS content_id, c.created_at
             FROM websub_deliveries d
             JOIN websub_subscriptions s ON s.id = d.subscription_id
             JOIN websub_contents c ON c.id = d.content_id
             WHERE d.next_attempt_at <= ?
             ORDER BY d.next_attempt_at, d.id LIMIT ?`,
          )
          .all(now, limit) as {
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
        }[];
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
      return ctx.read('next websub delivery', () => (ctx.stmt('SELECT min(next_attempt_at) FROM websub_deliveries').pluck().get() as Nullable<IsoDate>) ?? undefined);
    },

    async pendingDeliveries() {
      return ctx.read('count websub deliveries', () => ctx.stmt('SELECT count(*) FROM websub_deliveries').pluck().get() as number);
    },

    async contentBody(id) {
      return ctx.read('websub content', () => (ctx.stmt('SELECT body FROM websub_contents WHERE id = ?').pluck().get(id) as Buffer | undefined) ?? undefined);
    },

    async deliveriesSucceeded(ds, now) {
      if (ds.length === 0) return;
      quiet('websub deliveries done', () => {
        for (const d of ds) {
          ctx.stmt('DELETE FROM websub_deliveries WHERE id = ?').run(d.id);
          ctx.stmt('UPDATE websub_subscriptions SET delivered = delivered + 1, last_delivery_at = ?, last_error = NULL WHERE id = ?').run(now, d.subscriptionId);
        }
      });
    },

    async deliveryFailed(d, error, retryAt) {
      quiet('websub delivery failed', () => {
        if (retryAt === undefined) {
          ctx.stmt('DELETE FROM websub_deliveries WHERE id = ?').run(d.id);
          ctx.stmt('UPDATE websub_subscriptions SET failed_attempts = failed_attempts + 1, dropped = dropped + 1, last_error = ? WHERE id = ?').run(error, d.subscriptionId);
        } else {
          ctx.stmt('UPDATE websub_deliveries SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE id = ?').run(retryAt, error, d.id);
          ctx.stmt('UPDATE websub_subscriptions SET failed_attempts = failed_attempts + 1, last_error = ? WHERE id = ?').run(error, d.subscriptionId);
        }
      });
    },

    async stats() {
      return ctx.read('websub stats', () => {
        const s = ctx
          .stmt('SELECT count(*) AS n, coalesce(sum(delivered), 0) AS d, coalesce(sum(failed_attempts), 0) AS f, coalesce(sum(dropped), 0) AS x FROM websub_subscriptions')
          .get() as { n: number; d: number; f: number; x: number };
        const pending = ctx.stmt('SELECT count(*) FROM websub_deliveries').pluck().get() as number;
        const sources = { requested: 0, active: 0, failed: 0 };
        for (const r of ctx.stmt('SELECT state, count(*) AS n FROM websub_source_subscriptions GROUP BY state').all() as { state: keyof typeof sources; n: number }[]) sources[r.state] = r.n;
        return { subscriptions: s.n, pending, delivered: s.d, failedAttempts: s.f, dropped: s.x, sources };
      });
    },

    async pruneContents() {
      // Runs after every delivery run: write (and wait for the write lock) only when there is
      // something to delete, as expireSubscriptions does.
      if (ctx.read('websub orphan contents', () => ctx.stmt(`SELECT 1 ${ORPHAN_CONTENTS} LIMIT 1`).get()) === undefined) return;
      quiet('prune websub contents', () => {
        ctx.stmt(`DELETE ${ORPHAN_CONTENTS}`).run();
      });
    },

    async getSourceSubscription(sourceId) {
      return ctx.read('get source subscription', () => {
        const r = ctx.stmt('SELECT * FROM websub_source_subscriptions WHERE source_id = ?').get(sourceId) as SourceSubscriptionRow | undefined;
        return r ? toSourceSubscription(r) : undefined;
      });
    },

    async findSourceSubscription(token) {
      return ctx.read('find source subscription', () => {
        const r = ctx.stmt('SELECT * FROM websub_source_subscriptions WHERE token = ?').get(token) as SourceSubscriptionRow | undefined;
        return r ? toSourceSubscription(r) : undefined;
      });
    },

    async listSourceSubscriptions() {
      return ctx.read('list source subscriptions', () => (ctx.stmt('SELECT * FROM websub_source_subscriptions ORDER BY source_id').all() as SourceSubscriptionRow[]).map(toSourceSubscription));
    },

    async saveSourceSubscription(s) {
      quiet('save source subscription', () => {
        ctx
          .stmt(
            `INSERT INTO websub_source_subscriptions (source_id, hub, topic, token, secret, pending_secret, state, lease_until, requested_at, verified_at, last_push_at, pushes, rejected, last_error)
             VALUES (@sourceId, @hub, @topic, @token, @secret, @pendingSecret, @state, @leaseUntil, @requestedAt, @verifiedAt, @lastPushAt, @pushes, @rejected, @lastError)
             ON CONFLICT (source_id) DO UPDATE SET hub = excluded.hub, topic = excluded.topic, token = excluded.token, secret = excluded.secret,
               pending_secret = excluded.pending_secret, state = excluded.state, lease_until = excluded.lease_until, requested_at = excluded.requested_at, verified_at = excluded.verified_at,
               last_error = excluded.last_error`,
          )
          .run({
            ...s,
            pendingSecret: s.pendingSecret ?? null,
            leaseUntil: s.leaseUntil ?? null,
            verifiedAt: s.verifiedAt ?? null,
            lastPushAt: s.lastPushAt ?? null,
            lastError: s.lastError ?? null,
          });
      });
    },

    async updateSourceSubscription(sourceId, patch) {
      quiet('update source subscription', () => {
        const sets: string[] = [];
        const values: unknown[] = [];
        for (const [k, v] of Object.entries(patch)) {
          const col = SOURCE_SUB_COLUMNS[k as keyof typeof SOURCE_SUB_COLUMNS];
          if (!col) continue;
          sets.push(`${col} = ?`);
          values.push(v ?? null);
        }
        if (sets.length) ctx.stmt(`UPDATE websub_source_subscriptions SET ${sets.join(', ')} WHERE source_id = ?`).run(...values, sourceId);
      });
    },

    async countSourcePush(sourceId, field, now) {
      quiet('count source push', () => {
        if (field === 'pushes') ctx.stmt('UPDATE websub_source_subscriptions SET pushes = pushes + 1, last_push_at = ? WHERE source_id = ?').run(now, sourceId);
        else ctx.stmt('UPDATE websub_source_subscriptions SET rejected = rejected + 1 WHERE source_id = ?').run(sourceId);
      });
    },

    async removeSourceSubscription(sourceId) {
      quiet('remove source subscription', () => {
        ctx.stmt('DELETE FROM websub_source_subscriptions WHERE source_id = ?').run(sourceId);
      });
    },
  };
}
