// What the serializers take: a feed document, already chosen and ordered by the caller.
import type { Article, OutputFormat, IsoDate } from '../model/types.js';

export interface FeedLinks {
  /** Absolute URL of this document (atom:link rel=self, JSON feed_url). */
  self: string;
  /** Human page (RSS link, Atom rel=alternate, JSON home_page_url). */
  html: string;
  /** WebSub hub (W3C WebSub §4 discovery): atom:link rel="hub", JSON Feed `hubs`. */
  hub?: string;
  /** Cursor paging (RFC 5005): next page of newer items for partners. */
  next?: string;
  /** RFC 5005 prev-archive. */
  prevArchive?: string;
  /** First page of the cursor protocol (after=0). */
  first?: string;
  /** The same feed in the other formats (atom:link rel=alternate type=…). */
  alternates?: { type: string; href: string }[];
}

export interface FeedDocument {
  /** Stable feed id: a URL or a tag: URI; never changes for the same channel. */
  id: string;
  title: string;
  description?: string;
  language?: string;
  links: FeedLinks;
  /** Newest article's updated/published time; undefined for an empty feed (never "now"). */
  updated?: IsoDate;
  generator: { name: string; version: string; uri: string };
  /** Icon / logo for the feed, if any. */
  icon?: string;
  items: Article[];
}

export type Renderer = (doc: FeedDocument) => string;

/**
 * A format split so items can be serialized (and cached) on their own: the output is
 * `head + items.join(sep) + tail`, every part already free of characters XML 1.0 forbids.
 */
export interface Serializer {
  format: OutputFormat;
  frame(doc: FeedDocument): { head: string; sep: string; tail: string };
  item(a: Article): string;
  /** The entry for an article that is not usable, on cursor pages (publish/tombstones.ts). */
  tombstone(a: Article): string;
}

/**
 * Serialized items as UTF-8, keyed by `fragmentKey` (format + article id + seq + source
 * attribution): an article's bytes change only when its seq does, so a feed re-rendered after
 * an ingest write serializes and encodes only the new and changed items. Injected by the
 * caller (an LRU in the feed service); the serializers stay pure.
 */
export interface FragmentCache {
  get(key: string): Buffer | undefined;
  set(key: string, value: Buffer): void;
}
