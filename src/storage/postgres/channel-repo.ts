// ChannelRepo on PostgreSQL: the twin of sqlite/channel-repo.ts.
import { NotFoundError, ValidationError } from '../../errors.js';
import type { Channel, IsoDate, NewChannel } from '../../model/types.js';
import type { ChannelRepo } from '../repos.js';
import { DEFAULT_CHANNEL_LIMIT } from '../defaults.js';
import { toChannel, type ChannelRow } from '../rows.js';
import { pgCode, type PgContext, type PgQuery } from './context.js';

const getRow = (q: PgQuery, slug: string) => q.one<ChannelRow>('SELECT * FROM channels WHERE slug = $1', [slug]);

export function createChannelRepo(ctx: PgContext): ChannelRepo {
  return {
    async list() {
      return ctx.read('list channels', async (q) => (await q.many<ChannelRow>('SELECT * FROM channels ORDER BY slug')).map(toChannel));
    },

    async get(slug: string) {
      return ctx.read('get channel', async (q) => {
        const row = await getRow(q, slug);
        return row && toChannel(row);
      });
    },

    async create(input: NewChannel & { now: IsoDate }): Promise<Channel> {
      return ctx.tx('create channel', async (t) => {
        try {
          const row = await t.one<ChannelRow>(
            'INSERT INTO channels (slug, title, description, filter, default_limit, visibility, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *',
            [
              input.slug,
              input.title,
              input.description ?? null,
              JSON.stringify(input.filter ?? {}),
              input.defaultLimit ?? DEFAULT_CHANNEL_LIMIT,
              input.visibility ?? 'public',
              input.now,
            ],
          );
          return toChannel(row!);
        } catch (err) {
          // Integrity constraint violations (class 23), as SQLite's SQLITE_CONSTRAINT*.
          if (pgCode(err)?.startsWith('23')) throw new ValidationError('channel_exists', `storage: channel "${input.slug}" already exists`, 409);
          throw err;
        }
      });
    },

    async update(slug: string, patch: Partial<Omit<Channel, 'slug' | 'createdAt'>>) {
      return ctx.tx('update channel', async (t) => {
        const row = await t.one<ChannelRow>('SELECT * FROM channels WHERE slug = $1 FOR UPDATE', [slug]);
        if (!row) throw new NotFoundError(`storage: channel "${slug}" not found`);
        const next = { ...toChannel(row), ...patch };
        const updated = await t.one<ChannelRow>(
          'UPDATE channels SET title = $2, description = $3, filter = $4, default_limit = $5, visibility = $6 WHERE slug = $1 RETURNING *',
          [slug, next.title, next.description ?? null, JSON.stringify(next.filter ?? {}), next.defaultLimit, next.visibility],
        );
        return toChannel(updated!);
      });
    },

    async remove(slug: string) {
      return ctx.tx('remove channel', async (t) => (await t.exec('DELETE FROM channels WHERE slug = $1', [slug])) > 0);
    },
  };
}
