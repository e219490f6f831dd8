// RSS 2.0 / 0.9x → article drafts and feed facts. RSS 1.0 (../rdf) reads its channel the same
// way, with its items' rdf:about as their link.
import type { LintCollector } from '../../lint.js';
import { defined, markedToText, positiveInt, type AdaptedFeed } from '../draft.js';
import type { UrlContext } from '../url-context.js';
import { xmlWebSubLinks } from '../websub-links.js';
import { feedContext, feedLanguage, lintFeedRelativeLinks, type XmlDocument } from '../xml-feed.js';
import { firstText, text } from '../xml-node.js';
import { rssItem } from './item.js';
import type { RssChannel, RssItem } from './wire.js';

/** An RSS document read against the document's URL context. */
export function adaptRss(doc: XmlDocument, documentUrls: UrlContext, lint: LintCollector): AdaptedFeed {
  return adaptRssChannel(doc, documentUrls, lint, () => undefined);
}

/** The RSS channel reader; `aboutLink` gives an item's fallback link (RSS 1.0: rdf:about). */
export function adaptRssChannel(doc: XmlDocument, documentUrls: UrlContext, lint: LintCollector, aboutLink: (item: RssItem) => string | undefined): AdaptedFeed {
  const channel: RssChannel = doc.feed;
  // The root (<rss>, <rdf:RDF>) and the channel may each carry an xml:base.
  const urls = documentUrls.child(doc.rootBase).child(channel.attrs?.['xml:base']);
  const language = feedLanguage(doc);
  const rights = firstText(channel.copyrightRaw) ?? firstText(channel.dcRightsRaw);
  const ctx = feedContext(urls, [], language, rights);
  const title = text(channel.titleRaw?.[0]);
  const description = text(channel.descriptionRaw?.[0]);
  const meta = defined({
    title: title ? markedToText({ value: title, html: true }) || undefined : undefined,
    description: description ? markedToText({ value: description, html: true }) || undefined : undefined,
    siteUrl: urls.resolve(firstText(channel.linksRaw)),
    language,
    ttlMinutes: positiveInt(firstText(channel.ttlRaw)),
    format: doc.format,
    ...xmlWebSubLinks(channel.linksRaw, channel.atomLinksRaw, (href) => urls.resolve(href)),
  });
  const drafts = channel.items.map((item) => rssItem(item, ctx, aboutLink(item)));
  lintFeedRelativeLinks(urls, drafts, lint, 'relative URLs resolved against the document URL (no xml:base)');
  return { meta, drafts };
}
