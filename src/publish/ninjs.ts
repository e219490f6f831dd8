// IPTC ninjs 3.1 (https://iptc.org/standards/ninjs/) for partners whose CMS ingests it: the
// document is `{"items": [...ninjs objects], "next_url": "…"}`. ninjs allows no extension
// members (the schema says unevaluatedProperties: false), so everything maps onto its own
// properties: the story's text in headlines/descriptions/bodies, each photo an association with
// its caption (descriptions), credit (by), copyright notice and renditions. A tombstone is the
// same uri with pubStatus canceled or withheld. Strings are cleaned as in JSON Feed.
import type { Article, AssetInput } from '../model/types.js';
import { articleId } from './ids.js';
import { cleanJson, type Clean, type JsonObject } from './json-feed.js';
import { effectivePublished, mimeTypeOf, nonEmpty, toRfc3339, wholeNumber } from './field-values.js';
import { tombstoneFacts } from './tombstones.js';
import type { FeedDocument, Renderer, Serializer } from './types.js';
import { renderString } from './fragments.js';

const ITEM_INDENT = '    ';

/** ninjs news object type of an asset, from its Media RSS medium or MIME type. */
function assetType(asset: AssetInput): string {
  const kind = asset.medium ?? mimeTypeOf(asset).split('/')[0];
  return kind === 'image' ? 'picture' : kind === 'video' ? 'video' : kind === 'audio' ? 'audio' : 'component';
}

function association(asset: AssetInput, i: number, clean: Clean): JsonObject {
  const opt = (s: string | undefined) => (nonEmpty(s) === undefined ? undefined : clean(s!));
  const renditions: JsonObject[] = [
    {
      name: 'original',
      href: clean(asset.url),
      contentType: mimeTypeOf(asset),
      width: wholeNumber(asset.width),
      height: wholeNumber(asset.height),
      sizeInBytes: wholeNumber(asset.size),
    },
  ];
  if (nonEmpty(asset.thumbnailUrl) !== undefined) renditions.push({ name: 'thumbnail', href: clean(asset.thumbnailUrl!) });
  const caption = opt(asset.caption);
  const title = opt(asset.title);
  return {
    name: `${assetType(asset)}${i + 1}`,
    rel: i === 0 && assetType(asset) === 'picture' ? 'mainpicture' : 'attachment',
    uri: clean(asset.url),
    type: assetType(asset),
    headlines: title === undefined ? undefined : [{ value: title }],
    descriptions: caption === undefined ? undefined : [{ role: 'caption', contentType: 'text/plain', value: caption }],
    // ninjs has no credit line: `by` is "a statement about the creator (… photographer …)".
    by: opt(asset.credit),
    copyrightNotice: opt(asset.rights),
    renditions,
  };
}

function item(a: Article, clean: Clean): JsonObject {
  const opt = (s: string | undefined) => (nonEmpty(s) === undefined ? undefined : clean(s!));
  const summary = opt(a.summary);
  const body = opt(a.contentHtml);
  const url = opt(a.url);
  const by = a.authors.map((p) => p.name).filter((n) => nonEmpty(n) !== undefined);
  return {
    uri: clean(articleId(a)),
    type: 'text',
    representationType: 'full',
    version: String(a.revision ?? 1),
    firstCreated: toRfc3339(effectivePublished(a)),
    versionCreated: toRfc3339(a.changedAt),
    pubStatus: 'usable',
    // An embargo that has been lifted stays visible as the time the story was released.
    embargoedUntil: toRfc3339(a.embargoedUntil),
    language: opt(a.language),
    // An article without a title has no headline rather than an invented one.
    headlines: opt(a.title) === undefined ? undefined : [{ role: 'main', value: opt(a.title)! }],
    descriptions: summary === undefined ? undefined : [{ role: 'summary', contentType: 'text/plain', value: summary }],
    bodies: body === undefined ? undefined : [{ role: 'main', contentType: 'text/html', value: body }],
    by: by.length ? clean(by.join(', ')) : undefined,
    usageTerms: opt(a.rights),
    // Notes to editors reach partner renderings only (services/partner-view.ts sets them).
    edNote: opt(a.ednote),
    subjects: a.categories.length ? a.categories.map((c) => ({ name: clean(c.term) })) : undefined,
    infoSources: [{ name: clean(a.source.title), role: 'source', uri: clean(a.source.feedUrl) }],
    renditions: url === undefined ? undefined : [{ name: 'web', href: url, contentType: 'text/html' }],
    associations: a.assets.length ? a.assets.map((x, i) => association(x, i, clean)) : undefined,
  };
}

function tombstone(a: Article, clean: Clean): JsonObject {
  const t = tombstoneFacts(a);
  return {
    uri: clean(articleId(a)),
    type: 'text',
    version: String(a.revision ?? 1),
    versionCreated: t.when,
    pubStatus: t.status,
    descriptions: [{ role: 'notice', contentType: 'text/plain', value: clean(t.reason) }],
    edNote: opt(a.ednote, clean),
  };
}

function opt(s: string | undefined, clean: Clean): string | undefined {
  return nonEmpty(s) === undefined ? undefined : clean(s!);
}

export const ninjsSerializer: Serializer = {
  format: 'ninjs',
  frame(doc: FeedDocument) {
    const next = doc.links.next === undefined ? '' : `,\n  "next_url": ${JSON.stringify(doc.links.next)}`;
    return doc.items.length
      ? { head: '{\n  "items": [\n', sep: ',\n', tail: `\n  ]${next}\n}\n` }
      : { head: '{\n  "items": [', sep: '', tail: `]${next}\n}\n` };
  },
  item: (a) => cleanJson(a, item, ITEM_INDENT),
  tombstone: (a) => cleanJson(a, tombstone, ITEM_INDENT),
};

export const renderNinjs: Renderer = (doc) => renderString(ninjsSerializer, doc);
