// Public feed URLs: /feeds/<channel>.<fmt> and /feeds/sources/<slug>.<fmt>. One parser for the
// fast lane and the Express route, so both accept exactly the same URLs.
import type { FeedFormat } from '../model/types.js';
import type { FeedTarget } from '../services/types.js';

export interface FeedPath {
  target: FeedTarget;
  format: FeedFormat;
}

const FEED_PATH = /^\/feeds\/(?:(sources)\/)?([A-Za-z0-9][A-Za-z0-9_.~-]{0,127}?)\.(rss|atom|json)$/;

/** Parses a URL path (no query); undefined when it is not a feed document URL. */
export function parseFeedPath(path: string): FeedPath | undefined {
  const m = FEED_PATH.exec(path);
  if (!m) return undefined;
  return { target: { kind: m[1] ? 'source' : 'channel', slug: m[2]! }, format: m[3] as FeedFormat };
}
