// PartnerRepo on SQLite: accounts and their keys (hashes only). Every write is `quiet` (no
// feed shows partner data, so rendered feeds stay cached) and bumps the 'partners' counter,
// which is how a server notices a key revoked by the CLI in another process.
import { NotFoundError, ValidationError } from '../../errors.js';
import type { IsoDate, NewPartner, Partner, PartnerPatch } from '../../model/types.js';
import type { LiveKey, PartnerRepo } from '../repos.js';
import { sqliteCode, type SqliteContext } from './context.js';
import { toKey, toPartner, type KeyRow, type PartnerRow } from '../partner-rows.js';


const KEY_COLUMNS = 'key_id, partner_id, prefix, created_at, last_used_at, revoked_at';

/** `otherCommits`: SQLite's data_version (moves when another connection commits), throttled by the caller. */
export function createPartnerRepo(ctx: SqliteContext, otherCommits: () => number): PartnerRepo {
  const getRow = (slug: string) => ctx.stmt('SELECT * FROM partners WHERE slug = ?').get(slug) as PartnerRow | undefined;
  const bump = () => ctx.stmt(`UPDATE counters SET value = value + 1 WHERE name = 'partners'`).run();
  const quiet = { quiet: true };

  // version(): re-read the counter only when some connection committed since the last look.
  let seenDataVersion = -1;
  let localBumps = 0;
  let seenLocal = -1;
  let cached = 0;

  const mutate = <T>(what: string, fn: () => T): T => {
    const out = ctx.write(what, () => {
      const r = fn();
      bump();
      return r;
    }, quiet);
    localBumps++;
    return out;
  };

  return {
    async list() {
      return ctx.read('list partners', () => (ctx.stmt('SELECT * FROM partners ORDER BY slug').all() as PartnerRow[]).map(toPartner));
    },

    async get(slug) {
      return ctx.read('get partner', () => {
        const r = getRow(slug);
        return r && toPartner(r);
      });
    },

    async create(input: NewPartner & { now: IsoDate }) {
      return mutate('create partner', () => {
        try {
          ctx
            .stmt(
              `INSERT INTO partners (slug, name, contact, channels, rate_limit, rights_policy, active, created_at, updated_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              input.slug,
              input.name,
              input.contact ?? null,
              JSON.stringify(input.channels),
              input.rateLimit ? JSON.stringify(input.rateLimit) : null,
              input.rightsPolicy ? JSON.stringify(input.rightsPolicy) : null,
              input.active === false ? 0 : 1,
              input.now,
              input.now,
            );
        } catch (err) {
          if (sqliteCode(err) === 'SQLITE_CONSTRAINT_UNIQUE') throw new ValidationError('partner_exists', `storage: partner "${input.slug}" already exists`, 409);
          throw err;
        }
        return toPartner(getRow(input.slug)!);
      });
    },

    async update(slug, patch: PartnerPatch & { now: IsoDate }) {
      return mutate('update partner', () => {
        const row = getRow(slug);
        if (!row) throw new NotFoundError(`storage: partner "${slug}" not found`);
        const cur = toPartner(row);
        // A key present with undefined/null clears an optional field; absent keys are untouched.
        const pick = <K extends keyof PartnerPatch>(k: K): Partner[K] | undefined => ((k in patch ? patch[k] : cur[k]) ?? undefined) as Partner[K] | undefined;
        const rateLimit = pick('rateLimit');
        const rightsPolicy = pick('rightsPolicy');
        ctx
          .stmt('UPDATE partners SET name = ?, contact = ?, channels = ?, rate_limit = ?, rights_policy = ?, active = ?, updated_at = ? WHERE id = ?')
          .run(
            patch.name ?? cur.name,
            pick('contact') ?? null,
            JSON.stringify(patch.channels ?? cur.channels),
            rateLimit ? JSON.stringify(rateLimit) : null,
            rightsPolicy ? JSON.stringify(rightsPolicy) : null,
            (patch.active ?? cur.active) ? 1 : 0,
            patch.now,
            cur.id,
          );
        return toPartner(getRow(slug)!);
      });
    },

    async remove(slug) {
      return mutate('remove partner', () => ctx.stmt('DELETE FROM partners WHERE slug = ?').run(slug).changes > 0);
    },

    async addKey(input) {
      return mutate('create partner key', () => {
        ctx
          .stmt('INSERT INTO partner_keys (key_id, partner_id, prefix, key_hash, created_at) VALUES (?, ?, ?, ?, ?)')
          .run(input.keyId, input.partnerId, input.prefix, input.keyHash, input.now);
        return toKey(ctx.stmt(`SELECT ${KEY_COLUMNS} FROM partner_keys WHERE key_id = ?`).get(input.keyId) as KeyRow);
      });
    },

    async listKeys(partnerId) {
      return ctx.read('list partner keys', () =>
        (ctx.stmt(`SELECT ${KEY_COLUMNS} FROM partner_keys WHERE partner_id = ? ORDER BY created_at, key_id`).all(partnerId) as KeyRow[]).map(toKey),
      );
    },

    async revokeKey(partnerId, keyId, now) {
      return mutate('revoke partner key', () => {
        ctx.stmt('UPDATE partner_keys SET revoked_at = coalesce(revoked_at, ?) WHERE key_id = ? AND partner_id = ?').run(now, keyId, partnerId);
        const r = ctx.stmt(`SELECT ${KEY_COLUMNS} FROM partner_keys WHERE key_id = ? AND partner_id = ?`).get(keyId, partnerId) as KeyRow | undefined;
        return r && toKey(r);
      });
    },

    async liveKeys(): Promise<LiveKey[]> {
      return ctx.read('live partner keys', () => {
        const rows = ctx
          .stmt(`SELECT k.key_id, k.key_hash, p.* FROM partner_keys k JOIN partners p ON p.id = k.partner_id WHERE k.revoked_at IS NULL`)
          .all() as (PartnerRow & { key_id: string; key_hash: string })[];
        return rows.map((r) => ({ keyId: r.key_id, keyHash: r.key_hash, partner: toPartner(r) }));
      });
    },

    async touchKeys(uses) {
      if (uses.size === 0) return;
      // Not a partner change: no counter bump, so it never invalidates anyone's key snapshot.
      ctx.write(
        'record key use',
        () => {
          const st = ctx.stmt('UPDATE partner_keys SET last_used_at = ? WHERE key_id = ? AND (last_used_at IS NULL OR last_used_at < ?)');
          for (const [keyId, at] of uses) st.run(at, keyId, at);
        },
        quiet,
      );
    },

    version() {
      const dv = otherCommits();
      if (dv !== seenDataVersion || localBumps !== seenLocal) {
        seenDataVersion = dv;
        seenLocal = localBumps;
        cached = ctx.stmt(`SELECT value FROM counters WHERE name = 'partners'`).pluck().get() as number;
      }
      return cached;
    },
  };
}
