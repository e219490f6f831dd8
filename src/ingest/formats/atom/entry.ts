// One Atom entry → an article draft: text constructs keep their declared type, content is
// inline (text, HTML, rebuilt XML) or absent when it only points elsewhere (src).
import type { AssetInput } from '../../../model/types.js';
import { htmlToText } from '../../html-text.js';
import { isElement, nodeAttr } from '../xml-node.js';
import { collapseWhitespace } from '../../plain-text.js';
import { mediumFor } from '../assets.js';
import { xmlCategories } from '../categories.js';
import { defined, positiveInt, type ArticleDraft } from '../draft.js';
import { dublinCoreDates } from '../dublin-core.js';
import { addMediaRssAssets } from '../media-rss.js';
import { atomPerson, itemAuthors } from '../people.js';
import type { UrlContext } from '../url-context.js';
import { itemLanguage, type XmlFeedContext } from '../xml-feed.js';
import { firstText } from '../xml-node.js';
import { atomAlternateLink, atomText } from './text-construct.js';
import type { AtomEntry } from './wire.js';

/** `<link rel="enclosure">` (RFC 4287 §4.2.7.2). */
function enclosures(entry: AtomEntry, urls: UrlContext): AssetInput[] {
  const out: AssetInput[] = [];
  for (const l of entry.linksRaw ?? []) {
    if (nodeAttr(l, 'rel') !== 'enclosure') continue;
    const url = urls.resolve(nodeAttr(l, 'href'));
    if (!url) continue;
    const mimeType = nodeAttr(l, 'type')?.trim() || undefined;
    out.push(defined({ url, mimeType, medium: mediumFor(mimeType, undefined), size: positiveInt(nodeAttr(l, 'length')), title: nodeAttr(l, 'title') }));
  }
  return out;
}

function content(entry: AtomEntry): { contentHtml?: string; contentText?: string } {
  const node = entry.contentRaw?.[0];
  const c = atomText(node);
  if (c) return c.html ? { contentHtml: c.value } : { contentText: c.value };
  // Inline XML content xml2js rebuilt as markup (rss-parser's getContent).
  if (isElement(node) && !nodeAttr(node, 'src') && entry.content) return { contentHtml: entry.content };
  return {};
}

export function atomEntry(entry: AtomEntry, ctx: XmlFeedContext): ArticleDraft {
  const urls = ctx.urls.child(entry.attrs?.['xml:base']);
  const r = atomText(entry.rightsRaw?.[0]);
  const rights = r ? (r.html ? htmlToText(r.value) : collapseWhitespace(r.value)) : firstText(entry.dcRightsRaw);
  const dc = dublinCoreDates(entry);
  const url = urls.resolve(atomAlternateLink(entry.linksRaw));
  const assets = addMediaRssAssets(entry, urls, enclosures(entry, urls));
  return defined({
    guid: firstText(entry.idRaw),
    url,
    base: urls.base,
    title: atomText(entry.titleRaw?.[0]),
    ...content(entry),
    summary: atomText(entry.summaryRaw?.[0]),
    authors: itemAuthors(entry, (n) => atomPerson(n, urls), ctx.authors),
    categories: xmlCategories(entry, urls),
    language: itemLanguage(entry, ctx),
    rights: rights ?? ctx.rights,
    dates: {
      published: firstText(entry.publishedRaw) ?? firstText(entry.issuedRaw) ?? firstText(entry.createdRaw) ?? dc.published,
      updated: firstText(entry.updatedRaw) ?? firstText(entry.modifiedRaw) ?? dc.updated,
      dcDate: firstText(entry.dcDateRaw),
    },
    assets,
    neededDocumentUrl: urls.neededDocumentUrl,
  });
}
