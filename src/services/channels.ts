// Channels: named, filtered views over the articles (DESIGN.md §3). `all` always exists.
import type { ArticleQuery, Channel, ChannelFilter, Visibility } from '../model/types.js';
import type { Storage } from '../storage/repos.js';
import type { ChannelService } from './types.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { checkSlug } from './slug.js';
import { channelFilterSchema, channelLimitSchema, parseInput, visibilitySchema, type ChannelFilterInput } from './inputs.js';

export const ALL_CHANNEL_SLUG = 'all';
/** Slugs that would shadow a route (`/feeds/sources/…`) or the built-in channel. */
const RESERVED = new Set([ALL_CHANNEL_SLUG, 'sources', 'api', 'demo']);
export const DEFAULT_LIMIT = 50;

/** The channel every installation has, even before anyone stores a row for it. */
export const ALL_CHANNEL: Channel = {
  slug: ALL_CHANNEL_SLUG,
  title: 'All articles',
  description: 'Every article from every source.',
  filter: {},
  defaultLimit: DEFAULT_LIMIT,
  // Always public: partners-only sources never appear in it (see README "Visibility").
  visibility: 'public',
  createdAt: new Date(0).toISOString(),
};

export function checkVisibility(v: unknown): Visibility {
  return parseInput(visibilitySchema, v, 'channels', 'visibility');
}

/** The article selection a channel's filter stands for (empty parts dropped). */
export function channelArticleQuery(channel: Channel): Pick<ArticleQuery, 'sourceIds' | 'categories' | 'q'> {
  const f = channel.filter;
  const categories = f.categories?.filter((c) => c.trim() !== '') ?? [];
  return {
    ...(f.sourceIds?.length ? { sourceIds: f.sourceIds } : {}),
    ...(categories.length ? { categories } : {}),
    ...(f.query?.trim() ? { q: f.query.trim() } : {}),
  };
}

/** A stored channel, or the built-in `all`. */
export async function findChannel(storage: Storage, slug: string): Promise<Channel | undefined> {
  return (await storage.channels.get(slug)) ?? (slug === ALL_CHANNEL_SLUG ? ALL_CHANNEL : undefined);
}

/** Validates a filter with the shared schema; the error names the field. */
function checkFilter(filter: ChannelFilterInput | undefined): ChannelFilterInput {
  const f = parseInput(channelFilterSchema, filter ?? {}, 'channels', 'filter');
  return {
    ...(f.sourceIds?.length ? { sourceIds: [...new Set(f.sourceIds)] } : {}),
    ...(f.categories?.length ? { categories: f.categories } : {}),
    ...(f.query ? { query: f.query } : {}),
  };
}

function checkLimit(n: number | undefined): number {
  return parseInput(channelLimitSchema, n ?? DEFAULT_LIMIT, 'channels', 'defaultLimit');
}

export function createChannelService(deps: { storage: Storage; now?: () => Date }): ChannelService {
  const now = deps.now ?? (() => new Date());

  /** Source references (ids or slugs) to ids; a reference to no source is refused. */
  async function resolveSources(filter: ChannelFilterInput): Promise<ChannelFilter> {
    const { sourceIds: refs, ...rest } = filter;
    if (!refs?.length) return rest;
    const ids: number[] = [];
    for (const ref of refs) {
      const source =
        typeof ref === 'number'
          ? await deps.storage.sources.get(ref)
          : ((await deps.storage.sources.getBySlug(ref)) ?? (/^\d+$/.test(ref) ? await deps.storage.sources.get(Number(ref)) : undefined));
      if (!source) throw new ValidationError('unknown_source', `filter names source ${JSON.stringify(ref)}, which does not exist`);
      ids.push(source.id);
    }
    return { ...rest, sourceIds: [...new Set(ids)] };
  }

  return {
    list: () => deps.storage.channels.list(),

    async get(slug: string): Promise<Channel> {
      const c = await deps.storage.channels.get(slug);
      if (!c) throw new NotFoundError(`channel ${slug} not found`);
      return c;
    },

    async create(input) {
      checkSlug(input?.slug);
      if (RESERVED.has(input.slug)) throw new ValidationError('reserved_slug', `"${input.slug}" is reserved`, 409);
      if (typeof input.title !== 'string' || !input.title.trim()) throw new ValidationError('invalid_title', 'title is required');
      const filter = await resolveSources(checkFilter(input.filter));
      return deps.storage.channels.create({
        slug: input.slug,
        title: input.title.trim(),
        description: input.description?.trim() || undefined,
        filter,
        defaultLimit: checkLimit(input.defaultLimit),
        visibility: checkVisibility(input.visibility ?? 'public'),
        now: now().toISOString(),
      });
    },

    async update(slug, patch) {
      const current = await deps.storage.channels.get(slug);
      if (!current) throw new NotFoundError(`channel ${slug} not found`);
      const next: Partial<Omit<Channel, 'slug' | 'createdAt'>> = {};
      if (patch.title !== undefined) {
        if (typeof patch.title !== 'string' || !patch.title.trim()) throw new ValidationError('invalid_title', 'title must not be empty');
        next.title = patch.title.trim();
      }
      if (patch.description !== undefined) next.description = patch.description?.trim() || undefined;
      if (patch.filter !== undefined) {
        next.filter = await resolveSources(checkFilter(patch.filter));
      }
      if (patch.defaultLimit !== undefined) next.defaultLimit = checkLimit(patch.defaultLimit);
      if (patch.visibility !== undefined) next.visibility = checkVisibility(patch.visibility);
      return deps.storage.channels.update(slug, next);
    },

    async remove(slug) {
      if (!(await deps.storage.channels.remove(slug))) throw new NotFoundError(`channel ${slug} not found`);
    },
  };
}
