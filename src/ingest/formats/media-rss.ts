// Media RSS (https://www.rssboard.org/media-rss) on an RSS item or Atom entry: media:group,
// media:content and media:thumbnail become assets, with title, caption, credit and rights
// inherited from the group, then the item level.
import type { AssetInput } from '../../model/types.js';
import { htmlToText } from '../html-text.js';
import { childNodes, nodeAttr } from './xml-node.js';
import { type XmlItemRaw } from './document.js';
import { isImage, mediumFor } from './assets.js';
import { defined, positiveInt } from './draft.js';
import type { UrlContext } from './url-context.js';
import { text } from './xml-node.js';

/** The Media RSS captures of an item. */
export type MediaRssItem = Pick<
  XmlItemRaw,
  'mediaContentRaw' | 'mediaGroupRaw' | 'mediaThumbnailRaw' | 'mediaTitleRaw' | 'mediaDescriptionRaw' | 'mediaCreditRaw' | 'mediaCopyrightRaw' | 'mediaLicenseRaw'
>;

interface MediaMeta {
  title?: string;
  caption?: string;
  credit?: string;
  creditRole?: string;
  rights?: string;
}

/** Media RSS optional elements (title, description, credit, copyright, license) of a level. */
function mediaMeta(el: unknown, fallback: MediaMeta = {}): MediaMeta {
  const desc = childNodes(el, 'media:description')[0];
  const caption = desc !== undefined ? text(desc) : undefined;
  const captionText = caption && nodeAttr(desc, 'type') === 'html' ? htmlToText(caption) : caption;
  const titleNode = childNodes(el, 'media:title')[0];
  const title = text(titleNode);
  const credit = childNodes(el, 'media:credit')[0];
  const license = childNodes(el, 'media:license')[0];
  const rights = text(childNodes(el, 'media:copyright')[0]) ?? text(license) ?? nodeAttr(license, 'href');
  const creditText = text(credit);
  return {
    title: (title && nodeAttr(titleNode, 'type') === 'html' ? htmlToText(title) : title) ?? fallback.title,
    caption: captionText ?? fallback.caption,
    credit: creditText ?? fallback.credit,
    creditRole: creditText ? nodeAttr(credit, 'role') : fallback.creditRole,
    rights: rights ?? fallback.rights,
  };
}

function itemLevelMedia(item: MediaRssItem): MediaMeta {
  // Item-level Media RSS elements arrive as separate captures; wrap them like a group.
  return mediaMeta({
    'media:title': item.mediaTitleRaw,
    'media:description': item.mediaDescriptionRaw,
    'media:credit': item.mediaCreditRaw,
    'media:copyright': item.mediaCopyrightRaw,
    'media:license': item.mediaLicenseRaw,
  });
}

function mediaContentAsset(el: unknown, inherited: MediaMeta, urls: UrlContext): AssetInput | undefined {
  const url = urls.resolve(nodeAttr(el, 'url'));
  if (!url) return undefined;
  const meta = mediaMeta(el, inherited);
  const mimeType = nodeAttr(el, 'type')?.trim() || undefined;
  return defined({
    url,
    mimeType,
    medium: mediumFor(mimeType, nodeAttr(el, 'medium')),
    width: positiveInt(nodeAttr(el, 'width')),
    height: positiveInt(nodeAttr(el, 'height')),
    size: positiveInt(nodeAttr(el, 'fileSize')),
    title: meta.title,
    caption: meta.caption,
    credit: meta.credit,
    creditRole: meta.creditRole,
    rights: meta.rights,
    thumbnailUrl: urls.resolve(nodeAttr(childNodes(el, 'media:thumbnail')[0], 'url')),
  });
}

/**
 * Appends the item's Media RSS assets to `out` (which already holds its enclosures, so a
 * lone thumbnail only becomes the item's image when nothing else is one).
 */
export function addMediaRssAssets(item: MediaRssItem, urls: UrlContext, out: AssetInput[]): AssetInput[] {
  const itemMeta = itemLevelMedia(item);
  for (const group of item.mediaGroupRaw ?? []) {
    const groupMeta = mediaMeta(group, itemMeta);
    for (const c of childNodes(group, 'media:content')) {
      const a = mediaContentAsset(c, groupMeta, urls);
      if (a) {
        a.thumbnailUrl ??= urls.resolve(nodeAttr(childNodes(group, 'media:thumbnail')[0], 'url'));
        out.push(defined(a));
      }
    }
  }
  for (const c of item.mediaContentRaw ?? []) {
    const a = mediaContentAsset(c, itemMeta, urls);
    if (a) out.push(a);
  }
  const thumbs = (item.mediaThumbnailRaw ?? []).map((t) => ({ url: urls.resolve(nodeAttr(t, 'url')), width: positiveInt(nodeAttr(t, 'width')), height: positiveInt(nodeAttr(t, 'height')) }));
  for (const t of thumbs) {
    if (!t.url) continue;
    const target = out.find((a) => !a.thumbnailUrl && a.url !== t.url);
    // A thumbnail beside other media is their preview; alone, it is the item's image.
    if (target) target.thumbnailUrl = t.url;
    else if (!out.some(isImage)) out.push(defined({ url: t.url, medium: 'image', width: t.width, height: t.height, ...itemMeta }));
  }
  return out;
}
