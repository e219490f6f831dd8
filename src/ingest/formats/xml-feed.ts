// What the XML adapters (RSS, RDF, Atom) share at feed level: the document type they take,
// the context an item is read in, and the language and relative-link rules.
import type { Author } from '../../model/types.js';
import type { LintCollector } from '../lint.js';
import type { ParsedDocument, XmlItemRaw } from './document.js';
import { collapseWhitespace } from '../plain-text.js';
import type { ArticleDraft } from './draft.js';
import type { UrlContext } from './url-context.js';
import { firstText } from './xml-node.js';

export type XmlDocument = Extract<ParsedDocument, { kind: 'xml' }>;

/** What every item of a feed inherits. */
export interface XmlFeedContext {
  urls: UrlContext;
  language?: string;
  rights?: string;
  authors: Author[];
}

export function feedContext(urls: UrlContext, authors: Author[], language: string | undefined, rights: string | undefined): XmlFeedContext {
  return { urls, authors, ...(language ? { language } : {}), ...(rights ? { rights } : {}) };
}

/** The feed's language: its own element, else Dublin Core, else xml:lang on it or the root. */
export function feedLanguage(doc: XmlDocument): string | undefined {
  const feed = doc.feed;
  return collapseWhitespace(firstText(feed.languageRaw) ?? firstText(feed.dcLanguageRaw) ?? feed.attrs?.['xml:lang'] ?? doc.rootLang ?? '') || undefined;
}

/** An item's language: dc:language, else its xml:lang, else the feed's. */
export function itemLanguage(item: Pick<XmlItemRaw, 'dcLanguageRaw' | 'attrs'>, ctx: XmlFeedContext): string | undefined {
  return collapseWhitespace(firstText(item.dcLanguageRaw) ?? item.attrs?.['xml:lang'] ?? ctx.language ?? '') || undefined;
}

/** Items count their own relative links when finished; the feed's links only count when no item did. */
export function lintFeedRelativeLinks(urls: UrlContext, drafts: readonly ArticleDraft[], lint: LintCollector, message: string): void {
  if (urls.neededDocumentUrl && !drafts.some((d) => d.neededDocumentUrl)) lint.add('relative_links', message);
}
