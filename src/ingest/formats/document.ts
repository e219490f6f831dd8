// The parsed document (DESIGN.md §1 step 5) as parse.ts hands it to the format adapters: the
// raw xml2js captures of each RSS/Atom channel and item, or a typed JSON Feed. Capturing one
// more element means one entry here and one in parse.ts's ITEM_FIELDS/FEED_FIELDS, then the
// adapter that reads it.
import type { LintIssue } from '../../model/types.js';
import type { JsonFeed, JsonFeedFormat } from './jsonfeed/wire.js';
import type { XmlAttrs, XmlNode } from './xml-node.js';

/** Raw captures on each item/entry (all arrays of xml2js nodes, as in the document). */
export interface XmlItemRaw {
  attrs?: XmlAttrs;
  titleRaw?: XmlNode[];
  linksRaw?: XmlNode[];
  guidRaw?: XmlNode[];
  idRaw?: XmlNode[];
  authorsRaw?: XmlNode[];
  dcCreatorRaw?: XmlNode[];
  categoriesRaw?: XmlNode[];
  dcSubjectRaw?: XmlNode[];
  descriptionRaw?: XmlNode[];
  summaryRaw?: XmlNode[];
  contentRaw?: XmlNode[];
  contentEncodedRaw?: XmlNode[];
  pubDateRaw?: XmlNode[];
  publishedRaw?: XmlNode[];
  updatedRaw?: XmlNode[];
  issuedRaw?: XmlNode[];
  modifiedRaw?: XmlNode[];
  createdRaw?: XmlNode[];
  dcDateRaw?: XmlNode[];
  dctermsIssuedRaw?: XmlNode[];
  dctermsCreatedRaw?: XmlNode[];
  dctermsModifiedRaw?: XmlNode[];
  dctermsAvailableRaw?: XmlNode[];
  dcRightsRaw?: XmlNode[];
  dcTitleRaw?: XmlNode[];
  rightsRaw?: XmlNode[];
  dcLanguageRaw?: XmlNode[];
  enclosuresRaw?: XmlNode[];
  mediaContentRaw?: XmlNode[];
  mediaGroupRaw?: XmlNode[];
  mediaThumbnailRaw?: XmlNode[];
  mediaTitleRaw?: XmlNode[];
  mediaDescriptionRaw?: XmlNode[];
  mediaCreditRaw?: XmlNode[];
  mediaCopyrightRaw?: XmlNode[];
  mediaLicenseRaw?: XmlNode[];
  sourceRaw?: XmlNode[];
}

export interface XmlFeedRaw {
  attrs?: XmlAttrs;
  titleRaw?: XmlNode[];
  subtitleRaw?: XmlNode[];
  taglineRaw?: XmlNode[];
  descriptionRaw?: XmlNode[];
  linksRaw?: XmlNode[];
  atomLinksRaw?: XmlNode[];
  languageRaw?: XmlNode[];
  dcLanguageRaw?: XmlNode[];
  ttlRaw?: XmlNode[];
  rightsRaw?: XmlNode[];
  copyrightRaw?: XmlNode[];
  dcRightsRaw?: XmlNode[];
  idRaw?: XmlNode[];
  authorsRaw?: XmlNode[];
}

/** The channel or feed with its items, as rss-parser returns it with the captures above. */
export type XmlFeed = XmlFeedRaw & {
  items: (XmlItemRaw & {
    /** Inline XML content as xml2js rebuilt it into markup (rss-parser's getContent). */
    content?: string;
  })[];
};
export type XmlFormat = 'rss2' | 'rss1' | 'rss09x' | 'atom10' | 'atom03' | 'cdf';

export type ParsedDocument =
  | {
      kind: 'xml';
      format: XmlFormat;
      /** The root element's name: `rdf:RDF` for RSS 1.0 and Netscape RSS 0.90, `rss`, `feed`, CDF's `CHANNEL`. */
      root: string;
      feed: XmlFeed;
      /** xml:base on the root element (RSS `<rss>`/`<rdf:RDF>`, Atom `<feed>`). */
      rootBase?: string;
      /** xml:lang on the root element. */
      rootLang?: string;
      lint: LintIssue[];
    }
  | { kind: 'json'; format: JsonFeedFormat; feed: JsonFeed; lint: LintIssue[] };

