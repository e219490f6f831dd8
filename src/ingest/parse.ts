// Text → parsed document (DESIGN.md §1 step 5). The one home of rss-parser. JSON Feed is
// detected by content and read by formats/jsonfeed/wire.ts, CDF by formats/cdf/wire.ts; XML goes through rss-parser's parseString
// with a fresh parser per document and customFields that keep the raw xml2js nodes of
// everything rss-parser would otherwise drop or flatten (every author and category, Media
// RSS, Dublin Core, xml:base, attributes), typed in document.ts; the format adapters read them.
import Parser from 'rss-parser';
import { ParseError } from '../errors.js';
import type { LintIssue } from '../model/types.js';
import { parseFeedDate } from './dates.js';
import { readCdf } from './formats/cdf/wire.js';
import { parseJsonFeed } from './formats/jsonfeed/wire.js';
import { normalizeNamespaces } from './namespaces.js';
import type { ParsedDocument, XmlFeed, XmlFeedRaw, XmlFormat, XmlItemRaw } from './formats/document.js';
import type { XmlAttrs } from './formats/xml-node.js';

const ITEM_FIELDS: [string, keyof XmlItemRaw][] = [
  ['$', 'attrs'],
  ['title', 'titleRaw'],
  ['link', 'linksRaw'],
  ['guid', 'guidRaw'],
  ['id', 'idRaw'],
  ['author', 'authorsRaw'],
  ['dc:creator', 'dcCreatorRaw'],
  ['category', 'categoriesRaw'],
  ['dc:subject', 'dcSubjectRaw'],
  ['description', 'descriptionRaw'],
  ['summary', 'summaryRaw'],
  ['content', 'contentRaw'],
  ['content:encoded', 'contentEncodedRaw'],
  ['pubDate', 'pubDateRaw'],
  ['published', 'publishedRaw'],
  ['updated', 'updatedRaw'],
  ['issued', 'issuedRaw'],
  ['modified', 'modifiedRaw'],
  ['created', 'createdRaw'],
  ['dc:date', 'dcDateRaw'],
  ['dcterms:issued', 'dctermsIssuedRaw'],
  ['dcterms:created', 'dctermsCreatedRaw'],
  ['dcterms:modified', 'dctermsModifiedRaw'],
  ['dcterms:available', 'dctermsAvailableRaw'],
  ['dc:rights', 'dcRightsRaw'],
  ['dc:title', 'dcTitleRaw'],
  ['rights', 'rightsRaw'],
  ['dc:language', 'dcLanguageRaw'],
  ['enclosure', 'enclosuresRaw'],
  ['media:content', 'mediaContentRaw'],
  ['media:group', 'mediaGroupRaw'],
  ['media:thumbnail', 'mediaThumbnailRaw'],
  ['media:title', 'mediaTitleRaw'],
  ['media:description', 'mediaDescriptionRaw'],
  ['media:credit', 'mediaCreditRaw'],
  ['media:copyright', 'mediaCopyrightRaw'],
  ['media:license', 'mediaLicenseRaw'],
  ['source', 'sourceRaw'],
];

const FEED_FIELDS: [string, keyof XmlFeedRaw][] = [
  ['$', 'attrs'],
  ['title', 'titleRaw'],
  ['subtitle', 'subtitleRaw'],
  ['tagline', 'taglineRaw'],
  ['description', 'descriptionRaw'],
  ['link', 'linksRaw'],
  ['atom:link', 'atomLinksRaw'],
  ['language', 'languageRaw'],
  ['dc:language', 'dcLanguageRaw'],
  ['ttl', 'ttlRaw'],
  ['rights', 'rightsRaw'],
  ['copyright', 'copyrightRaw'],
  ['dc:rights', 'dcRightsRaw'],
  ['id', 'idRaw'],
  ['author', 'authorsRaw'],
];

// keepArray keeps every occurrence (rss-parser keeps the first) and the element objects with
// their attributes; mapping '$' captures the element's own attributes (xml:base, xml:lang).
const keep = (fields: [string, string][]) => fields.map(([from, to]) => [from, to, { keepArray: true }]);

function newParser(): Parser<XmlFeedRaw, XmlItemRaw> {
  const customFields = { feed: keep(FEED_FIELDS), item: keep(ITEM_FIELDS) };
  // rss-parser's typings only allow `keyof` names for feed fields; the runtime takes tuples.
  return new Parser<XmlFeedRaw, XmlItemRaw>({
    customFields: customFields as unknown as Parser.CustomFields<XmlFeedRaw, XmlItemRaw>,
    // <rss> without a version attribute is RSS 0.91/0.92 in practice; buildRSS2 reads all.
    defaultRSS: 2,
  });
}

// ---- document sniffing ----

interface RootInfo {
  name: string;
  attrs: XmlAttrs;
}

const MISC = /^(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE(?:[^[>]|\[[\s\S]*?\])*>)/i;

/** The first element of an XML/HTML document and its attributes. */
export function rootElement(text: string): RootInfo | undefined {
  let rest = text.replace(/^\uFEFF/, '');
  for (let m = MISC.exec(rest); m && m[0].length > 0; m = MISC.exec(rest)) rest = rest.slice(m[0].length);
  const tag = /^<([A-Za-z_][\w:.-]*)((?:\s+[^\s=>/]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*\/?>/.exec(rest);
  if (!tag) return undefined;
  const attrs: XmlAttrs = {};
  for (const a of tag[2]!.matchAll(/([^\s=>/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attrs[a[1]!] = a[2] ?? a[3] ?? '';
  return { name: tag[1]!, attrs };
}

function looksLikeHtmlPage(text: string, root: RootInfo | undefined): boolean {
  if (/^\s*(?:\uFEFF)?\s*<!DOCTYPE\s+html/i.test(text)) return true;
  const name = root?.name.toLowerCase();
  return name === 'html' || name === 'head' || name === 'body';
}

function xmlFormat(root: RootInfo): XmlFormat | undefined {
  const local = root.name.replace(/^.*:/, '');
  if (root.name === 'rss') {
    const v = root.attrs.version?.trim() ?? '';
    return v === '' || /^0\.9/.test(v) ? 'rss09x' : 'rss2';
  }
  if (root.name === 'rdf:RDF') {
    return root.attrs.xmlns === 'http://my.netscape.com/rdf/simple/0.9/' ? 'rss09x' : 'rss1';
  }
  // CDF (formats/cdf): a CHANNEL root, upper case as CDF writes it (a lower-case <channel> root is
  // an RSS channel without its <rss>, which namespaces.ts wraps).
  if (root.name === 'CHANNEL') return 'cdf';
  if (local === 'feed' && root.name === 'feed') {
    return root.attrs.xmlns === 'http://purl.org/atom/ns#' || root.attrs.version === '0.3' ? 'atom03' : 'atom10';
  }
  return undefined;
}

// ---- pre-parse repairs ----

const XHTML_CONSTRUCT = /<(content|summary|title|subtitle|rights|tagline|info)(\s[^>]*?)?>([\s\S]*?)<\/\1\s*>/g;

/**
 * xml2js cannot keep mixed content in order ("a <b>b</b> c" comes back as "a  c" + b), so
 * inline XHTML (Atom 1.0 `type="xhtml"`, RFC 4287 §3.1.1.3; Atom 0.3 `mode="xml"`) is turned
 * into escaped HTML text before parsing. The wrapping xhtml:div is not part of the content.
 */
export function escapeInlineXhtml(text: string): string {
  return text.replace(XHTML_CONSTRUCT, (whole, name: string, attrs: string | undefined, inner: string) => {
    const a = attrs ?? '';
    const type = /\stype\s*=\s*["']([^"']*)["']/.exec(a)?.[1]?.toLowerCase();
    const mode = /\smode\s*=\s*["']([^"']*)["']/.exec(a)?.[1]?.toLowerCase();
    const isXhtml = type === 'xhtml' || ((type === 'application/xhtml+xml' || type === 'text/html') && (mode === undefined || mode === 'xml'));
    if (!isXhtml || !/<[A-Za-z]/.test(inner)) return whole;
    let html = inner.replace(/<(\/?)[A-Za-z][\w.-]*:/g, '<$1').trim();
    const div = /^<div\b[^>]*>([\s\S]*)<\/div>$/.exec(html);
    if (div) html = div[1]!.trim();
    const newAttrs = a.replace(/\s(?:type|mode)\s*=\s*["'][^"']*["']/g, '') + ' type="html"';
    const escaped = html.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    return `<${name}${newAttrs}>${escaped}</${name}>`;
  });
}

const ATOM_DATE = /<((?:atom:)?(?:published|updated))(\s[^>]*)?>([^<]*)<\/\1\s*>/g;

/**
 * rss-parser calls `new Date(x).toISOString()` on Atom published/updated, so one unparsable
 * date throws and rejects the whole document. Dates our own parser understands are rewritten
 * to ISO; the rest are blanked (costing only that field) and reported as bad_date.
 */
export function repairAtomDates(text: string): { text: string; blanked: number } {
  let blanked = 0;
  const out = text.replace(ATOM_DATE, (whole, name: string, attrs: string | undefined, value: string) => {
    if (!value.trim() || !Number.isNaN(new Date(value).getTime())) return whole;
    const d = parseFeedDate(value);
    if (!d) blanked++;
    return `<${name}${attrs ?? ''}>${d ? d.toISOString() : ''}</${name}>`;
  });
  return { text: out, blanked };
}

/** Turns a sax/xml2js error ("Unexpected close tag\nLine: 11\nColumn: 8\nChar: >") into a sentence. */
function describeXmlError(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const [first, ...rest] = msg.split('\n');
  const line = /Line:\s*(\d+)/.exec(msg)?.[1];
  const column = /Column:\s*(\d+)/.exec(msg)?.[1];
  const cause = (first ?? msg).trim() || 'unreadable XML';
  // sax counts lines from 0.
  if (line !== undefined) return `malformed XML at line ${Number(line) + 1}${column ? `, column ${column}` : ''}: ${cause}`;
  return `malformed XML: ${[cause, ...rest].join(' ').trim()}`;
}

async function parseXml(text: string): Promise<XmlFeed> {
  return (await newParser().parseString(text)) as XmlFeed;
}

/**
 * Parses decoded feed text. Throws ParseError: code `not_a_feed` for HTML pages and other
 * documents, `parse_failed` with the line for malformed XML or JSON.
 */
export async function parseFeedDocument(text: string): Promise<ParsedDocument> {
  const trimmed = text.replace(/^[\uFEFF\s]+/, '');
  if (trimmed === '') throw new ParseError('parse: empty document', { code: 'not_a_feed' });
  if (trimmed.startsWith('{')) {
    const { format, feed, lint } = parseJsonFeed(trimmed);
    return { kind: 'json', format, feed, lint };
  }
  const lint: LintIssue[] = [];
  const repaired = normalizeNamespaces(trimmed);
  if (repaired.changes.includes('prefixes') || repaired.changes.includes('root')) {
    lint.push({ code: 'namespace_prefixes', message: 'feed elements under unusual namespace prefixes or root: read by namespace' });
  }
  if (repaired.changes.includes('entities')) lint.push({ code: 'dtd_entities', message: 'entities declared in the DTD were expanded' });
  const root = rootElement(repaired.text);
  if (looksLikeHtmlPage(trimmed, root)) throw new ParseError('parse: not a feed (got an HTML page)', { code: 'not_a_feed' });
  if (!root) {
    if (!trimmed.startsWith('<')) throw new ParseError('parse: not a feed (neither XML nor JSON)', { code: 'not_a_feed' });
    throw new ParseError(`parse: ${describeXmlError(await parseXml(trimmed).then(() => 'no root element', (e: unknown) => e))}`);
  }
  const format = xmlFormat(root);
  if (!format) throw new ParseError(`parse: not a feed (root element <${root.name}> is not RSS or Atom)`, { code: 'not_a_feed' });
  if (format === 'cdf') {
    let cdf: ReturnType<typeof readCdf>;
    try {
      cdf = readCdf(repaired.text);
    } catch (err) {
      throw new ParseError(`parse: malformed XML: ${(err as Error).message}`, { cause: err });
    }
    return { kind: 'xml', format, root: root.name, feed: cdf.feed, ...(cdf.base ? { rootBase: cdf.base } : {}), lint };
  }

  const isAtom = format === 'atom10' || format === 'atom03';
  let source = isAtom ? escapeInlineXhtml(repaired.text) : repaired.text;
  let feed: XmlFeed;
  try {
    feed = await parseXml(source);
  } catch (err) {
    // The XML read fine (sax reports syntax errors as plain Errors) but rss-parser, building its
    // result, expected a <channel> the document lacks (an empty rdf:RDF or rss): a feed with
    // nothing in it, as feedparser reads it, not malformed XML.
    if (err instanceof TypeError) return { kind: 'xml', format, root: root.name, feed: { items: [] } as unknown as XmlFeed, lint };
    if (!(err instanceof RangeError) || !isAtom) throw new ParseError(`parse: ${describeXmlError(err)}`, { cause: err });
    const repaired = repairAtomDates(source);
    source = repaired.text;
    if (repaired.blanked > 0) lint.push({ code: 'bad_date', message: `${repaired.blanked} unparsable Atom date(s) ignored`, count: repaired.blanked });
    try {
      feed = await parseXml(source);
    } catch (again) {
      throw new ParseError(`parse: ${describeXmlError(again)}`, { cause: again });
    }
  }
  const rootBase = root.attrs['xml:base'];
  const rootLang = root.attrs['xml:lang'];
  return {
    kind: 'xml',
    format,
    root: root.name,
    feed,
    ...(rootBase ? { rootBase } : {}),
    ...(rootLang ? { rootLang } : {}),
    lint,
  };
}
