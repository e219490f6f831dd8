// Article administration: browse what was ingested and withdraw an article. A withdrawal is
// the kill of the lifecycle (services/lifecycle.ts) with the reason "withdrawn": it leaves
// every plain feed and reaches cursor partners as a tombstone.
import { NotFoundError, ValidationError } from '../errors.js';
import type { Article, ArticleQuery, ChannelFilter } from '../model/types.js';
import type { Storage } from '../storage/repos.js';
import { ALL_CHANNEL, channelArticleQuery, findChannel } from './channels.js';
import { decideEvent } from './lifecycle.js';

export const ADMIN_LIST_DEFAULT = 50;
export const ADMIN_LIST_MAX = 500;

export interface ArticleListFilter {
  /** Source id or slug. */
  source?: number | string;
  /** Channel slug: its filter applies. */
  channel?: string;
  /** A channel filter not saved yet (the console's preview); applies like `channel`. */
  filter?: ChannelFilter;
  /** Only what public feeds show (default: withdrawn ones too). */
  liveOnly?: boolean;
  q?: string;
  limit?: number;
}

export interface ArticleService {
  /** Newest first, withdrawn ones included (an admin needs to see what was withdrawn). */
  list(filter: ArticleListFilter): Promise<Article[]>;
  /** Throws NotFoundError when there is no such article. */
  get(id: number): Promise<Article>;
  /** Throws NotFoundError when there is no such article. */
  withdraw(id: number): Promise<Article>;
}

export function createArticleService(deps: { storage: Storage; now: () => Date }): ArticleService {
  const { storage } = deps;
  return {
    async list(filter) {
      const limit = filter.limit ?? ADMIN_LIST_DEFAULT;
      if (!Number.isInteger(limit) || limit < 1 || limit > ADMIN_LIST_MAX) {
        throw new ValidationError('invalid_query', `articles: limit must be between 1 and ${ADMIN_LIST_MAX}`, 400);
      }
      let query: ArticleQuery = { limit, includeWithdrawn: !filter.liveOnly };
      if (filter.filter !== undefined) query = { ...query, ...channelArticleQuery({ ...ALL_CHANNEL, filter: filter.filter }) };
      if (filter.channel !== undefined) {
        const channel = await findChannel(storage, filter.channel);
        if (!channel) throw new NotFoundError(`articles: no channel ${JSON.stringify(filter.channel)}`);
        query = { ...query, ...channelArticleQuery(channel) };
      }
      if (filter.source !== undefined) {
        const source =
          typeof filter.source === 'number' ? await storage.sources.get(filter.source) : await storage.sources.getBySlug(filter.source);
        if (!source) throw new NotFoundError(`articles: no source ${JSON.stringify(filter.source)}`);
        // Within a channel, a source outside it matches nothing rather than widening the channel.
        query.sourceIds = query.sourceIds && !query.sourceIds.includes(source.id) ? [] : [source.id];
        if (query.sourceIds.length === 0) return [];
      }
      if (filter.q?.trim()) query.q = query.q ? `${query.q} ${filter.q.trim()}` : filter.q.trim();
      return storage.articles.query(query);
    },

    async get(id) {
      const article = await storage.articles.get(id);
      if (!article) throw new NotFoundError(`articles: no article ${id}`);
      return article;
    },

    async withdraw(id) {
      const now = deps.now();
      const article = await storage.articles.applyEvent(id, (a) => decideEvent(a, 'kill', { reason: 'withdrawn' }, now), now.toISOString());
      if (!article) throw new NotFoundError(`articles: no article ${id}`);
      return article;
    },
  };
}
