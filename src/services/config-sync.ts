// Applies the WIREFEED_CONFIG file at start-up: sources and channels it names are created when
// missing and updated when they differ; nothing is deleted (removing a line from the file must
// not silently drop a source's history; use the API or CLI for that).
import type { ConfigFile } from './config-file.js';
import type { Logger } from '../log.js';
import type { ChannelService, SourceService } from './types.js';
import type { Source, SourcePatch } from '../model/types.js';
import { ConfigError, errorMessage } from '../errors.js';

export async function applyConfigFile(
  file: ConfigFile,
  deps: { sources: SourceService & { add(i: Parameters<SourceService['add']>[0], o?: { discover?: boolean }): Promise<Source> }; channels: ChannelService; log: Logger },
): Promise<{ sourcesAdded: number; channelsAdded: number }> {
  let sourcesAdded = 0;
  let channelsAdded = 0;
  const existing = await deps.sources.list();
  for (const [i, entry] of file.sources.entries()) {
    const normalized = safeHref(entry.url);
    const found = existing.find((s) => s.url === normalized || (entry.slug && s.slug === entry.slug));
    try {
      if (!found) {
        await deps.sources.add(entry, { discover: false });
        sourcesAdded++;
        continue;
      }
      const patch: SourcePatch = {};
      if (entry.title !== undefined && entry.title !== found.title) patch.title = entry.title;
      if (entry.categories && JSON.stringify(entry.categories) !== JSON.stringify(found.categories)) patch.categories = entry.categories;
      if (entry.minIntervalS !== undefined && entry.minIntervalS !== found.minIntervalS) patch.minIntervalS = entry.minIntervalS;
      if (entry.maxIntervalS !== undefined && entry.maxIntervalS !== found.maxIntervalS) patch.maxIntervalS = entry.maxIntervalS;
      if (entry.defaultCredit !== undefined && entry.defaultCredit !== found.defaultCredit) patch.defaultCredit = entry.defaultCredit;
      if (entry.defaultRights !== undefined && entry.defaultRights !== found.defaultRights) patch.defaultRights = entry.defaultRights;
      if (Object.keys(patch).length) await deps.sources.update(found.id, patch);
    } catch (err) {
      throw new ConfigError(`config: WIREFEED_CONFIG sources.${i} (${entry.url}): ${errorMessage(err)}`, { cause: err });
    }
  }
  const channels = await deps.channels.list();
  for (const [i, entry] of file.channels.entries()) {
    try {
      const filter = {
        ...(entry.sources?.length ? { sourceIds: entry.sources } : {}),
        ...(entry.categories?.length ? { categories: entry.categories } : {}),
        ...(entry.query ? { query: entry.query } : {}),
      };
      const body = { title: entry.title, description: entry.description, filter, defaultLimit: entry.defaultLimit };
      if (channels.some((c) => c.slug === entry.slug)) await deps.channels.update(entry.slug, body);
      else {
        await deps.channels.create({ slug: entry.slug, ...body });
        channelsAdded++;
      }
    } catch (err) {
      throw new ConfigError(`config: WIREFEED_CONFIG channels.${i} (${entry.slug}): ${errorMessage(err)}`, { cause: err });
    }
  }
  if (sourcesAdded || channelsAdded) deps.log.info({ sourcesAdded, channelsAdded }, 'config file applied');
  return { sourcesAdded, channelsAdded };
}

function safeHref(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}
