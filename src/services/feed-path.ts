// Public feed URLs: /feeds/<channel>.<fmt> and /feeds/sources/<slug>.<fmt>. One parser for the
// fast lane, the Express route and the WebSub hub (whose topics are these URLs), so all accept
// exactly the same URLs.
import type { OutputFormat } from '../model/types.js';
import type { FeedTarget } from './types.js';

/** Path of the WebSub hub endpoint (advertised as rel="hub" on every feed). */
export const HUB_PATH = '/websub';

/** `Link: <hub>; rel="hub", <self>; rel="self"` (RFC 8288), on feeds and WebSub pushes alike. */
export function websubLinkHeader(hub: string, self: string): string {
  return `<${hub}>; rel="hub", <${self}>; rel="self"`;
}

export interface FeedPath {
  target: FeedTarget;
  format: OutputFormat;
}

const FEED_PATH = /^\/feeds\/(?:(sources)\/)?([A-Za-z0-9][A-Za-z0-9_.~-]{0,127}?)\.(rss|atom|json|ninjs)$/;

/** Parses a URL path (no query); undefined when it is not a feed document URL. */
export function parseFeedPath(path: string): FeedPath | undefined {
  const m = FEED_PATH.exec(path);
  if (!m) return undefined;
  return { target: { kind: m[1] ? 'source' : 'channel', slug: m[2]! }, format: m[3] as OutputFormat };
}
