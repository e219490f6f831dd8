// JSON Feed 1.0 / 1.1 → article drafts and feed facts, wirefeed's extensions included
// (`_media` on attachments, `_rights`, `_ednote`). Titles may carry HTML; summaries are text.
import type { AssetInput } from '../../../model/types.js';
import type { LintCollector } from '../../lint.js';
import { maybeHtmlToText } from '../../html-text.js';
import { collapseWhitespace } from '../../plain-text.js';
import { jsonWebSubLinks } from '../websub-links.js';
import { mediumFor } from '../assets.js';
import { dedupeAuthors, defined, positiveInt, type AdaptedFeed, type ArticleDraft } from '../draft.js';
import type { UrlContext } from '../url-context.js';
import type { JsonFeed, JsonFeedFormat, JsonFeedItem } from './wire.js';

/** The JSON variant of the parsed document (formats/document.ts). */
export interface JsonDocument {
  format: JsonFeedFormat;
  feed: JsonFeed;
}

function attachments(item: JsonFeedItem, urls: UrlContext): AssetInput[] {
  const assets: AssetInput[] = [];
  for (const a of item.attachments) {
    const url = urls.resolve(a.url);
    if (!url) continue;
    const m = a._media ?? {};
    assets.push(
      defined({
        url,
        mimeType: a.mime_type,
        medium: mediumFor(a.mime_type, m.medium),
        width: positiveInt(m.width),
        height: positiveInt(m.height),
        size: positiveInt(a.size_in_bytes),
        title: a.title,
        caption: m.caption,
        credit: m.credit,
        creditRole: m.credit_role,
        rights: m.copyright,
      }),
    );
  }
  return assets;
}

function jsonItem(item: JsonFeedItem, feed: JsonFeed, base: UrlContext): ArticleDraft {
  const urls = base.child(undefined);
  const assets = attachments(item, urls);
  const image = urls.resolve(item.image);
  // `image` is the item's main image (JSON Feed 1.1); list it first, merged with its attachment.
  if (image) assets.unshift({ url: image, medium: 'image' });
  const authors = item.authors.length ? item.authors : feed.authors;
  return defined({
    guid: item.id,
    url: urls.resolve(item.url ?? item.external_url),
    base: urls.base,
    title: item.title ? { value: item.title, html: true } : undefined,
    contentHtml: item.content_html,
    contentText: item.content_text,
    summary: item.summary ? { value: item.summary, html: false } : undefined,
    authors: dedupeAuthors(authors.map((a) => defined({ name: collapseWhitespace(a.name ?? a.url ?? ''), url: urls.resolve(a.url, 'contact') })).filter((a) => a.name)),
    categories: item.tags.map((term) => ({ term: collapseWhitespace(term) })).filter((c) => c.term),
    language: item.language ?? feed.language,
    rights: item._rights?.text ?? feed._rights?.text,
    ednote: item._ednote?.text,
    dates: defined({ published: item.date_published, updated: item.date_modified }),
    assets,
    neededDocumentUrl: urls.neededDocumentUrl,
  });
}

export function adaptJsonFeed(doc: JsonDocument, urls: UrlContext, lint: LintCollector): AdaptedFeed {
  const feed = doc.feed;
  const drafts = feed.items.map((i) => jsonItem(i, feed, urls));
  const meta = defined({
    title: feed.title ? maybeHtmlToText(feed.title) : undefined,
    description: feed.description ? maybeHtmlToText(feed.description) : undefined,
    siteUrl: urls.resolve(feed.home_page_url),
    language: feed.language,
    format: doc.format,
    ...jsonWebSubLinks(feed.hubs, feed.feed_url, (href) => urls.resolve(href)),
  });
  if (urls.neededDocumentUrl && !drafts.some((r) => r.neededDocumentUrl)) lint.add('relative_links', 'relative URLs resolved against the document URL');
  return { meta, drafts };
}
