// Feeds bundled with wirefeed (the offline demo), read from disk instead of the network. Their
// URLs live under an origin in the `.invalid` top-level domain (RFC 6761 §6.4: it never
// resolves), so they can never reach a real host, need no exception in the private-network
// guard, and work the same from the server, `wirefeed fetch` and `wirefeed scheduler`.
// Relative links in the bundled feeds resolve to that origin too; publishing maps it to the
// origin that serves the demo files (services/demo.ts).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { FetchError } from '../errors.js';
import type { FetchFeed, FetchResult } from './types.js';

export const BUNDLED_ORIGIN = 'http://demo.wirefeed.invalid';
/** Where the bundled files sit under an origin: BUNDLED_ORIGIN here, the server's own when published. */
export const BUNDLED_PATH = '/demo/';

const TYPES: Record<string, string> = {
  '.xml': 'application/xml; charset=utf-8',
  '.json': 'application/feed+json; charset=utf-8',
};

export function isBundledUrl(url: string): boolean {
  return url.startsWith(BUNDLED_ORIGIN + BUNDLED_PATH);
}

/** The fetcher with bundled URLs answered from `dir`; every other URL goes to `network`. */
export function withBundledFeeds(dir: string, network: FetchFeed): FetchFeed {
  return async (req, signal) => {
    if (!isBundledUrl(req.url)) return network(req, signal);
    const name = req.url.slice((BUNDLED_ORIGIN + BUNDLED_PATH).length);
    // One plain file name: no path, no query, nothing that could leave the directory.
    if (!/^[a-z0-9][a-z0-9._-]*\.(xml|json)$/i.test(name) || name.includes('..')) throw new FetchError(`fetch: no bundled feed named ${JSON.stringify(name)}`);
    const started = performance.now();
    let body: Buffer;
    try {
      body = await readFile(path.join(dir, name));
    } catch (cause) {
      throw new FetchError(`fetch: no bundled feed named ${JSON.stringify(name)}`, { cause });
    }
    const res: FetchResult = {
      kind: 'modified',
      body,
      contentType: TYPES[path.extname(name).toLowerCase()],
      finalUrl: req.url,
      redirects: [],
      status: 200,
      ms: Math.round(performance.now() - started),
    };
    return res;
  };
}
