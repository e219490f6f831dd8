// RSS 2.0 (https://www.rssboard.org/rss-specification) with the content, dc, Media RSS and
// atom namespaces (DESIGN.md §5).
import type { Article } from '../model/types.js';
import { articleId, isPermaLink } from './ids.js';
import { MEDIA_NS, writeMediaContent } from './media-rss.js';
import { writeEdnote } from './ednote.js';
import {
  effectivePublished,
  emailAddress,
  feedUpdated,
  hasDistinctUpdate,
  mimeTypeOf,
  nonEmpty,
  primaryEnclosure,
  toRfc3339,
  toRfc822,
} from './field-values.js';
import type { FeedDocument, Renderer, Serializer } from './types.js';
import { renderString } from './fragments.js';
import { XmlWriter } from './xml-writer.js';
import { LIFECYCLE_NS, tombstoneFacts } from './tombstones.js';

const RSS_ATTRS = [
  ['version', '2.0'],
  ['xmlns:content', 'http://purl.org/rss/1.0/modules/content/'],
  ['xmlns:dc', 'http://purl.org/dc/elements/1.1/'],
  ['xmlns:media', MEDIA_NS],
  ['xmlns:atom', 'http://www.w3.org/2005/Atom'],
] as const;

const RSS_DOCS = 'https://www.rssboard.org/rss-specification';

function rssHead(doc: FeedDocument): string {
  const w = new XmlWriter();
  w.open('rss', RSS_ATTRS).open('channel');
  w.leaf('title', doc.title);
  w.leaf('link', doc.links.html);
  const links = doc.links;
  w.empty('atom:link', [['href', links.self], ['rel', 'self'], ['type', 'application/rss+xml']]);
  // WebSub §4: RSS carries the hub as an atom:link, next to the self link (the topic).
  if (links.hub !== undefined) w.empty('atom:link', [['href', links.hub], ['rel', 'hub']]);
  // RFC 5005 paging links for partners walking the cursor.
  if (links.first !== undefined) w.empty('atom:link', [['href', links.first], ['rel', 'first']]);
  if (links.next !== undefined) w.empty('atom:link', [['href', links.next], ['rel', 'next']]);
  if (links.prevArchive !== undefined) w.empty('atom:link', [['href', links.prevArchive], ['rel', 'prev-archive']]);
  for (const alt of links.alternates ?? []) {
    w.empty('atom:link', [['href', alt.href], ['rel', 'alternate'], ['type', alt.type]]);
  }
  // `description` is required on the channel; the title is the best honest fallback.
  w.leaf('description', nonEmpty(doc.description) ?? doc.title);
  w.leaf('language', nonEmpty(doc.language));
  // Omitted for an empty feed rather than stamped with "now": the bytes must stay cacheable.
  w.leaf('lastBuildDate', toRfc822(feedUpdated(doc)));
  w.leaf('generator', `${doc.generator.name} ${doc.generator.version} (${doc.generator.uri})`);
  w.leaf('docs', RSS_DOCS);
  if (doc.icon !== undefined) {
    w.open('image').leaf('url', doc.icon).leaf('title', doc.title).leaf('link', doc.links.html).close('image');
  }
  return w.toString();
}

const RSS_TAIL = new XmlWriter({ declaration: false, depth: 2 }).close('channel').close('rss').toString();

export const rssSerializer: Serializer = {
  format: 'rss',
  frame: (doc) => ({ head: rssHead(doc), sep: '', tail: RSS_TAIL }),
  item: rssItem,
  tombstone: rssTombstone,
};

/**
 * RSS 2.0 has no tombstones: an item with the same guid, the notice as its description (an
 * item needs a title or a description) and `wf:status when=` (canceled or withheld) plus
 * `wf:reason` in the wirefeed lifecycle namespace, declared on the item so the fragment stands alone.
 */
function rssTombstone(a: Article): string {
  const t = tombstoneFacts(a);
  const w = new XmlWriter({ declaration: false, depth: 2 });
  const id = articleId(a);
  w.open('item', [['xmlns:wf', LIFECYCLE_NS]]);
  w.leaf('guid', id, [['isPermaLink', isPermaLink(a, id) ? 'true' : 'false']]);
  w.leaf('description', t.reason);
  w.leaf('wf:status', t.status, [['when', t.when]]);
  w.leaf('wf:reason', t.reason);
  w.close('item');
  return w.toString();
}

export const renderRss: Renderer = (doc) => renderString(rssSerializer, doc);

/** One `<item>` at its depth inside `<rss><channel>`. */
function rssItem(a: Article): string {
  const w = new XmlWriter({ declaration: false, depth: 2 });
  writeItem(w, a);
  return w.toString();
}

function writeItem(w: XmlWriter, a: Article): void {
  w.open('item');
  w.leaf('title', a.title);
  w.leaf('link', nonEmpty(a.url));
  const id = articleId(a);
  w.leaf('guid', id, [['isPermaLink', isPermaLink(a, id) ? 'true' : 'false']]);
  w.leaf('pubDate', toRfc822(effectivePublished(a)));
  if (hasDistinctUpdate(a)) w.leaf('atom:updated', toRfc3339(a.updatedAt));
  // RSS `author` must be an email address ("email (Name)"); names alone go to dc:creator.
  for (const author of a.authors) {
    const email = emailAddress(author.email);
    if (email !== undefined) w.leaf('author', `${email} (${author.name})`);
  }
  for (const author of a.authors) w.leaf('dc:creator', nonEmpty(author.name));
  for (const c of a.categories) w.leaf('category', c.term, [['domain', nonEmpty(c.scheme)]]);
  w.leaf('dc:language', nonEmpty(a.language));
  // RSS 2.0: an item needs a title or a description. An item with neither (a bare photo) gets an
  // empty description rather than words the source did not write.
  w.leaf('description', nonEmpty(a.summary) ?? (nonEmpty(a.title) === undefined ? '' : undefined));
  w.leaf('content:encoded', nonEmpty(a.contentHtml));
  const enclosure = primaryEnclosure(a.assets);
  if (enclosure !== undefined) {
    w.empty('enclosure', [['url', enclosure.asset.url], ['length', enclosure.length], ['type', mimeTypeOf(enclosure.asset)]]);
  }
  for (const asset of a.assets) writeMediaContent(w, asset);
  w.leaf('dc:rights', nonEmpty(a.rights));
  writeEdnote(w, a);
  w.leaf('source', a.source.title, [['url', a.source.feedUrl]]);
  w.close('item');
}
