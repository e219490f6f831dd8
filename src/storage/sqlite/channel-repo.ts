// ChannelRepo on SQLite.
import { NotFoundError, ValidationError } from '../../errors.js';
import type { Channel, IsoDate, NewChannel } from '../../model/types.js';
import type { ChannelRepo } from '../repos.js';
import { sqliteCode, type SqliteContext } from './context.js';
import { toChannel, type ChannelRow } from '../rows.js';
import { DEFAULT_CHANNEL_LIMIT } from '../defaults.js';

export function createChannelRepo(ctx: SqliteContext): ChannelRepo {
  const getRow = (slug: string) => ctx.stmt('SELECT * FROM channels WHERE slug = ?').get(slug) as ChannelRow | undefined;

  return {
    async list() {
      return ctx.read('list channels', () => (ctx.stmt('SELECT * FROM channels ORDER BY slug').all() as ChannelRow[]).map(toChannel));
    },

    async get(slug: string) {
      return ctx.read('get channel', () => {
        const row = getRow(slug);
        return row && toChannel(row);
      });
    },

    async create(input: NewChannel & { now: IsoDate }): Promise<Channel> {
      return ctx.write('create channel', () => {
        try {
          ctx
            .stmt('INSERT INTO channels (slug, title, description, filter, default_limit, visibility, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
            .run(
              input.slug,
              input.title,
              input.description ?? null,
              JSON.stringify(input.filter ?? {}),
              input.defaultLimit ?? DEFAULT_CHANNEL_LIMIT,
              input.visibility ?? 'public',
              input.now,
            );
        } catch (err) {
          if (sqliteCode(err)?.startsWith('SQLITE_CONSTRAINT')) {
            throw new ValidationError('channel_exists', `storage: channel "${input.slug}" already exists`, 409);
          }
          throw err;
        }
        return toChannel(getRow(input.slug)!);
      });
    },

    async update(slug: string, patch: Partial<Omit<Channel, 'slug' | 'createdAt'>>) {
      return ctx.write('update channel', () => {
        const row = getRow(slug);
        if (!row) throw new NotFoundError(`storage: channel "${slug}" not found`);
        const next = { ...toChannel(row), ...patch };
        ctx
          .stmt('UPDATE channels SET title = ?, description = ?, filter = ?, default_limit = ?, visibility = ? WHERE slug = ?')
          .run(next.title, next.description ?? null, JSON.stringify(next.filter ?? {}), next.defaultLimit, next.visibility, slug);
        return toChannel(getRow(slug)!);
      });
    },

    async remove(slug: string) {
      return ctx.write('remove channel', () => ctx.stmt('DELETE FROM channels WHERE slug = ?').run(slug).changes > 0);
    },
  };
}
