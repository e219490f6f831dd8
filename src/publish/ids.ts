// Item ids. One stable id per article, used by all three formats, so a partner reading any
// of them sees the same identity and items from two sources never collide in a merged channel.
import type { Article } from '../model/types.js';
import { stripXmlForbidden } from '../xml-chars.js';

/** Characters RFC 3987 never allows in an IRI (whitespace, controls, and <>"{}|\^`). */
const NOT_IRI = /[\u0000-\u0020\u007F<>"{}|\\^`]/;
const HTTP_URL = /^https?:\/\/[^/?#]+/i;
/** RFC 4151: tag:authority,date:specific. */
const TAG_URI = /^tag:[^,:]+,\d{4}(-\d{2}(-\d{2})?)?:/i;
/** RFC 8141: urn:NID:NSS. */
const URN = /^urn:[a-z0-9][a-z0-9-]{0,31}:./i;

/** True for an absolute http(s) URL, tag: URI or urn: that is also a valid IRI. */
export function isStableIri(s: string): boolean {
  return !NOT_IRI.test(s) && (HTTP_URL.test(s) || TAG_URI.test(s) || URN.test(s));
}

/**
 * The article's id: its guid (or, without one, its identity key) when that is already a URL,
 * tag: or urn: IRI; otherwise `urn:wirefeed:<source slug>:<percent-encoded key>`, which is a
 * valid RFC 8141 URN (Atom ids must be IRIs: RFC 4287 §4.2.6) and depends only on stored data,
 * so it never changes for the same article (it would only change if the source were re-slugged).
 * A guid the source repeated for several items was disambiguated in the identity key (ingest
 * identity.ts): those items get the scoped URN of their key, so each keeps its own id.
 */
export function articleId(a: Article): string {
  const key = sharedKey(a);
  if (key !== undefined) return key;
  return scopedId(a, a.guid === undefined || isRepeatedGuid(a) ? a.identityKey : a.guid);
}

/**
 * The id when other sources' copies of the same story may carry it too (a URL, tag: or urn:
 * guid, equal to the identity key); undefined for a source-scoped `urn:wirefeed:` id, which
 * never collides across sources.
 */
export function sharedKey(a: Article): string | undefined {
  const key = a.guid === undefined ? a.identityKey : isRepeatedGuid(a) ? undefined : a.guid;
  return key !== undefined && isStableIri(key) ? key : undefined;
}

/** True when the identity key is not the guid itself: the guid was repeated in its document. */
function isRepeatedGuid(a: Article): boolean {
  return a.identityKind === 'guid' && a.guid !== undefined && a.identityKey !== a.guid.trim();
}

function scopedId(a: Article, key: string): string {
  // Stripping first: encodeURIComponent throws on lone surrogates.
  return `urn:wirefeed:${encodeURIComponent(stripXmlForbidden(a.source.slug))}:${encodeURIComponent(stripXmlForbidden(key))}`;
}

/** RSS 2.0 `guid@isPermaLink` is true only when the guid is the article's own URL. */
export function isPermaLink(a: Article, id: string): boolean {
  return a.url !== undefined && id === a.url;
}
