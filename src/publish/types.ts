// What the serializers take: a feed document, already chosen and ordered by the caller.
import type { Article, IsoDate } from '../model/types.js';

export interface FeedLinks {
  /** Absolute URL of this document (atom:link rel=self, JSON feed_url). */
  self: string;
  /** Human page (RSS link, Atom rel=alternate, JSON home_page_url). */
  html: string;
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
