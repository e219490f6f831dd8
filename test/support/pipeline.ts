// Bytes → processFeedInline → Articles as storage would return them → the three serializers:
// the publish side of ingest tests, without a database or a server.
import { processFeedInline } from '../../src/ingest/process.js';
import type { Article, FeedFormat, NormalizedFeed } from '../../src/model/types.js';
import { renderAtom } from '../../src/publish/atom.js';
import { renderJsonFeed } from '../../src/publish/json-feed.js';
import { renderRss } from '../../src/publish/rss.js';
import type { FeedDocument } from '../../src/publish/types.js';
import { readers, type ReadFeed } from '../fixtures/publish/read-back.js';

export const PIPELINE_NOW = '2026-06-01T00:00:00.000Z';
export const RENDER: Record<FeedFormat, (d: FeedDocument) => string> = { rss: renderRss, atom: renderAtom, json: renderJsonFeed };
export const OUTPUT_FORMATS: FeedFormat[] = ['rss', 'atom', 'json'];

/** The feed's items as stored articles of one source (first seen at `now`). */
export function toArticles(feed: NormalizedFeed, documentUrl: string, now = PIPELINE_NOW): Article[] {
  return feed.items.map((input, i) => ({
    ...input,
    id: i + 1,
    sourceId: 1,
    seq: i + 1,
    firstSeenAt: now,
    changedAt: now,
    status: 'usable',
    // As the refresh service stores it: the source's site link is the feed's own link.
    source: { sourceId: 1, slug: 'src', title: 'Source', feedUrl: documentUrl, ...(feed.meta.siteUrl !== undefined ? { siteUrl: feed.meta.siteUrl } : {}) },
  }));
}

export function feedDocument(items: Article[]): FeedDocument {
  return {
    id: 'https://feeds.example.net/feeds/all',
    title: 'All',
    links: { self: 'https://feeds.example.net/feeds/all.x', html: 'https://feeds.example.net/feeds/all' },
    generator: { name: 'wirefeed', version: '0', uri: 'https://feeds.example.net/' },
    items,
  };
}

export interface PipelineResult {
  feed: NormalizedFeed;
  articles: Article[];
  /** Rendered text per output format. */
  texts: Record<FeedFormat, string>;
  /** Each output read back by the test readers. */
  read: Record<FeedFormat, ReadFeed>;
}

export async function ingestAndRender(input: string | Buffer, documentUrl: string, now = PIPELINE_NOW): Promise<PipelineResult> {
  const feed = await processFeedInline(Buffer.from(input), { documentUrl, now });
  const articles = toArticles(feed, documentUrl, now);
  const doc = feedDocument(articles);
  const texts = { rss: renderRss(doc), atom: renderAtom(doc), json: renderJsonFeed(doc) };
  return { feed, articles, texts, read: { rss: readers.rss(texts.rss), atom: readers.atom(texts.atom), json: readers.json(texts.json) } };
}
