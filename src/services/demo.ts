// The offline demo: the bundled feeds registered into an empty database, and their links
// published on the origin that serves the demo files, whichever address or port that is today.
import type { Article, SourceAttribution } from '../model/types.js';
import type { Logger } from '../log.js';
import type { Storage } from '../storage/repos.js';
import { BUNDLED_ORIGIN, BUNDLED_PATH, isBundledUrl } from '../ingest/bundled.js';
import { ValidationError } from '../errors.js';
import type { SourceService } from './types.js';

export const DEMO_SLUG_PREFIX = 'demo-';
const LEGACY_DEMO_PATH = /^\/demo\/([a-z0-9][a-z0-9._-]*\.(xml|json))$/i;

type AddingSources = SourceService & { add(i: Parameters<SourceService['add']>[0], o?: { discover?: boolean }): Promise<unknown> };

/**
 * Registers the bundled feeds (`files`, e.g. "world.rss.xml") when the database has no source
 * at all. Safe to run from two processes at once (a source that exists already is skipped).
 * Demo sources of older versions, which pointed at the server's own loopback address and port,
 * are registered again on the bundled URLs (unless a channel names them).
 */
export async function seedDemo(deps: { storage: Storage; sources: AddingSources; log: Logger }, files: string[]): Promise<void> {
  const existing = await deps.storage.sources.list();
  if (existing.length === 0) {
    let added = 0;
    for (const file of files) {
      try {
        await deps.sources.add({ url: `${BUNDLED_ORIGIN}${BUNDLED_PATH}${file}`, slug: `${DEMO_SLUG_PREFIX}${file.split('.')[0]}`, categories: ['demo'] }, { discover: false });
        added++;
      } catch (err) {
        if (!(err instanceof ValidationError && (err.code === 'source_exists' || err.code === 'slug_exists'))) throw err;
      }
    }
    if (added) deps.log.info({ sources: added }, 'demo sources registered (WIREFEED_DEMO=0 turns this off)');
    return;
  }
  const channels = await deps.storage.channels.list();
  for (const s of existing) {
    if (!s.slug.startsWith(DEMO_SLUG_PREFIX) || isBundledUrl(s.url)) continue;
    const m = LEGACY_DEMO_PATH.exec(new URL(s.url).pathname);
    if (!m || !files.includes(m[1]!) || channels.some((c) => c.filter.sourceIds?.includes(s.id))) continue;
    // Its stored links point at a port this server may no longer use: the demo articles are
    // registered again from the bundled feed rather than patched.
    await deps.storage.sources.remove(s.id);
    await deps.sources.add({ url: `${BUNDLED_ORIGIN}${BUNDLED_PATH}${m[1]}`, slug: s.slug, categories: s.categories }, { discover: false });
    deps.log.info({ slug: s.slug }, 'demo source moved to the bundled feeds');
  }
}

function swap(s: string, origin: string): string;
function swap(s: string | undefined, origin: string): string | undefined;
function swap(s: string | undefined, origin: string): string | undefined {
  return s?.includes(BUNDLED_ORIGIN) ? s.replaceAll(BUNDLED_ORIGIN, origin) : s;
}

function attribution(a: SourceAttribution, origin: string): SourceAttribution {
  return { ...a, feedUrl: swap(a.feedUrl, origin), siteUrl: swap(a.siteUrl, origin) };
}

/**
 * An article of a bundled feed with its links (story, photos, links inside the body, source)
 * on `origin`, which serves the demo files; any other article as it is. The feed URL in the
 * attribution carries the origin, so cached item fragments never mix two origins.
 */
export function servedFrom(a: Article, origin: string): Article {
  if (!isBundledUrl(a.source.feedUrl)) return a;
  return {
    ...a,
    url: swap(a.url, origin),
    contentHtml: swap(a.contentHtml, origin),
    assets: a.assets.map((x) => ({ ...x, url: swap(x.url, origin), thumbnailUrl: swap(x.thumbnailUrl, origin) })),
    source: attribution(a.source, origin),
    ...(a.alsoFrom ? { alsoFrom: a.alsoFrom.map((x) => attribution(x, origin)) } : {}),
  };
}
