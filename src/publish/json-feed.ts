// JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/). Fields the spec has no room for travel
// in `_`-prefixed extension objects (§Extensions: names start with "_", values are objects),
// the same ones ingest reads, so one wirefeed can read another losslessly (DESIGN.md §5).
import type { Article, AssetInput, Author, SourceAttribution } from '../model/types.js';
import { articleId } from './ids.js';
import {
  effectivePublished,
  emailAddress,
  mimeTypeOf,
  nonEmpty,
  primaryImage,
  toRfc3339,
  wholeNumber,
} from './field-values.js';
import type { FeedDocument, Renderer, Serializer } from './types.js';
import { stripXmlForbidden } from '../xml-chars.js';
import { renderString } from './fragments.js';
import { tombstoneFacts } from './tombstones.js';

export const JSON_FEED_VERSION = 'https://jsonfeed.org/version/1.1';

export type Json = string | number | boolean | JsonObject | Json[];
export interface JsonObject {
  [key: string]: Json | undefined;
}

/** Removes the characters readers choke on from every string, or passes them through (fast path). */
export type Clean = (s: string) => string;
const keep: Clean = (s) => s;

/**
 * What JSON.stringify writes for the characters we strip: \b and \f (U+0008, U+000C), \u00XX
 * for other C0 controls, \udXXX for lone surrogates, and U+FFFE/U+FFFF raw. Escaped
 * backslashes in data can match too; that only sends the document down the slow path.
 */
const DIRTY_JSON = /\\[bf]|\\u00|\\ud|\uFFFE|\uFFFF/i;

/** An extension object, or undefined when every member is absent (so it is not written empty). */
function ext(o: JsonObject): JsonObject | undefined {
  for (const v of Object.values(o)) if (v !== undefined) return o;
  return undefined;
}

/**
 * Almost every value is clean: serialize it once unfiltered and check the text in one scan;
 * only text that may hold forbidden characters is rebuilt with every string cleaned.
 */
export function cleanJson<T>(value: T, build: (v: T, clean: Clean) => JsonObject, indent: string): string {
  const fast = stringify(build(value, keep), indent);
  return DIRTY_JSON.test(fast) ? stringify(build(value, stripXmlForbidden), indent) : fast;
}

/** `JSON.stringify(v, null, 2)` as it would appear nested at `indent`. */
function stringify(v: JsonObject, indent: string): string {
  const s = JSON.stringify(v, null, 2);
  return indent ? indent + s.replaceAll('\n', `\n${indent}`) : s;
}

/**
 * The feed object is written without its items, which are joined in as separately serialized
 * (cacheable) fragments indented as JSON.stringify nests them: the bytes equal
 * `JSON.stringify(feed, null, 2)` with `items` as the last member.
 */
export const jsonFeedSerializer: Serializer = {
  format: 'json',
  frame(doc) {
    // `head` ends with "\n}"; items is the last member.
    const head = cleanJson(doc, header, '').slice(0, -2);
    return doc.items.length
      ? { head: `${head},\n  "items": [\n`, sep: ',\n', tail: '\n  ]\n}\n' }
      : { head: `${head},\n  "items": [`, sep: '', tail: ']\n}\n' };
  },
  item: (a) => cleanJson(a, item, '    '),
  tombstone: (a) => cleanJson(a, tombstone, '    '),
};

/**
 * The same id with a `_deleted` extension `{when, status, reason}`; `content_text` repeats the
 * notice because JSON Feed 1.1 requires content_html or content_text on every item.
 */
function tombstone(a: Article, clean: Clean): JsonObject {
  const t = tombstoneFacts(a);
  return {
    id: clean(articleId(a)),
    content_text: clean(t.reason),
    _deleted: { when: t.when, status: t.status, reason: clean(t.reason) },
  };
}

export const renderJsonFeed: Renderer = (doc) => renderString(jsonFeedSerializer, doc);

function header(doc: FeedDocument, clean: Clean): JsonObject {
  const str = (s: string | undefined): string | undefined => (s === undefined ? undefined : clean(s));
  const optStr = (s: string | undefined): string | undefined => str(nonEmpty(s));
  const links = doc.links;
  // Key order is fixed by construction; JSON.stringify keeps insertion order.
  return {
    version: JSON_FEED_VERSION,
    title: str(doc.title),
    home_page_url: optStr(links.html),
    feed_url: optStr(links.self),
    description: optStr(doc.description),
    icon: optStr(doc.icon),
    language: optStr(doc.language),
    next_url: optStr(links.next),
    // JSON Feed 1.1 `hubs`: endpoints for real-time notification; "WebSub" is the type it names.
    hubs: links.hub !== undefined ? [{ type: 'WebSub', url: clean(links.hub) }] : undefined,
    // RFC 5005 links beyond `next_url`, which is all JSON Feed 1.1 defines.
    _paging: ext({ first: optStr(links.first), prev_archive: optStr(links.prevArchive) }),
  };
}

function item(a: Article, clean: Clean): JsonObject {
  const str = (s: string | undefined): string | undefined => (s === undefined ? undefined : clean(s));
  const optStr = (s: string | undefined): string | undefined => str(nonEmpty(s));
  const content = optStr(a.contentHtml);
  const categoriesNeedDetail = a.categories.some((c) => c.scheme !== undefined || c.label !== undefined);
  return {
    id: str(articleId(a)),
    url: optStr(a.url),
    title: str(a.title),
    summary: optStr(a.summary),
    content_html: content,
    // JSON Feed 1.1 needs content_html or content_text; the summary is the honest stand-in.
    content_text: content === undefined ? (optStr(a.summary) ?? '') : undefined,
    image: optStr(primaryImage(a.assets)?.url),
    date_published: toRfc3339(effectivePublished(a)),
    date_modified: toRfc3339(a.updatedAt),
    authors: a.authors.length > 0 ? a.authors.map((p) => author(p, clean)) : undefined,
    tags: a.categories.length > 0 ? a.categories.map((c) => clean(c.term)) : undefined,
    language: optStr(a.language),
    attachments: a.assets.length > 0 ? a.assets.map((x) => attachment(x, clean)) : undefined,
    // Tags are bare strings: scheme and label ride along so nothing the model holds is dropped.
    _categories: categoriesNeedDetail
      ? {
          items: a.categories.map((c) => ({ term: clean(c.term), scheme: optStr(c.scheme), label: optStr(c.label) })),
        }
      : undefined,
    _rights: ext({ text: optStr(a.rights) }),
    // Which version of the story this is, and why it was made (a correction notice).
    _revision: a.revision === undefined ? undefined : { number: a.revision, reason: optStr(a.revisionReason) },
    // Only partner renderings carry a note (see services/partner-view.ts).
    _ednote: ext({ text: optStr(a.ednote) }),
    _source: sourceObject(a.source, str, optStr),
    // A merged document writes a story once (the newest revision); the other sources that
    // carry it under the same id stay visible here.
    _also_from: a.alsoFrom?.length ? { sources: a.alsoFrom.map((s) => sourceObject(s, str, optStr)) } : undefined,
  };
}

function sourceObject(s: SourceAttribution, str: (s: string | undefined) => string | undefined, optStr: (s: string | undefined) => string | undefined): JsonObject {
  return { title: str(s.title), url: optStr(s.siteUrl), feed_url: str(s.feedUrl) };
}

/** JSON Feed 1.1 authors have name/url/avatar only; an email goes in a `_contact` extension. */
function author(p: Author, clean: Clean): JsonObject {
  const email = emailAddress(p.email);
  const url = nonEmpty(p.url);
  return {
    name: clean(p.name),
    url: url === undefined ? undefined : clean(url),
    _contact: email === undefined ? undefined : { email: clean(email) },
  };
}

function attachment(asset: AssetInput, clean: Clean): JsonObject {
  const str = (s: string | undefined): string | undefined => (s === undefined ? undefined : clean(s));
  const optStr = (s: string | undefined): string | undefined => str(nonEmpty(s));
  return {
    url: str(asset.url),
    mime_type: mimeTypeOf(asset),
    title: optStr(asset.title),
    size_in_bytes: wholeNumber(asset.size),
    _media: ext({
      medium: optStr(asset.medium),
      width: wholeNumber(asset.width),
      height: wholeNumber(asset.height),
      caption: optStr(asset.caption),
      credit: optStr(asset.credit),
      credit_role: optStr(asset.creditRole),
      copyright: optStr(asset.rights),
      thumbnail_url: optStr(asset.thumbnailUrl),
    }),
  };
}
