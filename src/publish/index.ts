// The publishing engine's public face: one renderer and one content type per format.
import type { FeedFormat, OutputFormat } from '../model/types.js';
import { renderAtom } from './atom.js';
import { renderJsonFeed } from './json-feed.js';
import { renderRss } from './rss.js';
import type { Renderer, Serializer } from './types.js';
import { rssSerializer } from './rss.js';
import { atomSerializer } from './atom.js';
import { jsonFeedSerializer } from './json-feed.js';
import { ninjsSerializer } from './ninjs.js';

export { renderAtom } from './atom.js';
export { renderJsonFeed } from './json-feed.js';
export { renderRss } from './rss.js';
export { renderNinjs } from './ninjs.js';
export type { FeedDocument, FeedLinks, FragmentCache, Renderer, Serializer } from './types.js';
export { renderBytes, renderString, fragmentKey } from './fragments.js';

export const serializers: Record<OutputFormat, Serializer> = {
  rss: rssSerializer,
  atom: atomSerializer,
  json: jsonFeedSerializer,
  ninjs: ninjsSerializer,
};

export const renderers: Record<FeedFormat, Renderer> = {
  rss: renderRss,
  atom: renderAtom,
  json: renderJsonFeed,
};

export const CONTENT_TYPES: Record<OutputFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
  // ninjs has no media type of its own; JSON is UTF-8 by definition (RFC 8259 §8.1).
  ninjs: 'application/json',
};
