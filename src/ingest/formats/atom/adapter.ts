// Atom 1.0 / 0.3 → article drafts and feed facts. The <feed> is the root, so its xml:base is
// the root's; feed-level authors and rights are inherited by entries that state none.
import type { Author } from '../../../model/types.js';
import type { LintCollector } from '../../lint.js';
import { xmlWebSubLinks } from '../websub-links.js';
import { defined, markedToText, positiveInt, type AdaptedFeed } from '../draft.js';
import { atomPerson } from '../people.js';
import type { UrlContext } from '../url-context.js';
import { feedContext, feedLanguage, lintFeedRelativeLinks, type XmlDocument } from '../xml-feed.js';
import { firstText } from '../xml-node.js';
import { atomEntry } from './entry.js';
import { atomAlternateLink, atomText } from './text-construct.js';
import type { AtomFeed } from './wire.js';

export function adaptAtom(doc: XmlDocument, documentUrls: UrlContext, lint: LintCollector): AdaptedFeed {
  const feed: AtomFeed = doc.feed;
  const urls = documentUrls.child(doc.rootBase);
  const language = feedLanguage(doc);
  const feedRights = atomText(feed.rightsRaw?.[0]);
  const rights = (feedRights ? markedToText(feedRights) : undefined) ?? firstText(feed.copyrightRaw) ?? firstText(feed.dcRightsRaw);
  const authors = (feed.authorsRaw ?? []).map((a) => atomPerson(a, urls)).filter((a): a is Author => !!a);
  const title = atomText(feed.titleRaw?.[0]);
  const subtitle = atomText(feed.subtitleRaw?.[0] ?? feed.taglineRaw?.[0]);
  const meta = defined({
    title: title ? markedToText(title) || undefined : undefined,
    description: subtitle ? markedToText(subtitle) || undefined : undefined,
    siteUrl: urls.resolve(atomAlternateLink(feed.linksRaw)),
    language,
    ttlMinutes: positiveInt(firstText(feed.ttlRaw)),
    format: doc.format,
    ...xmlWebSubLinks(feed.linksRaw, feed.atomLinksRaw, (href) => urls.resolve(href)),
  });
  const ctx = feedContext(urls, authors, language, rights);
  const drafts = feed.items.map((entry) => atomEntry(entry, ctx));
  lintFeedRelativeLinks(urls, drafts, lint, 'relative URLs resolved against the document URL (no xml:base)');
  return { meta, drafts };
}
