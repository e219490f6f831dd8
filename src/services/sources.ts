// Registering and managing sources (DESIGN.md §1 step 1): validate, discover, dedupe, insert.
import type { FetchLogEntry, NewSource, Source, SourcePatch } from '../model/types.js';
import type { Storage } from '../storage/repos.js';
import type { FetchFeed } from '../ingest/types.js';
import type { SourceDiscovery, SourceService } from './types.js';
import type { DiscoveredFeed } from '../ingest/types.js';
import { validateFeedUrl } from '../ingest/net-guard.js';
import { discoverFeeds, looksLikeHtml } from '../ingest/discover.js';
import { NotFoundError, ValidationError, errorMessage } from '../errors.js';
import { DEFAULT_MAX_INTERVAL_S, DEFAULT_MIN_INTERVAL_S } from './schedule-policy.js';
import { checkSlug } from './slug.js';
import { checkVisibility } from './channels.js';

export interface SourceServiceDeps {
  storage: Storage;
  allowPrivateNetworks: boolean;
  privateNetworkAllowlist: string[];
  /** Used for feed discovery when a web page URL is added; absent = no discovery fetch. */
  fetchFeed?: FetchFeed;
  now?: () => Date;
}

export interface AddOptions {
  /** Fetch the URL once to find the feed behind a web page (default true when a fetcher is given). */
  discover?: boolean;
}

export interface RemoveOptions {
  /** Take the source out of the channels that name it instead of refusing. */
  detach?: boolean;
}

export interface RemoveResult {
  source: Source;
  /** Channels the source was taken out of. */
  detachedFrom: string[];
}

const MIN_INTERVAL_FLOOR_S = 30;

export function slugify(text: string): string {
  return (
    text
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 48)
      .replace(/-+$/, '') || 'source'
  );
}

/** A slug for a new source: from its title, else host + path (`example-com-news`). */
export function slugCandidate(url: URL, title?: string): string {
  if (title?.trim()) return slugify(title);
  const host = url.hostname.replace(/^www\./, '');
  const path = url.pathname.replace(/\.(xml|rss|atom|json)$/i, '').replace(/\/(feed|rss|atom)\/?$/i, '');
  return slugify(`${host}${path}`);
}

function checkIntervals(min: number, max: number): void {
  if (!Number.isInteger(min) || min < MIN_INTERVAL_FLOOR_S)
    throw new ValidationError('invalid_interval', `minIntervalS must be a whole number of seconds ≥ ${MIN_INTERVAL_FLOOR_S}`);
  if (!Number.isInteger(max) || max < min) throw new ValidationError('invalid_interval', 'maxIntervalS must be a whole number ≥ minIntervalS');
}

export function createSourceService(deps: SourceServiceDeps): SourceService {
  const now = deps.now ?? (() => new Date());
  const policy = { allowPrivateNetworks: deps.allowPrivateNetworks, allowlist: deps.privateNetworkAllowlist };

  async function uniqueSlug(base: string): Promise<string> {
    for (let i = 1; i < 1000; i++) {
      const slug = i === 1 ? base : `${base}-${i}`;
      if (!(await deps.storage.sources.getBySlug(slug))) return slug;
    }
    throw new ValidationError('slug_exists', `no free slug near "${base}"`, 409);
  }

  /**
   * What adding `url` would register: the URL itself for a feed (or when unreachable), else the
   * best feed the web page links. A page that links none is a ValidationError ('not_a_feed').
   */
  async function discover(url: URL): Promise<SourceDiscovery> {
    const same = { requested: url.href, feedUrl: url.href, candidates: [] as DiscoveredFeed[] };
    if (!deps.fetchFeed) return { ...same, kind: 'not-checked' };
    let res;
    try {
      res = await deps.fetchFeed({ url: url.href });
    } catch (err) {
      // Unreachable right now: register anyway; the fetch log and last_error will say why.
      return { ...same, kind: 'unreachable', error: errorMessage(err) };
    }
    // Only a web page is read further, and synchronously: the body's budget is given back now.
    if (res.kind === 'modified') res.release?.();
    if (res.kind !== 'modified' || !looksLikeHtml(res.body, res.contentType)) return { ...same, kind: 'feed' };
    const feeds = discoverFeeds(res.body.toString('utf8'), res.finalUrl);
    if (feeds.length === 0)
      throw new ValidationError('not_a_feed', `${url.href} is a web page that links no feed (no <link rel="alternate"> to RSS, Atom or JSON Feed)`);
    return { requested: url.href, feedUrl: validateFeedUrl(feeds[0]!.url, policy).href, candidates: feeds, kind: 'page' };
  }

  async function get(idOrSlug: number | string): Promise<Source> {
    const byId = typeof idOrSlug === 'number' || /^\d+$/.test(idOrSlug);
    const source = byId ? await deps.storage.sources.get(Number(idOrSlug)) : await deps.storage.sources.getBySlug(String(idOrSlug));
    if (!source) throw new NotFoundError(`source ${idOrSlug} not found`);
    return source;
  }

  return {
    async add(input: NewSource, opts: AddOptions = {}): Promise<Source> {
      if (typeof input?.url !== 'string') throw new ValidationError('invalid_url', 'url is required');
      let url = validateFeedUrl(input.url.trim(), policy);
      if (await deps.storage.sources.findByUrl(url.href)) throw new ValidationError('source_exists', `a source with URL ${url.href} already exists`, 409);
      if (opts.discover ?? true) {
        url = new URL((await discover(url)).feedUrl);
        if (await deps.storage.sources.findByUrl(url.href))
          throw new ValidationError('source_exists', `a source with URL ${url.href} already exists`, 409);
      }
      if (input.slug !== undefined) checkSlug(input.slug);
      if (input.visibility !== undefined) checkVisibility(input.visibility);
      const minIntervalS = input.minIntervalS ?? DEFAULT_MIN_INTERVAL_S;
      const maxIntervalS = input.maxIntervalS ?? Math.max(DEFAULT_MAX_INTERVAL_S, minIntervalS);
      checkIntervals(minIntervalS, maxIntervalS);
      const slug = input.slug ?? (await uniqueSlug(slugCandidate(url, input.title)));
      const nowIso = now().toISOString();
      return deps.storage.sources.create({
        ...input,
        url: url.href,
        slug,
        title: input.title?.trim() || undefined,
        categories: input.categories ?? [],
        minIntervalS,
        maxIntervalS,
        nextFetchAt: nowIso,
        now: nowIso,
      });
    },

    list: () => deps.storage.sources.list(),

    async discover(rawUrl: string): Promise<SourceDiscovery> {
      const url = validateFeedUrl(rawUrl.trim(), policy);
      const found = await discover(url);
      const existing = await deps.storage.sources.findByUrl(found.feedUrl);
      return existing ? { ...found, existingSlug: existing.slug } : found;
    },

    get,

    async update(id: number, patch: SourcePatch): Promise<Source> {
      const current = await get(id);
      const next: SourcePatch = { ...patch };
      if (patch.url !== undefined) next.url = validateFeedUrl(patch.url, policy).href;
      if (patch.slug !== undefined) checkSlug(patch.slug);
      if (patch.visibility !== undefined) checkVisibility(patch.visibility);
      if (patch.minIntervalS !== undefined || patch.maxIntervalS !== undefined)
        checkIntervals(patch.minIntervalS ?? current.minIntervalS, patch.maxIntervalS ?? current.maxIntervalS);
      // Resuming a paused (or gone) source: clear the streak and fetch it on the next tick.
      if (patch.status === 'active' && current.status !== 'active') {
        next.errorCount = 0;
        next.statusReason = undefined;
        next.nextFetchAt = now().toISOString();
      }
      if (patch.status === 'paused' && current.status !== 'paused' && patch.statusReason === undefined) next.statusReason = 'paused by an operator';
      return deps.storage.sources.update(current.id, next);
    },

    async remove(id: number, opts: RemoveOptions = {}): Promise<RemoveResult> {
      const source = await get(id);
      // Channels name sources by id: a dangling id would match nothing, but a channel whose list
      // went empty would match every source. So removal never leaves a channel without its
      // sources: it is refused while channels use the source, or (detach) the source leaves
      // their lists, as long as each keeps at least one other source.
      const users = (await deps.storage.channels.list()).filter((c) => c.filter.sourceIds?.includes(source.id));
      if (users.length && !opts.detach)
        throw new ValidationError(
          'source_in_use',
          `source ${source.slug} is used by channel${users.length > 1 ? 's' : ''} ${users.map((c) => c.slug).join(', ')}: remove it from them first, or remove it with detach (CLI --detach, API ?detach=1)`,
          409,
        );
      const sole = users.filter((c) => c.filter.sourceIds!.length === 1);
      if (sole.length)
        throw new ValidationError(
          'source_in_use',
          `source ${source.slug} is the only source of channel${sole.length > 1 ? 's' : ''} ${sole.map((c) => c.slug).join(', ')}: without it the channel would show every source; change or remove the channel first`,
          409,
        );
      for (const c of users) await deps.storage.channels.update(c.slug, { filter: { ...c.filter, sourceIds: c.filter.sourceIds!.filter((x) => x !== source.id) } });
      if (!(await deps.storage.sources.remove(source.id))) throw new NotFoundError(`source ${id} not found`);
      return { source, detachedFrom: users.map((c) => c.slug) };
    },

    async fetchLog(id: number, limit = 50): Promise<FetchLogEntry[]> {
      await get(id);
      return deps.storage.fetchLog.list(id, Math.min(Math.max(1, limit), 500));
    },
  };
}

