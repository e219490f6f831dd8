// RSS 2.0 / 0.9x on the wire (https://www.rssboard.org/rss-specification), as parse.ts
// captures it: the channel and item elements the RSS adapter reads (RSS 1.0 shares the item
// reader, see ../rdf).
import type { XmlFeed, XmlItemRaw } from '../document.js';
import type { MediaRssItem } from '../media-rss.js';

export type RssItem = Pick<
  XmlItemRaw,
  | 'attrs'
  | 'titleRaw'
  | 'linksRaw'
  | 'guidRaw'
  | 'authorsRaw'
  | 'dcCreatorRaw'
  | 'categoriesRaw'
  | 'dcSubjectRaw'
  | 'descriptionRaw'
  | 'contentEncodedRaw'
  | 'pubDateRaw'
  | 'dcDateRaw'
  | 'dctermsIssuedRaw'
  | 'dctermsCreatedRaw'
  | 'dctermsModifiedRaw'
  | 'dctermsAvailableRaw'
  | 'dcRightsRaw'
  | 'dcTitleRaw'
  | 'dcLanguageRaw'
  | 'enclosuresRaw'
> &
  MediaRssItem;

export type RssChannel = Pick<XmlFeed, 'attrs' | 'titleRaw' | 'descriptionRaw' | 'linksRaw' | 'atomLinksRaw' | 'ttlRaw' | 'copyrightRaw' | 'dcRightsRaw'> & {
  items: RssItem[];
};
