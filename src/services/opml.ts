// OPML import/export of the source list, through the same source service as the API.
import type { Source } from '../model/types.js';
import type { SourceService } from './types.js';
import { parseOpml } from '../ingest/opml.js';
import { XmlWriter } from '../publish/xml-writer.js';
import { errorMessage, ValidationError } from '../errors.js';

export interface OpmlImportResult {
  added: Source[];
  /** `duplicate`: a source with that URL exists already (importing again is not a failure). */
  skipped: { url: string; reason: string; duplicate: boolean }[];
}

/** Adds every feed of the document; one bad or duplicate entry is reported, never fatal. */
export async function importOpml(
  text: string,
  sources: SourceService & { add(i: Parameters<SourceService['add']>[0], o?: { discover?: boolean }): Promise<Source> },
  /** Called before the first feed with the total, then after each feed (CLI progress). */
  onProgress?: (done: number, total: number) => void,
): Promise<OpmlImportResult> {
  const result: OpmlImportResult = { added: [], skipped: [] };
  const feeds = parseOpml(text);
  onProgress?.(0, feeds.length);
  for (const feed of feeds) {
    try {
      result.added.push(await sources.add({ url: feed.url, title: feed.title, categories: feed.categories }, { discover: false }));
    } catch (err) {
      result.skipped.push({ url: feed.url, reason: errorMessage(err), duplicate: err instanceof ValidationError && err.code === 'source_exists' });
    }
    onProgress?.(result.added.length + result.skipped.length, feeds.length);
  }
  return result;
}

/** OPML 2.0; sources grouped into folders by their first category. `dateCreated` is left out so output is stable. */
export function exportOpml(sources: Source[], title = 'wirefeed sources'): string {
  const w = new XmlWriter();
  w.open('opml', [['version', '2.0']]);
  w.open('head').leaf('title', title).close('head');
  w.open('body');
  const groups = new Map<string, Source[]>();
  for (const s of [...sources].sort((a, b) => a.slug.localeCompare(b.slug))) {
    const key = s.categories[0] ?? '';
    groups.set(key, [...(groups.get(key) ?? []), s]);
  }
  const outline = (s: Source) =>
    w.empty('outline', [
      ['type', 'rss'],
      ['text', s.title ?? s.slug],
      ['title', s.title ?? s.slug],
      ['xmlUrl', s.url],
      ['htmlUrl', s.siteUrl],
    ]);
  for (const [folder, list] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    if (!folder) {
      list.forEach(outline);
      continue;
    }
    w.open('outline', [
      ['text', folder],
      ['title', folder],
    ]);
    list.forEach(outline);
    w.close('outline');
  }
  w.close('body').close('opml');
  return w.toString();
}
