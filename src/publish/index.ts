// The publishing engine's public face: one renderer and one content type per format.
import type { FeedFormat } from '../model/types.js';
import { renderAtom } from './atom.js';
import { renderJsonFeed } from './json-feed.js';
import { renderRss } from './rss.js';
import type { Renderer, Serializer } from './types.js';
import { rssSerializer } from './rss.js';
import { atomSerializer } from './atom.js';
import { jsonFeedSerializer } from './json-feed.js';

export { renderAtom } from './atom.js';
export { renderJsonFeed } from './json-feed.js';
export { renderRss } from './rss.js';
export type { FeedDocument, FeedLinks, FragmentCache, Renderer, Serializer } from './types.js';
export { renderBytes, renderString, fragmentKey } from './fragments.js';

export const serializers: Record<FeedFormat, Serializer> = {
  rss: rssSerializer,
  atom: atomSerializer,
  json: jsonFeedSerializer,
};

export const renderers: Record<FeedFormat, Renderer> = {
  rss: renderRss,
  atom: renderAtom,
  json: renderJsonFeed,
};

export const CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};
