// RSS 1.0 / RDF-rooted RSS 0.90 → article drafts and feed facts: RSS's channel and item
// reading, with each item's rdf:about standing in for a missing link.
import type { LintCollector } from '../../lint.js';
import type { AdaptedFeed } from '../draft.js';
import { adaptRssChannel } from '../rss/adapter.js';
import type { UrlContext } from '../url-context.js';
import type { XmlDocument } from '../xml-feed.js';
import { rdfAbout } from './wire.js';

export function adaptRdf(doc: XmlDocument, documentUrls: UrlContext, lint: LintCollector): AdaptedFeed {
  return adaptRssChannel(doc, documentUrls, lint, rdfAbout);
}
