// Atom 1.0 (RFC 4287) and Atom 0.3 on the wire, as parse.ts captures them: the feed and entry
// elements the Atom adapter reads (0.3's issued/modified/created/tagline included).
import type { XmlFeed, XmlItemRaw } from '../document.js';
import type { MediaRssItem } from '../media-rss.js';

export type AtomEntry = Pick<
  XmlItemRaw,
  | 'attrs'
  | 'idRaw'
  | 'titleRaw'
  | 'linksRaw'
  | 'authorsRaw'
  | 'dcCreatorRaw'
  | 'categoriesRaw'
  | 'dcSubjectRaw'
  | 'summaryRaw'
  | 'contentRaw'
  | 'publishedRaw'
  | 'updatedRaw'
  | 'issuedRaw'
  | 'modifiedRaw'
  | 'createdRaw'
  | 'dcDateRaw'
  | 'dctermsIssuedRaw'
  | 'dctermsCreatedRaw'
  | 'dctermsModifiedRaw'
  | 'dctermsAvailableRaw'
  | 'rightsRaw'
  | 'dcRightsRaw'
  | 'dcLanguageRaw'
> &
  MediaRssItem & {
  /** Inline XML content as xml2js rebuilt it into markup (rss-parser's getContent). */
  content?: string;
};

export type AtomFeed = Pick<XmlFeed, 'attrs' | 'titleRaw' | 'subtitleRaw' | 'taglineRaw' | 'linksRaw' | 'atomLinksRaw' | 'ttlRaw' | 'rightsRaw' | 'copyrightRaw' | 'dcRightsRaw' | 'authorsRaw'> & {
  items: AtomEntry[];
};
