// One RSS item (2.0, 0.9x; 1.0 through ../rdf) → an article draft. RSS text fields are HTML by convention;
// `content:encoded` is the body, `description` the summary (and the body when alone).
import type { AssetInput } from '../../../model/types.js';
import { nodeAttr } from '../xml-node.js';
import { addMediaRssAssets } from '../media-rss.js';
import { mediumFor } from '../assets.js';
import { xmlCategories } from '../categories.js';
import { defined, positiveInt, type ArticleDraft } from '../draft.js';
import { dublinCoreDates } from '../dublin-core.js';
import { itemAuthors, rssPerson } from '../people.js';
import type { UrlContext } from '../url-context.js';
import { itemLanguage, type XmlFeedContext } from '../xml-feed.js';
import { firstText, text } from '../xml-node.js';
import type { RssItem } from './wire.js';

function enclosures(item: RssItem, urls: UrlContext): AssetInput[] {
  const out: AssetInput[] = [];
  for (const e of item.enclosuresRaw ?? []) {
    const url = urls.resolve(nodeAttr(e, 'url'));
    if (!url) continue;
    const mimeType = nodeAttr(e, 'type')?.trim() || undefined;
    out.push(defined({ url, mimeType, medium: mediumFor(mimeType, undefined), size: positiveInt(nodeAttr(e, 'length')) }));
  }
  return out;
}

/** `aboutLink` is the item's link when it states none (RSS 1.0's rdf:about, ../rdf). */
export function rssItem(item: RssItem, ctx: XmlFeedContext, aboutLink?: string): ArticleDraft {
  const urls = ctx.urls.child(item.attrs?.['xml:base']);
  const guidNode = item.guidRaw?.[0];
  const guid = text(guidNode);
  let url = urls.resolve(firstText(item.linksRaw) ?? aboutLink);
  // RSS 2.0: a guid is a permalink unless isPermaLink="false"; use it when there is no link.
  if (!url && guid && nodeAttr(guidNode, 'isPermaLink') !== 'false' && /^https?:\/\//i.test(guid)) url = urls.resolve(guid);
  // Dublin Core's dc:title is the item's title when it has no <title> (RSS 1.0 modules, and RSS 2.0
  // items that carry only DC elements); peers such as feedparser read it the same way.
  const title = firstText(item.titleRaw) ?? firstText(item.dcTitleRaw);
  const description = firstText(item.descriptionRaw);
  const dc = dublinCoreDates(item);
  const assets = addMediaRssAssets(item, urls, enclosures(item, urls));
  return defined({
    guid,
    url,
    base: urls.base,
    title: title ? { value: title, html: true } : undefined,
    contentHtml: firstText(item.contentEncodedRaw) ?? description,
    summary: description ? { value: description, html: true } : undefined,
    authors: itemAuthors(item, (n) => rssPerson(n, urls), ctx.authors),
    categories: xmlCategories(item, urls),
    language: itemLanguage(item, ctx),
    rights: firstText(item.dcRightsRaw) ?? ctx.rights,
    dates: { published: firstText(item.pubDateRaw) ?? dc.published, updated: dc.updated, dcDate: firstText(item.dcDateRaw) },
    assets,
    neededDocumentUrl: urls.neededDocumentUrl,
  });
}
