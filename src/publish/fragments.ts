// Whole documents from a Serializer, as a string or as UTF-8 bytes with item fragments cached.
import type { Article, OutputFormat, SourceAttribution } from '../model/types.js';
import { isTombstone } from './tombstones.js';
import type { FeedDocument, FragmentCache, Serializer } from './types.js';

/**
 * Everything an item's output depends on: the article (its seq changes with any change of its
 * content or status), the source attribution joined in from the sources table, which can
 * be renamed without touching the article, and in a merged document the other sources.
 */
export function fragmentKey(format: OutputFormat, a: Article): string {
  const key = `${format}\u0000${a.id}\u0000${a.seq}\u0000${a.status}\u0000${attributionKey(a.source)}`;
  return a.alsoFrom === undefined ? key : `${key}\u0000${a.alsoFrom.map(attributionKey).join('\u0000')}`;
}

function attributionKey(s: SourceAttribution): string {
  return `${s.slug}\u0000${s.title}\u0000${s.feedUrl}\u0000${s.siteUrl ?? ''}`;
}

/** An item, or its tombstone when the article is not usable (only cursor pages select those). */
export function renderItem(s: Serializer, a: Article): string {
  return isTombstone(a) ? s.tombstone(a) : s.item(a);
}

export function renderString(s: Serializer, doc: FeedDocument): string {
  const { head, sep, tail } = s.frame(doc);
  return head + doc.items.map((a) => renderItem(s, a)).join(sep) + tail;
}

/**
 * The same bytes as `Buffer.from(renderString(s, doc))`, built from cached UTF-8 item
 * fragments: encoding a two-byte JS string to UTF-8 costs more than serializing it, so the
 * cache keeps bytes and a re-render is mostly a memcpy (Buffer.concat).
 */
export function renderBytes(s: Serializer, doc: FeedDocument, cache?: FragmentCache): Buffer {
  const { head, sep, tail } = s.frame(doc);
  const sepBytes = Buffer.from(sep, 'utf8');
  const parts: Buffer[] = [Buffer.from(head, 'utf8')];
  doc.items.forEach((a, i) => {
    if (i > 0 && sepBytes.length) parts.push(sepBytes);
    const key = cache && fragmentKey(s.format, a);
    let bytes = key === undefined ? undefined : cache!.get(key);
    if (bytes === undefined) {
      bytes = Buffer.from(renderItem(s, a), 'utf8');
      if (key !== undefined) cache!.set(key, bytes);
    }
    parts.push(bytes);
  });
  parts.push(Buffer.from(tail, 'utf8'));
  return Buffer.concat(parts);
}
