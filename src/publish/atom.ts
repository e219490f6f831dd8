// Atom 1.0 (RFC 4287) with Media RSS for asset captions, credits and rights (DESIGN.md §5).
import type { Article } from '../model/types.js';
import { articleId } from './ids.js';
import { MEDIA_NS, writeMediaContent } from './media-rss.js';
import { writeEdnote } from './ednote.js';
import {
  displayTitle,
  effectivePublished,
  effectiveUpdated,
  emailAddress,
  feedUpdated,
  languageTag,
  mimeTypeOf,
  nonEmpty,
  toRfc3339,
  wholeNumber,
} from './field-values.js';
import type { FeedDocument, Renderer, Serializer } from './types.js';
import { renderString } from './fragments.js';
import { XmlWriter } from './xml-writer.js';
import { LIFECYCLE_NS, TOMBSTONES_NS, tombstoneFacts } from './tombstones.js';

const ATOM_NS = 'http://www.w3.org/2005/Atom';

/**
 * `atom:updated` is required (RFC 4287 §4.1.1) but an empty feed has no data to date it.
 * The epoch is derived from nothing that changes, so the bytes (and the ETag) stay stable,
 * and it honestly says "no content since ever"; "now" would be a lie that defeats caching.
 */
export const EMPTY_FEED_UPDATED = '1970-01-01T00:00:00Z';

function atomHead(doc: FeedDocument): string {
  const w = new XmlWriter();
  w.open('feed', [['xmlns', ATOM_NS], ['xmlns:media', MEDIA_NS], ['xml:lang', languageTag(doc.language)]]);
  w.leaf('id', doc.id);
  w.leaf('title', doc.title, [['type', 'text']]);
  w.leaf('subtitle', nonEmpty(doc.description), [['type', 'text']]);
  w.leaf('updated', toRfc3339(feedUpdated(doc)) ?? EMPTY_FEED_UPDATED);
  const links = doc.links;
  w.empty('link', [['rel', 'alternate'], ['type', 'text/html'], ['href', links.html]]);
  w.empty('link', [['rel', 'self'], ['type', 'application/atom+xml'], ['href', links.self]]);
  // WebSub §4: the hub next to the self link; the self URL is the topic to subscribe to.
  if (links.hub !== undefined) w.empty('link', [['rel', 'hub'], ['href', links.hub]]);
  // RFC 4287 §4.1.1: at most one rel=alternate per type, so skip ones clashing with those above.
  for (const alt of links.alternates ?? []) {
    if (alt.type === 'text/html' || alt.type === 'application/atom+xml') continue;
    w.empty('link', [['rel', 'alternate'], ['type', alt.type], ['href', alt.href]]);
  }
  // RFC 5005 §3 paging for partners walking the cursor.
  if (links.first !== undefined) w.empty('link', [['rel', 'first'], ['href', links.first]]);
  if (links.next !== undefined) w.empty('link', [['rel', 'next'], ['href', links.next]]);
  if (links.prevArchive !== undefined) w.empty('link', [['rel', 'prev-archive'], ['href', links.prevArchive]]);
  w.leaf('generator', doc.generator.name, [['uri', doc.generator.uri], ['version', doc.generator.version]]);
  w.leaf('icon', nonEmpty(doc.icon));
  return w.toString();
}

const ATOM_TAIL = new XmlWriter({ declaration: false, depth: 1 }).close('feed').toString();

export const atomSerializer: Serializer = {
  format: 'atom',
  frame: (doc) => ({ head: atomHead(doc), sep: '', tail: ATOM_TAIL }),
  item: atomEntry,
  tombstone: atomDeletedEntry,
};

/**
 * RFC 6721 §2: `at:deleted-entry ref= when=` with the notice in `at:comment`, and the status
 * (canceled or withheld) in the wirefeed lifecycle namespace. The namespaces are declared on
 * the element so the fragment stands alone (fragments are cached per article).
 */
function atomDeletedEntry(a: Article): string {
  const t = tombstoneFacts(a);
  const w = new XmlWriter({ declaration: false, depth: 1 });
  w.open('at:deleted-entry', [['xmlns:at', TOMBSTONES_NS], ['xmlns:wf', LIFECYCLE_NS], ['ref', articleId(a)], ['when', t.when]]);
  w.leaf('at:comment', t.reason);
  w.leaf('wf:status', t.status);
  w.close('at:deleted-entry');
  return w.toString();
}

export const renderAtom: Renderer = (doc) => renderString(atomSerializer, doc);

/** One `<entry>` at its depth inside `<feed>`. */
function atomEntry(a: Article): string {
  const w = new XmlWriter({ declaration: false, depth: 1 });
  writeEntry(w, a);
  return w.toString();
}

function writeEntry(w: XmlWriter, a: Article): void {
  w.open('entry', [['xml:lang', languageTag(a.language)]]);
  w.leaf('id', articleId(a));
  // atom:title is required (RFC 4287 §4.1.2): an untitled item gets one derived from its text here only.
  w.leaf('title', displayTitle(a), [['type', 'text']]);
  const url = nonEmpty(a.url);
  if (url !== undefined) w.empty('link', [['rel', 'alternate'], ['type', 'text/html'], ['href', url]]);
  for (const asset of a.assets) {
    w.empty('link', [
      ['rel', 'enclosure'],
      ['type', mimeTypeOf(asset)],
      ['length', wholeNumber(asset.size)],
      ['title', nonEmpty(asset.title)],
      ['href', asset.url],
    ]);
  }
  w.leaf('published', toRfc3339(effectivePublished(a)));
  w.leaf('updated', toRfc3339(effectiveUpdated(a)) ?? EMPTY_FEED_UPDATED);
  for (const author of a.authors) {
    w.open('author');
    w.leaf('name', author.name);
    w.leaf('email', emailAddress(author.email));
    w.leaf('uri', nonEmpty(author.url));
    w.close('author');
  }
  for (const c of a.categories) {
    w.empty('category', [['term', c.term], ['scheme', nonEmpty(c.scheme)], ['label', nonEmpty(c.label)]]);
  }
  w.leaf('rights', nonEmpty(a.rights), [['type', 'text']]);
  writeEdnote(w, a);
  w.leaf('summary', nonEmpty(a.summary), [['type', 'text']]);
  const content = nonEmpty(a.contentHtml);
  if (content !== undefined) {
    w.leaf('content', content, [['type', 'html']]);
  } else if (url === undefined) {
    // RFC 4287 §4.1.1: an entry without content needs a rel=alternate link; with neither, an
    // empty content element keeps it valid without inventing a link.
    w.empty('content', [['type', 'html']]);
  }
  for (const asset of a.assets) writeMediaContent(w, asset);
  writeSource(w, a);
  w.close('entry');
}

/**
 * RFC 4287 §4.2.11 source metadata. An entry without authors takes the source as its author
 * here (§4.1.2: the source's authors then apply to the entry), which satisfies §4.1.1 without
 * a made-up feed-level author and without claiming a person wrote it.
 */
function writeSource(w: XmlWriter, a: Article): void {
  const s = a.source;
  w.open('source');
  w.leaf('id', s.feedUrl);
  w.leaf('title', s.title, [['type', 'text']]);
  const site = nonEmpty(s.siteUrl);
  if (site !== undefined) w.empty('link', [['rel', 'alternate'], ['type', 'text/html'], ['href', site]]);
  w.empty('link', [['rel', 'self'], ['href', s.feedUrl]]);
  if (a.authors.length === 0) {
    w.open('author');
    w.leaf('name', s.title);
    w.leaf('uri', site);
    w.close('author');
  }
  w.close('source');
}
