// PartnerRepo on PostgreSQL: accounts and their keys (hashes only), the twin of
// sqlite/partner-repo.ts. Every write is a 'partners' transaction: it leaves rendered feeds
// cached (no feed shows partner data) and its commit notice reaches every instance, which is
// how a server notices a key revoked through another instance or the CLI.
import { NotFoundError, ValidationError } from '../../errors.js';
import type { IsoDate, NewPartner, Partner, PartnerPatch } from '../../model/types.js';
import type { LiveKey, PartnerRepo } from '../repos.js';
import { toKey, toPartner, type KeyRow, type PartnerRow } from '../partner-rows.js';
import { pgCode, UNIQUE_VIOLATION, type PgContext, type PgQuery } from './context.js';


const PARTNER_COLUMNS = 'id, slug, name, contact, channels, rate_limit, rights_policy, active, created_at, updated_at';
const KEY_COLUMNS = 'key_id, partner_id, prefix, created_at, last_used_at, revoked_at';

/**
 * `version`: this instance's partners commits plus the other instances' as the shared commit
 * listener heard them (storage-ops.ts versionOf), answered from memory.
 */
export function createPartnerRepo(ctx: PgContext, version: () => number): PartnerRepo {
  const getRow = (q: PgQuery, slug: string) => q.one<PartnerRow>(`SELECT ${PARTNER_COLUMNS} FROM partners WHERE slug = $1`, [slug]);

  const mutate = <T>(what: string, fn: (t: PgQuery) => Promise<T>): Promise<T> =>
    ctx.tx(
      what,
      async (t) => {
        const r = await fn(t);
        // Kept moving as on SQLite (and copied by `db copy`); the notice is what instances follow.
        await t.exec(`UPDATE counters SET value = value + 1 WHERE name = 'partners'`);
        return r;
      },
      { kind: 'partners' },
    );

  return {
    async list() {
      return ctx.read('list partners', async (q) => (await q.many<PartnerRow>(`SELECT ${PARTNER_COLUMNS} FROM partners ORDER BY slug`)).map(toPartner));
    },

    async get(slug) {
      return ctx.read('get partner', async (q) => {
        const r = await getRow(q, slug);
        return r && toPartner(r);
      });
    },

    async create(input: NewPartner & { now: IsoDate }) {
      return mutate('create partner', async (t) => {
        const taken = () => new ValidationError('partner_exists', `storage: partner "${input.slug}" already exists`, 409);
        // Checked first: a failed INSERT would spend an identity value, and ids would no longer
        // follow SQLite's (the unique index still settles a race).
        if (await t.one('SELECT 1 FROM partners WHERE slug = $1', [input.slug])) throw taken();
        try {
          const row = await t.one<PartnerRow>(
            `INSERT INTO partners (slug, name, contact, channels, rate_limit, rights_policy, active, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING ${PARTNER_COLUMNS}`,
            [
              input.slug,
              input.name,
              input.contact ?? null,
              JSON.stringify(input.channels),
              input.rateLimit ? JSON.stringify(input.rateLimit) : null,
              input.rightsPolicy ? JSON.stringify(input.rightsPolicy) : null,
              input.active !== false,
              input.now,
            ],
          );
          return toPartner(row!);
        } catch (err) {
          if (pgCode(err) === UNIQUE_VIOLATION) throw taken();
          throw err;
        }
      });
    },

    async update(slug, patch: PartnerPatch & { now: IsoDate }) {
      return mutate('update partner', async (t) => {
        // Locked: two instances patching different fields must not each write back a stale copy.
        const row = await t.one<PartnerRow>(`SELECT ${PARTNER_COLUMNS} FROM partners WHERE slug = $1 FOR UPDATE`, [slug]);
        if (!row) throw new NotFoundError(`storage: partner "${slug}" not found`);
        const cur = toPartner(row);
        // A key present with undefined/null clears an optional field; absent keys are untouched.
        const pick = <K extends keyof PartnerPatch>(k: K): Partner[K] | undefined => ((k in patch ? patch[k] : cur[k]) ?? undefined) as Partner[K] | undefined;
        const rateLimit = pick('rateLimit');
        const rightsPolicy = pick('rightsPolicy');
        const updated = await t.one<PartnerRow>(
          `UPDATE partners SET name = $1, contact = $2, channels = $3, rate_limit = $4, rights_policy = $5, active = $6, updated_at = $7
           WHERE id = $8 RETURNING ${PARTNER_COLUMNS}`,
          [
            patch.name ?? cur.name,
            pick('contact') ?? null,
            JSON.stringify(patch.channels ?? cur.channels),
            rateLimit ? JSON.stringify(rateLimit) : null,
            rightsPolicy ? JSON.stringify(rightsPolicy) : null,
            patch.active ?? cur.active,
            patch.now,
            cur.id,
          ],
        );
        return toPartner(updated!);
      });
    },

    async remove(slug) {
      return mutate('remove partner', async (t) => (await t.exec('DELETE FROM partners WHERE slug = $1', [slug])) > 0);
    },

    async addKey(input) {
      return mutate('create partner key', async (t) => {
        const row = await t.one<KeyRow>(
          `INSERT INTO partner_keys (key_id, partner_id, prefix, key_hash, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING ${KEY_COLUMNS}`,
          [input.keyId, input.partnerId, input.prefix, input.keyHash, input.now],
        );
        return toKey(row!);
      });
    },

    async listKeys(partnerId) {
      return ctx.read('list partner keys', async (q) =>
        (await q.many<KeyRow>(`SELECT ${KEY_COLUMNS} FROM partner_keys WHERE partner_id = $1 ORDER BY created_at, key_id`, [partnerId])).map(toKey),
      );
    },

    async revokeKey(partnerId, keyId, now) {
      return mutate('revoke partner key', async (t) => {
        const row = await t.one<KeyRow>(
          `UPDATE partner_keys SET revoked_at = coalesce(revoked_at, $1) WHERE key_id = $2 AND partner_id = $3 RETURNING ${KEY_COLUMNS}`,
          [now, keyId, partnerId],
        );
        return row && toKey(row);
      });
    },

    async liveKeys(): Promise<LiveKey[]> {
      return ctx.read('live partner keys', async (q) => {
        const rows = await q.many<PartnerRow & { key_id: string; key_hash: string }>(
          `SELECT k.key_id, k.key_hash, ${PARTNER_COLUMNS.split(', ').map((col) => `p.${col}`).join(', ')}
           FROM partner_keys k JOIN partners p ON p.id = k.partner_id WHERE k.revoked_at IS NULL`,
        );
        return rows.map((r) => ({ keyId: r.key_id, keyHash: r.key_hash, partner: toPartner(r) }));
      });
    },

    async touchKeys(uses) {
      if (uses.size === 0) return;
      // Not a partner change (kind 'none'): it never invalidates anyone's key snapshot. One
      // statement for the whole batch; an older use never overwrites a newer one.
      // Key order on every instance: concurrent batches rarely wait on each other crosswise
      // (a deadlock all the same is retried by ctx.tx).
      const sorted = [...uses].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      await ctx.tx(
        'record key use',
        async (t) => {
          await t.exec(
            `UPDATE partner_keys k SET last_used_at = u.at
             FROM unnest($1::text[], $2::text[]) AS u(key_id, at)
             WHERE k.key_id = u.key_id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)`,
            [sorted.map(([k]) => k), sorted.map(([, at]) => at)],
          );
        },
        { kind: 'none' },
      );
    },

    version,
  };
}
