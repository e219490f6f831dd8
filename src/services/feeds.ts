// The publishing use case (DESIGN.md §1 step 8): pick the articles of a channel or source,
// build a FeedDocument, render it once per data version and keep the bytes (plain, gzip, br)
// in an LRU so a hit costs a Map lookup and nothing else.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { NotFoundError } from '../errors.js';
import type { Article, ArticleQuery, Channel, FeedFormat, OutputFormat, Source } from '../model/types.js';
import type { FeedDocument, Serializer } from '../publish/types.js';
import { renderBytes } from '../publish/fragments.js';
import { effectiveUpdated, newestDate } from '../publish/field-values.js';
import type { Storage } from '../storage/repos.js';
import { ALL_CHANNEL, ALL_CHANNEL_SLUG, channelArticleQuery, DEFAULT_LIMIT, findChannel } from './channels.js';
import { createLruCache } from './feed-cache.js';
import { servedFrom } from './demo.js';
import { createEmbargoWatch } from './embargo-watch.js';
import { createCommitWatch, waitForFeed } from './long-poll.js';
import { canonicalQuery, isSafeOrigin, PAGE_DEFAULT_LIMIT } from './feed-query.js';
import { HUB_PATH } from './feed-path.js';
import { oneItemPerId, sharedKeys } from './merged-ids.js';
import type { FeedAccess, FeedQuery, FeedService, FeedTarget, FeedVariant, RenderedFeed } from './types.js';
import type { FragmentCache } from '../publish/types.js';
import { applyPartnerView, type PartnerPage } from './partner-view.js';

export const PAGE_LIMIT = PAGE_DEFAULT_LIMIT;
/** Copies of one story looked up per shared id on a merged page, and in all. */
const COPIES_PER_ID = 8;
const MAX_COPIES = 2000;
/** Extra reads of a newest-first page whose duplicates collapsed. */
const MAX_TOP_UPS = 3;
const DEFAULT_FRAGMENT_ENTRIES = 5000;
const FORMATS: FeedFormat[] = ['rss', 'atom', 'json'];
const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

export interface FeedServiceDeps {
  storage: Storage;
  /** Called after each whole-document render with its duration (metrics). */
  onRender?: (ms: number, format: OutputFormat) => void;
  serializers: Record<OutputFormat, Serializer>;
  contentTypes: Record<OutputFormat, string>;
  /** Public origin; when set, output is byte-identical on every instance whatever the Host. */
  baseUrl?: string;
  cacheEntries: number;
  /** Rendered items kept for re-renders (each a few KB). */
  fragmentEntries?: number;
  /**
   * A feed rendered less than this long ago is served as it is, even if data changed since
   * (0 = always fresh). Bounds re-rendering under a heavy ingest to once per interval per feed.
   */
  renderIntervalMs?: number;
  version: string;
  /** For the render interval only: feed bytes never depend on the clock ("updated" is data). */
  now?: () => Date;
}


interface ResolvedTarget {
  /** Path of the feed without the format extension, e.g. "/feeds/sources/reuters". */
  feedPath: string;
  title: string;
  description?: string;
  language?: string;
  defaultLimit: number;
  /** Undefined when the request's category lies outside the channel's: nothing can match. */
  query: Omit<ArticleQuery, 'limit' | 'after'> | undefined;
  access: FeedAccess;
}

const PUBLIC: FeedAccess = Object.freeze({ visibility: 'public' });

/**
 * Visibility (README "Visibility"): a public channel (and `all`) shows public sources only; a
 * partners channel shows every source its filter selects. A source's own feed is as visible
 * as the source; a partners-only one is granted by the partners channels that name it.
 */
function channelAccess(channel: Channel): FeedAccess {
  return channel.visibility === 'partners' ? { visibility: 'partners', channels: [channel.slug] } : PUBLIC;
}

function sourceAccess(source: Source, channels: Channel[]): FeedAccess {
  if (source.visibility !== 'partners') return PUBLIC;
  const granting = channels.filter((c) => c.visibility === 'partners' && c.filter.sourceIds?.includes(source.id)).map((c) => c.slug);
  return { visibility: 'partners', channels: granting };
}

function mimeOf(contentType: string): string {
  return contentType.split(';')[0]!.trim();
}

/** Combines the channel's full-text filter with the request's: both must match. */
function joinText(a: string | undefined, b: string | undefined): string | undefined {
  if (a && b) return `${a} ${b}`;
  return a || b || undefined;
}

export function createFeedService(deps: FeedServiceDeps): FeedService {
  const { storage, serializers, contentTypes } = deps;
  // Item fragments outlive data versions (keyed by seq), so a re-render after an ingest write
  // serializes only new and changed items.
  const fragments = createLruCache<Buffer>(deps.fragmentEntries ?? DEFAULT_FRAGMENT_ENTRIES);

  function baseFor(origin: string | undefined): string {
    if (deps.baseUrl) return deps.baseUrl;
    return origin && isSafeOrigin(origin) ? origin : 'http://localhost';
  }

  /** The feed a request names, whatever the data version. Public renders have no variant part. */
  function feedKey(target: FeedTarget, format: OutputFormat, query: FeedQuery, origin: string | undefined, variant: FeedVariant | undefined): string {
    const o = deps.baseUrl ? '' : baseFor(origin);
    const key = `${target.kind}:${target.slug}.${format}${canonicalQuery(query)}|${o}`;
    return variant ? `${key}|${variant.key}` : key;
  }

  // A partner variant's items differ from the public ones: their fragments live under its key.
  const variantFragments = (variant: FeedVariant | undefined): FragmentCache =>
    variant
      ? { get: (k) => fragments.get(`${variant.key}\u0000${k}`), set: (k, v) => fragments.set(`${variant.key}\u0000${k}`, v) }
      : fragments;

  // The newest render of each feed, and the render in progress, if any. While a render is in
  // progress, requests get the previous render instead of waiting (stale-while-revalidate at the
  // origin): under a busy ingest the version changes every few milliseconds, and without this
  // every reader would queue behind a render. The request that starts a render waits for it, so
  // a reader after a quiet write always gets fresh bytes.
  const latest = createLruCache<{ version: number; feed: RenderedFeed; at: number }>(deps.cacheEntries);
  const clock = deps.now ?? (() => new Date());
  const renderIntervalMs = deps.renderIntervalMs ?? 0;
  const rendering = new Map<string, { version: number; promise: Promise<RenderedFeed> }>();
  const embargoes = createEmbargoWatch({ storage, clock });
  // Long-poll timeouts are real elapsed time, whatever clock dates the data.
  const commits = createCommitWatch({ dataVersion: () => storage.dataVersion() });


  async function resolve(target: FeedTarget, category: string | undefined): Promise<ResolvedTarget> {
    if (target.kind === 'source') {
      const source = await storage.sources.getBySlug(target.slug);
      if (!source) throw new NotFoundError(`feeds: no source ${JSON.stringify(target.slug)}`);
      const access = sourceAccess(source, source.visibility === 'partners' ? await storage.channels.list() : []);
      return sourceTarget(source, category, access);
    }
    const channel = await findChannel(storage, target.slug);
    if (!channel) throw new NotFoundError(`feeds: no channel ${JSON.stringify(target.slug)}`);
    const selection = channelArticleQuery(channel);
    let categories = selection.categories;
    let unmatchable = false;
    if (category !== undefined) {
      // The request narrows the channel; it can never widen it.
      const folded = category.toLowerCase();
      if (categories && !categories.some((c) => c.toLowerCase() === folded)) unmatchable = true;
      categories = [category];
    }
    const access = channelAccess(channel);
    return {
      feedPath: `/feeds/${encodeURIComponent(channel.slug)}`,
      title: channel.title,
      description: channel.description,
      defaultLimit: channel.defaultLimit || DEFAULT_LIMIT,
      query: unmatchable ? undefined : { ...selection, categories, publicSourcesOnly: access.visibility === 'public' },
      access,
    };
  }

  function sourceTarget(source: Source, category: string | undefined, access: FeedAccess): ResolvedTarget {
    const title = source.title || source.slug;
    return {
      feedPath: `/feeds/sources/${encodeURIComponent(source.slug)}`,
      title,
      description: source.description || `Articles from ${title}.`,
      language: source.language,
      defaultLimit: DEFAULT_LIMIT,
      query: { sourceIds: [source.id], categories: category !== undefined ? [category] : undefined },
      access,
    };
  }

  /**
   * The document's items, one per id (merged-ids.ts), and the seq of the last row the page
   * query returned: the cursor moves past every row read, duplicates included.
   */
  async function selectItems(resolved: ResolvedTarget, query: FeedQuery, limit: number): Promise<{ items: Article[]; lastSeq?: number }> {
    if (!resolved.query) return { items: [] };
    const filter: ArticleQuery = { ...resolved.query, q: joinText(resolved.query.q, query.q), limit };
    // Cursor pages carry every event: stories no longer usable come as tombstones.
    const page: ArticleQuery = query.after !== undefined ? { ...filter, after: query.after, includeWithdrawn: true } : filter;
    // One source's ids are unique already (identity keys are unique per source).
    const merged = resolved.query.sourceIds?.length !== 1;
    let rawLimit = limit;
    for (let round = 0; ; round++) {
      const raw = await storage.articles.query({ ...page, limit: rawLimit });
      const lastSeq = raw.length ? raw[raw.length - 1]!.seq : undefined;
      if (!merged) return { items: raw, lastSeq };
      const keys = sharedKeys(raw);
      const copies = keys.length ? await storage.articles.query({ ...filter, identityKeys: keys, limit: Math.min(keys.length * COPIES_PER_ID, MAX_COPIES) }) : [];
      const items = oneItemPerId(raw, copies);
      // A newest-first page short of items because copies collapsed reads further (a cursor
      // page stays short: its next link must follow exactly the rows it read).
      if (query.after !== undefined || items.length >= limit || raw.length < rawLimit || round === MAX_TOP_UPS) {
        return { items: items.slice(0, limit), lastSeq };
      }
      rawLimit += limit - items.length;
    }
  }

  /**
   * Last-Modified: the newest event touching the selection. A kill drops an item from a plain
   * feed without adding one, so the newest remaining item would date the feed too early and an
   * If-Modified-Since client would get 304 for a changed document.
   */
  async function lastModifiedOf(resolved: ResolvedTarget, query: FeedQuery, items: Article[]): Promise<Date | undefined> {
    let newest = newestDate(items, (a) => a.changedAt);
    if (query.after === undefined && resolved.query) {
      const last = await storage.articles.lastChange({ ...resolved.query, q: joinText(resolved.query.q, query.q) });
      if (last !== undefined && (newest === undefined || last > newest)) newest = last;
    }
    return newest ? new Date(newest) : undefined;
  }

  async function buildDocument(
    target: FeedTarget,
    format: OutputFormat,
    query: FeedQuery,
    origin: string | undefined,
    variant: FeedVariant | undefined,
  ): Promise<{ doc: FeedDocument; access: FeedAccess; lastModified: Date | undefined; page: PartnerPage | undefined }> {
    const resolved = await resolve(target, query.category);
    const limit = query.limit ?? resolved.defaultLimit;
    const { items: selected, lastSeq } = await selectItems(resolved, query, limit);
    // A partner's page: notes to editors added, its rights policy applied (held-back items go).
    const page = variant ? applyPartnerView(selected, variant.rightsPolicy, await storage.articles.ednotes(selected.map((a) => a.id))) : undefined;
    const items = page ? page.items : selected;
    const base = baseFor(origin);
    const feedUrl = (fmt: OutputFormat, after?: number) => `${base}${resolved.feedPath}.${fmt}${canonicalQuery(query, after)}`;
    const doc: FeedDocument = {
      // Stable whatever Host a request used: the public URL when configured, else a tag: URI.
      id: deps.baseUrl ? `${deps.baseUrl}${resolved.feedPath}` : `tag:wirefeed,2025:${resolved.feedPath.slice(1)}`,
      title: resolved.title,
      description: resolved.description,
      language: resolved.language,
      links: {
        self: feedUrl(format),
        html: `${base}${resolved.feedPath}`,
        hub: `${base}${HUB_PATH}`,
        alternates: FORMATS.filter((f) => f !== format).map((f) => ({ type: mimeOf(contentTypes[f]), href: feedUrl(f) })),
      },
      updated: newestDate(items, effectiveUpdated),
      generator: { name: 'wirefeed', version: deps.version, uri: `${base}/` },
      items: items.map((a) => servedFrom(a, base)),
    };
    if (query.after !== undefined) {
      // RFC 5005 paging for partners: "next" always exists so an empty page is polled again
      // from the same place; the cursor only moves forward past what this page delivered.
      const last = lastSeq ?? query.after;
      doc.links.next = feedUrl(format, last);
      doc.links.first = feedUrl(format, 0);
    }
    return { doc, access: resolved.access, lastModified: await lastModifiedOf(resolved, query, items), page };
  }

  async function render(target: FeedTarget, format: OutputFormat, query: FeedQuery, origin: string | undefined, variant: FeedVariant | undefined): Promise<RenderedFeed> {
    const t0 = deps.onRender ? performance.now() : 0;
    const { doc, access, lastModified, page } = await buildDocument(target, format, query, origin, variant);
    const body = renderBytes(serializers[format], doc, variantFragments(variant));
    const [gz, br] = await Promise.all([
      gzip(body, { level: 6 }),
      brotli(body, {
        params: {
          [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
          [zlib.constants.BROTLI_PARAM_QUALITY]: 5,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
        },
      }),
    ]);
    let maxSeq: number | undefined;
    for (const a of doc.items) if (maxSeq === undefined || a.seq > maxSeq) maxSeq = a.seq;
    deps.onRender?.(performance.now() - t0, format);
    return {
      access,
      ...(variant ? { variant } : {}),
      items: page ? page.delivered : doc.items.map((a) => ({ id: a.id, seq: a.seq })),
      ...(page?.heldBack.length ? { heldBack: page.heldBack } : {}),
      body,
      gzip: gz,
      br,
      etag: `"${createHash('sha256').update(body).digest('base64url')}"`,
      lastModified,
      contentType: contentTypes[format],
      selfUrl: doc.links.self,
      hubUrl: doc.links.hub!,
      ...(maxSeq !== undefined ? { maxSeq } : {}),
    };
  }

  /**
   * The cached render a request may be served for this data version, if any. Callers read the
   * version and the embargo state themselves (cached-feed path: one await, the data version
   * answered from memory, no query; the next embargo end is read again only when the version
   * moved), so that a miss registers its render in the same turn that decided it.
   */
  function cached(key: string, version: number, fresh: boolean): RenderedFeed | undefined {
    const prev = latest.get(key);
    // An embargo lifted after the render was made expires it.
    if (!prev || prev.at < embargoes.liftedAt) return undefined;
    // Current, or stale but still served: a render is running, or the last one is recent.
    const usable = prev.version === version || (!fresh && (rendering.has(key) || clock().getTime() - prev.at < renderIntervalMs));
    return usable ? prev.feed : undefined;
  }

  async function getFeed(target: FeedTarget, format: OutputFormat, query: FeedQuery, origin: string | undefined, variant: FeedVariant | undefined, fresh = false): Promise<RenderedFeed> {
    const key = feedKey(target, format, query, origin, variant);
    const version = await storage.dataVersion();
    const due = embargoes.due(version);
    // An embargo that ended expires every render: lift it (a write, a new version) first.
    if (due === true || (due !== false && (await due))) {
      await embargoes.lift();
      return getFeed(target, format, query, origin, variant, fresh);
    }
    const feed = cached(key, version, fresh);
    if (feed) return feed;
    // Concurrent first requests for a feed share one render.
    const current = rendering.get(key);
    if (current?.version === version) return current.promise;
    // The data version is read before any query: a write that lands while rendering leaves
    // this render filed under the old version, so the next request renders again.
    const promise = render(target, format, query, origin, variant)
      .then((rendered) => {
        const prev = latest.get(key);
        if (!prev || prev.version <= version) latest.set(key, { version, feed: rendered, at: clock().getTime() });
        return rendered;
      })
      .finally(() => {
        if (rendering.get(key)?.promise === promise) rendering.delete(key);
      });
    rendering.set(key, { version, promise });
    return promise;
  }

  const service: FeedService = {
    async peekFeed(target, format, query, origin, variant) {
      const version = await storage.dataVersion();
      const due = embargoes.due(version);
      if (due === true || (due !== false && (await due))) return undefined;
      return cached(feedKey(target, format, query, origin, variant), version, false);
    },

    getFeed(target, format, query, origin, variant) {
      return getFeed(target, format, query, origin, variant);
    },

    renderFresh(target, format, query, origin, variant) {
      return getFeed(target, format, query, origin, variant, true);
    },

    waitFeed(target, format, query, origin, variant, signal) {
      return waitForFeed(service, commits, { target, format, query, origin, variant, signal });
    },

    get held() {
      return commits.held;
    },

    async access(target) {
      return (await resolve(target, undefined)).access;
    },

    async getPage(target, query = {}, origin) {
      const resolved = await resolve(target, query.category);
      // Human pages are public: a partners channel or source has none (nor is it listed).
      if (resolved.access.visibility !== 'public') throw new NotFoundError(`feeds: no public page for ${target.kind} ${JSON.stringify(target.slug)}`);
      const limit = query.limit ?? PAGE_LIMIT;
      const skip = limit * ((query.page ?? 1) - 1);
      // Newest first has no cursor: page N reads N pages and one item more (to know whether an
      // older page exists). Pages are bounded (PAGE_QUERY_MAX_ITEMS), so this stays cheap.
      const { items } = await selectItems(resolved, { q: query.q }, skip + limit + 1);
      const base = baseFor(origin);
      return {
        title: resolved.title,
        description: resolved.description,
        items: items.slice(skip, skip + limit).map((a) => servedFrom(a, base)),
        hasOlder: items.length > skip + limit,
      };
    },

    cacheStats() {
      let bytes = 0;
      for (const { feed } of latest.values()) bytes += feed.body.length + feed.gzip.length + feed.br.length;
      return { entries: latest.size, bytes };
    },

    async directory() {
      const [channels, sources] = await Promise.all([storage.channels.list(), storage.sources.list()]);
      const all = channels.some((c) => c.slug === ALL_CHANNEL_SLUG) ? [] : [ALL_CHANNEL];
      return {
        channels: [...all, ...channels.filter((c) => c.visibility === 'public')],
        sources: sources.filter((s) => s.visibility === 'public'),
      };
    },
  };
  return service;
}
