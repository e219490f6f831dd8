// Parsed document → normalized articles (DESIGN.md §1 step 6). Each format is first reduced
// to a RawArticle (strings as the source wrote them, URLs absolute), then one shared path
// turns those into ArticleInputs: plain-text title/summary, sanitized HTML, UTC dates with
// fallbacks, merged assets, identity and content hash.
import type { ArticleInput, AssetInput, Author, Category, FeedMeta, NormalizedFeed } from '../model/types.js';
import type { ProcessOptions } from './types.js';
import { resolveItemDates } from './dates.js';
import { assignIdentities, contentHash } from './identity.js';
import type { JsonFeed, JsonFeedItem } from './json-feed.js';
import { dublinCoreDates } from './dublin-core.js';
import { createLintCollector, type LintCollector } from './lint.js';
import { childNodes, isElement, nodeAttr, nodeText, type ParsedDocument, type XmlFeed, type XmlItemRaw, type XmlNode } from './parse.js';
import { createHtmlSanitizer, type HtmlSanitizer } from './sanitize.js';
import { createUrlPolicy, type UrlPolicy, type UrlPurpose, type UrlVerdict } from './urls.js';
import { jsonWebSubLinks, xmlWebSubLinks } from './websub-links.js';
import { hasMarkup, htmlToText, maybeHtmlToText, sanitizedHtmlToText } from './html-text.js';
import { collapseWhitespace, textToHtml, truncateText } from './plain-text.js';

/** Longest summary derived from the body when the source gave none of its own. */
const DERIVED_SUMMARY_CHARS = 400;
/**
 * Identity keys of items with neither guid nor link hash a title; an untitled item hashes the
 * opening of its summary, as keys were made before titles became optional, so a stored
 * article keeps its key. Never stored or published as a title.
 */
const IDENTITY_TITLE_CHARS = 120;

/** A text value and whether the source marked it as HTML. */
interface Marked {
  value: string;
  html: boolean;
}

interface RawArticle {
  guid?: string;
  url?: string;
  /** Base for relative URLs inside this item's HTML. */
  base: string;
  title?: Marked;
  contentHtml?: string;
  contentText?: string;
  summary?: Marked;
  authors: Author[];
  categories: Category[];
  language?: string;
  rights?: string;
  ednote?: string;
  dates: { published?: string; updated?: string; dcDate?: string };
  assets: AssetInput[];
  /** A relative URL had to be resolved against the document URL (no xml:base said where). */
  neededDocumentUrl: boolean;
}

/** What one document's URL fields share: the policy and the count of values it refused. */
interface UrlEnv {
  policy: UrlPolicy;
  refused: { unsafe_url: number; bad_url: number };
}

/**
 * Resolves URL fields against a base chain by the URL policy (urls.ts), counts what it drops,
 * and remembers when only the document URL could help.
 */
class UrlContext {
  neededDocumentUrl = false;
  constructor(
    readonly base: string,
    private readonly hasXmlBase: boolean,
    private readonly env: UrlEnv,
  ) {}

  /** The context under an element's xml:base; a base the policy refuses is ignored (and counted). */
  child(xmlBase: string | undefined): UrlContext {
    const verdict = this.env.policy.check(xmlBase, this.base);
    if (verdict?.ok) return new UrlContext(verdict.url, true, this.env);
    if (verdict !== undefined) this.refuse(verdict);
    return new UrlContext(this.base, this.hasXmlBase, this.env);
  }

  resolve(value: string | undefined, purpose: UrlPurpose = 'link'): string | undefined {
    const v = value?.trim();
    if (!v) return undefined;
    if (!/^[a-z][a-z0-9+.-]*:/i.test(v) && !this.hasXmlBase) this.neededDocumentUrl = true;
    return this.accept(this.env.policy.check(v, this.base, purpose));
  }

  /** A category scheme/domain (an identifier, never resolved against the base). */
  identifier(value: string | undefined): string | undefined {
    return this.accept(this.env.policy.identifier(value));
  }

  private accept(verdict: UrlVerdict | undefined): string | undefined {
    if (verdict === undefined) return undefined;
    if (verdict.ok) return verdict.url;
    this.refuse(verdict);
    return undefined;
  }

  private refuse(verdict: Extract<UrlVerdict, { ok: false }>): void {
    this.env.refused[verdict.reason]++;
  }
}

function newUrlEnv(): UrlEnv {
  return { policy: createUrlPolicy(), refused: { unsafe_url: 0, bad_url: 0 } };
}

// ---- small readers ----

const text = (n: unknown): string | undefined => {
  const t = nodeText(n)?.trim();
  return t ? t : undefined;
};
const firstText = (list: readonly unknown[] | undefined): string | undefined => {
  for (const n of list ?? []) {
    const t = text(n);
    if (t) return t;
  }
  return undefined;
};
const allTexts = (list: readonly unknown[] | undefined): string[] => (list ?? []).map(text).filter((t): t is string => !!t);

function positiveInt(v: string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  return Number.isFinite(n) && n > 0 ? Math.round(n) : undefined;
}

/** Atom text construct (RFC 4287 §3.1; Atom 0.3 type/mode) → value + whether it is HTML. */
function atomText(n: XmlNode | undefined): Marked | undefined {
  if (n === undefined) return undefined;
  let value = nodeText(n);
  if (value === undefined) return undefined;
  const type = (nodeAttr(n, 'type') ?? 'text').toLowerCase();
  const mode = nodeAttr(n, 'mode')?.toLowerCase();
  if (mode === 'base64') value = Buffer.from(value, 'base64').toString('utf8');
  const html = type === 'html' || type === 'xhtml' || type === 'text/html' || type === 'application/xhtml+xml' || (mode === 'escaped' && type !== 'text/plain');
  return value.trim() ? { value, html } : undefined;
}

function mediumFor(mimeType: string | undefined, medium: string | undefined): string | undefined {
  if (medium?.trim()) return medium.trim().toLowerCase();
  const major = mimeType?.split('/')[0]?.toLowerCase();
  return major === 'image' || major === 'video' || major === 'audio' ? major : undefined;
}

/** RSS `author` is an email address, optionally with a name: "jo@x.org (Jo)" or "Jo <jo@x.org>". */
export function parseRssAuthor(s: string): Author | undefined {
  const v = collapseWhitespace(s);
  if (!v) return undefined;
  let m = /^([^\s()<>]+@[^\s()<>]+)\s*\(([^)]+)\)$/.exec(v);
  if (m) return { name: m[2]!.trim(), email: m[1]! };
  m = /^(.*?)\s*<([^\s<>]+@[^\s<>]+)>$/.exec(v);
  if (m) return { name: m[1]!.trim() || m[2]!, email: m[2]! };
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) return { name: v, email: v };
  return { name: v };
}

function dedupeAuthors(list: Author[]): Author[] {
  const seen = new Set<string>();
  return list.filter((a) => {
    const k = `${a.name.toLowerCase()}|${a.email?.toLowerCase() ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function dedupeCategories(list: Category[]): Category[] {
  const seen = new Set<string>();
  return list.filter((c) => {
    const k = `${c.term.toLowerCase()}|${c.scheme ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * `o` without its undefined members, as a new object with the same key order. Deleting in
 * place instead turned every article into a slow dictionary-mode object, which made the later
 * spreads and the content hash several times slower.
 */
function defined<T extends object>(o: T): T {
  const out = {} as T;
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

// ---- assets ----

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

function itemLevelMedia(item: XmlItemRaw): MediaMeta {
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

function isImage(a: AssetInput): boolean {
  return a.medium === 'image' || !!a.mimeType?.toLowerCase().startsWith('image/');
}

/**
 * One asset per URL: an RSS enclosure and a media:content for the same file are one photo
 * (size from the enclosure, dimensions and caption from Media RSS). Images come first,
 * otherwise document order is kept.
 */
export function mergeAssets(list: readonly AssetInput[]): AssetInput[] {
  const byUrl = new Map<string, AssetInput>();
  for (const a of list) {
    const prev = byUrl.get(a.url);
    if (!prev) {
      byUrl.set(a.url, { ...a });
      continue;
    }
    for (const [k, v] of Object.entries(a) as [keyof AssetInput, AssetInput[keyof AssetInput]][]) {
      if (v === undefined) continue;
      if (prev[k] === undefined || (k !== 'size' && k !== 'url')) (prev as unknown as Record<string, unknown>)[k] = v;
    }
  }
  const merged = [...byUrl.values()];
  return [...merged.filter(isImage), ...merged.filter((a) => !isImage(a))];
}

function xmlAssets(item: XmlItemRaw, isAtom: boolean, urls: UrlContext): AssetInput[] {
  const out: AssetInput[] = [];
  if (isAtom) {
    for (const l of item.linksRaw ?? []) {
      if (nodeAttr(l, 'rel') !== 'enclosure') continue;
      const url = urls.resolve(nodeAttr(l, 'href'));
      if (!url) continue;
      const mimeType = nodeAttr(l, 'type')?.trim() || undefined;
      out.push(defined({ url, mimeType, medium: mediumFor(mimeType, undefined), size: positiveInt(nodeAttr(l, 'length')), title: nodeAttr(l, 'title') }));
    }
  } else {
    for (const e of item.enclosuresRaw ?? []) {
      const url = urls.resolve(nodeAttr(e, 'url'));
      if (!url) continue;
      const mimeType = nodeAttr(e, 'type')?.trim() || undefined;
      out.push(defined({ url, mimeType, medium: mediumFor(mimeType, undefined), size: positiveInt(nodeAttr(e, 'length')) }));
    }
  }
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

// ---- XML (RSS 0.9x/1.0/2.0, Atom 0.3/1.0) ----

function xmlCategories(item: XmlItemRaw, urls: UrlContext): Category[] {
  const out: Category[] = [];
  for (const c of item.categoriesRaw ?? []) {
    const term = text(c) ?? nodeAttr(c, 'term')?.trim();
    if (!term) continue;
    const scheme = urls.identifier(nodeAttr(c, 'domain') ?? nodeAttr(c, 'scheme'));
    const label = nodeAttr(c, 'label');
    out.push(defined({ term, scheme, label: label?.trim() || undefined }));
  }
  for (const s of allTexts(item.dcSubjectRaw)) out.push({ term: s });
  return out;
}

function atomPerson(n: unknown, urls: UrlContext): Author | undefined {
  if (!isElement(n)) {
    const t = text(n);
    return t ? { name: t } : undefined;
  }
  const name = firstText(childNodes(n, 'name'));
  const email = firstText(childNodes(n, 'email'));
  const uri = urls.resolve(firstText(childNodes(n, 'uri')) ?? firstText(childNodes(n, 'url')), 'contact');
  if (!name && !email) return undefined;
  return defined({ name: name ?? email!, email, url: uri });
}

function xmlAuthors(item: XmlItemRaw, isAtom: boolean, feedAuthors: Author[], urls: UrlContext): Author[] {
  const out: Author[] = [];
  for (const a of item.authorsRaw ?? []) {
    const person = isAtom || isElement(a) ? atomPerson(a, urls) : parseRssAuthor(nodeText(a) ?? '');
    if (person) out.push(person);
  }
  for (const c of allTexts(item.dcCreatorRaw)) out.push({ name: collapseWhitespace(c) });
  // RFC 4287 §4.2.1: an entry without authors inherits the feed's.
  return dedupeAuthors(out.length ? out : feedAuthors);
}

function xmlAlternateLink(links: readonly XmlNode[] | undefined, isAtom: boolean): string | undefined {
  if (!isAtom) return firstText(links);
  const alternates = (links ?? []).filter((l) => {
    const rel = nodeAttr(l, 'rel') ?? 'alternate';
    return rel === 'alternate' && nodeAttr(l, 'href');
  });
  const html = alternates.find((l) => /html/i.test(nodeAttr(l, 'type') ?? 'text/html'));
  return nodeAttr(html ?? alternates[0], 'href');
}

interface XmlFeedContext {
  urls: UrlContext;
  isAtom: boolean;
  language?: string;
  rights?: string;
  authors: Author[];
}

function xmlItem(item: XmlItemRaw & { content?: string }, ctx: XmlFeedContext): RawArticle {
  const urls = ctx.urls.child(item.attrs?.['xml:base']);
  const isAtom = ctx.isAtom;
  let guid: string | undefined;
  let url: string | undefined;
  let title: Marked | undefined;
  let contentHtml: string | undefined;
  let contentText: string | undefined;
  let summary: Marked | undefined;
  let rights: string | undefined;
  const dates: RawArticle['dates'] = {};

  if (isAtom) {
    guid = firstText(item.idRaw);
    url = urls.resolve(xmlAlternateLink(item.linksRaw, true));
    title = atomText(item.titleRaw?.[0]);
    const content = item.contentRaw?.[0];
    const c = atomText(content);
    if (c) {
      if (c.html) contentHtml = c.value;
      else contentText = c.value;
    } else if (isElement(content) && !nodeAttr(content, 'src') && item.content) {
      // Inline XML content xml2js rebuilt as markup (rss-parser's getContent).
      contentHtml = item.content;
    }
    summary = atomText(item.summaryRaw?.[0]);
    const r = atomText(item.rightsRaw?.[0]);
    rights = r ? (r.html ? htmlToText(r.value) : collapseWhitespace(r.value)) : firstText(item.dcRightsRaw);
    const dc = dublinCoreDates(item);
    dates.published = firstText(item.publishedRaw) ?? firstText(item.issuedRaw) ?? firstText(item.createdRaw) ?? dc.published;
    dates.updated = firstText(item.updatedRaw) ?? firstText(item.modifiedRaw) ?? dc.updated;
    dates.dcDate = firstText(item.dcDateRaw);
  } else {
    const guidNode = item.guidRaw?.[0];
    guid = text(guidNode);
    url = urls.resolve(xmlAlternateLink(item.linksRaw, false) ?? item.attrs?.['rdf:about']);
    // RSS 2.0: a guid is a permalink unless isPermaLink="false"; use it when there is no link.
    if (!url && guid && nodeAttr(guidNode, 'isPermaLink') !== 'false' && /^https?:\/\//i.test(guid)) url = urls.resolve(guid);
    const t = firstText(item.titleRaw);
    title = t ? { value: t, html: true } : undefined;
    const encoded = firstText(item.contentEncodedRaw);
    const description = firstText(item.descriptionRaw);
    contentHtml = encoded ?? description;
    summary = description ? { value: description, html: true } : undefined;
    rights = firstText(item.dcRightsRaw);
    const dc = dublinCoreDates(item);
    dates.published = firstText(item.pubDateRaw) ?? dc.published;
    dates.updated = dc.updated;
    dates.dcDate = firstText(item.dcDateRaw);
  }

  const language = collapseWhitespace(firstText(item.dcLanguageRaw) ?? item.attrs?.['xml:lang'] ?? ctx.language ?? '') || undefined;
  const assets = xmlAssets(item, isAtom, urls);
  return defined({
    guid,
    url,
    base: urls.base,
    title,
    contentHtml,
    contentText,
    summary,
    authors: xmlAuthors(item, isAtom, ctx.authors, urls),
    categories: xmlCategories(item, urls),
    language,
    rights: rights ?? ctx.rights,
    dates,
    assets,
    neededDocumentUrl: urls.neededDocumentUrl,
  });
}

function xmlMeta(feed: XmlFeed, format: string, isAtom: boolean, urls: UrlContext, lang: string | undefined): FeedMeta {
  const titleNode = feed.titleRaw?.[0];
  const t = isAtom ? atomText(titleNode) : text(titleNode) ? { value: text(titleNode)!, html: true } : undefined;
  const d = isAtom ? atomText(feed.subtitleRaw?.[0] ?? feed.taglineRaw?.[0]) : text(feed.descriptionRaw?.[0]) ? { value: text(feed.descriptionRaw?.[0])!, html: true } : undefined;
  return defined({
    title: t ? markedToText(t) || undefined : undefined,
    description: d ? markedToText(d) || undefined : undefined,
    siteUrl: urls.resolve(xmlAlternateLink(feed.linksRaw, isAtom)),
    language: lang,
    ttlMinutes: positiveInt(firstText(feed.ttlRaw)),
    format,
    ...xmlWebSubLinks(feed.linksRaw, feed.atomLinksRaw, (href) => urls.resolve(href)),
  });
}

function normalizeXml(doc: Extract<ParsedDocument, { kind: 'xml' }>, documentUrls: UrlContext, lint: LintCollector): { meta: FeedMeta; raws: RawArticle[] } {
  const feed = doc.feed;
  const isAtom = doc.format === 'atom10' || doc.format === 'atom03';
  const rootUrls = documentUrls.child(doc.rootBase);
  // For Atom the <feed> is the root and its attributes are feed.attrs; for RSS the channel
  // may carry its own xml:base.
  const urls = isAtom ? rootUrls : rootUrls.child(feed.attrs?.['xml:base']);
  const language = collapseWhitespace(firstText(feed.languageRaw) ?? firstText(feed.dcLanguageRaw) ?? feed.attrs?.['xml:lang'] ?? doc.rootLang ?? '') || undefined;
  const feedRightsNode = feed.rightsRaw?.[0];
  const feedRights = isAtom ? atomText(feedRightsNode) : undefined;
  const rights = (feedRights ? markedToText(feedRights) : undefined) ?? firstText(feed.copyrightRaw) ?? firstText(feed.dcRightsRaw);
  const authors = isAtom ? (feed.authorsRaw ?? []).map((a) => atomPerson(a, urls)).filter((a): a is Author => !!a) : [];
  const meta = xmlMeta(feed, doc.format, isAtom, urls, language);
  const ctx: XmlFeedContext = { urls, isAtom, authors, ...(language ? { language } : {}), ...(rights ? { rights } : {}) };
  const raws = feed.items.map((item) => xmlItem(item, ctx));
  // Counted per item in finish(); the feed's own links only count when no item did.
  if (urls.neededDocumentUrl && !raws.some((r) => r.neededDocumentUrl)) lint.add('relative_links', 'relative URLs resolved against the document URL (no xml:base)');
  return { meta, raws };
}

// ---- JSON Feed ----

function jsonItem(item: JsonFeedItem, feed: JsonFeed, base: UrlContext): RawArticle {
  const urls = base.child(undefined);
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

function normalizeJson(doc: Extract<ParsedDocument, { kind: 'json' }>, urls: UrlContext, lint: LintCollector): { meta: FeedMeta; raws: RawArticle[] } {
  const feed = doc.feed;
  const raws = feed.items.map((i) => jsonItem(i, feed, urls));
  const meta: FeedMeta = defined({
    title: feed.title ? maybeHtmlToText(feed.title) : undefined,
    description: feed.description ? maybeHtmlToText(feed.description) : undefined,
    siteUrl: urls.resolve(feed.home_page_url),
    language: feed.language,
    format: doc.format,
    ...jsonWebSubLinks(feed.hubs, feed.feed_url, (href) => urls.resolve(href)),
  });
  if (urls.neededDocumentUrl && !raws.some((r) => r.neededDocumentUrl)) lint.add('relative_links', 'relative URLs resolved against the document URL');
  return { meta, raws };
}

// ---- shared finishing ----

function markedToText(m: Marked): string {
  return m.html ? htmlToText(m.value) : collapseWhitespace(m.value);
}

/** Relative href/src in HTML (not fragments, not absolute, not protocol-relative). */
const RELATIVE_IN_HTML = /\s(?:href|src|poster)\s*=\s*["']?(?![a-z][a-z0-9+.-]*:|#|\/\/|["'\s>])/i;

function finish(raws: RawArticle[], opts: ProcessOptions, lint: LintCollector, sanitizer: HtmlSanitizer): ArticleInput[] {
  const drafts = raws.map((r) => {
    if (r.title && r.title.html && hasMarkup(r.title.value)) lint.add('html_in_title', 'titles contain HTML markup; stored as text');
    const rawContent = r.contentHtml ?? (r.contentText ? textToHtml(r.contentText) : undefined);
    if (rawContent && r.base === opts.documentUrl && RELATIVE_IN_HTML.test(rawContent)) r.neededDocumentUrl = true;
    const contentHtml = rawContent ? sanitizer.sanitize(rawContent, r.base) || undefined : undefined;
    const contentAsText = contentHtml ? sanitizedHtmlToText(contentHtml) : r.contentText ? collapseWhitespace(r.contentText) : '';
    let summary = r.summary ? markedToText(r.summary) : '';
    // A description that is the body itself (RSS without content:encoded) makes a poor
    // summary at full length: keep its opening instead.
    if (!summary || summary === contentAsText) summary = contentAsText ? truncateText(contentAsText, DERIVED_SUMMARY_CHARS) : '';
    const title = (r.title ? markedToText(r.title) : '') || undefined;
    const dates = resolveItemDates(r.dates, opts.now);
    for (const f of dates.findings) {
      if (f === 'bad_date') lint.add('bad_date', 'unparsable dates ignored');
      else if (f === 'missing_dates') lint.add('missing_dates', 'items without a date: ordered by first-seen time, published without a date');
      else lint.add('future_date', 'dates more than a day in the future: clamped to fetch time');
    }
    if (r.neededDocumentUrl) lint.add('relative_links', 'relative URLs resolved against the document URL (no xml:base)');
    const assets = mergeAssets(r.assets).map((a) =>
      defined({ ...a, credit: a.credit ?? opts.defaultCredit, rights: a.rights ?? opts.defaultRights }),
    );
    return { r, title, summary: summary || undefined, contentHtml, dates, assets };
  });

  const ids = assignIdentities(
    drafts.map((d) =>
      defined({ guid: d.r.guid, url: d.r.url, title: d.title ?? (d.summary ? truncateText(d.summary, IDENTITY_TITLE_CHARS) : ''), contentHtml: d.contentHtml }),
    ),
    lint,
  );

  return drafts.map((d, i): ArticleInput => {
    const stored = defined({
      guid: d.r.guid,
      url: d.r.url,
      title: d.title,
      summary: d.summary,
      contentHtml: d.contentHtml,
      authors: d.r.authors,
      categories: dedupeCategories(d.r.categories),
      language: d.r.language,
      rights: d.r.rights ? collapseWhitespace(d.r.rights) : undefined,
      ednote: d.r.ednote ? collapseWhitespace(d.r.ednote) || undefined : undefined,
      assets: d.assets,
    });
    // The hash covers the dates as the source stated them: fallbacks (fetch time) and
    // clamps change with every fetch and would make an unchanged item look updated.
    const hash = contentHash({ ...stored, published: d.dates.stated.published, updated: d.dates.stated.updated });
    return defined({
      identityKey: ids[i]!.key,
      identityKind: ids[i]!.kind,
      ...stored,
      publishedAt: d.dates.publishedAt,
      updatedAt: d.dates.updatedAt,
      contentHash: hash,
    });
  });
}

/** Normalizes a parsed document into feed facts, articles and lint. Pure: `opts.now` is the clock. */
export function normalizeFeed(doc: ParsedDocument, opts: ProcessOptions): NormalizedFeed {
  const lint = createLintCollector();
  lint.merge(doc.lint);
  const env = newUrlEnv();
  const documentUrls = new UrlContext(opts.documentUrl, false, env);
  const { meta, raws } = doc.kind === 'json' ? normalizeJson(doc, documentUrls, lint) : normalizeXml(doc, documentUrls, lint);
  if (raws.length === 0) lint.add('no_items', 'the feed has no items');
  const items = finish(raws, opts, lint, createHtmlSanitizer(env.policy));
  if (env.refused.unsafe_url > 0) lint.add('unsafe_url', 'URLs with a scheme other than http(s) (javascript:, data:, …) dropped', env.refused.unsafe_url);
  if (env.refused.bad_url > 0) lint.add('bad_url', 'unparsable or over-long URLs dropped', env.refused.bad_url);
  return { meta, items, lint: lint.issues() };
}
