// One line per source lint code (ingest/lint.ts) for the console: what it means for the output,
// and the spec the publisher's feed departs from. Keyed by LintCode, so a new code cannot be
// added to ingest without its line here.
import type { LintCode } from '../../ingest/lint.js';

export interface LintHelp {
  explain: string;
  spec: { title: string; href: string };
}

const RSS_ITEM = 'https://www.rssboard.org/rss-specification#hrelementsOfLtitemgt';

const LINT_HELP: Readonly<Record<LintCode, LintHelp>> = {
  missing_guids: {
    explain: 'Items have no guid or id: identity falls back to the link or a content hash, so an edited item can look like a new one.',
    spec: { title: 'RSS 2.0 <guid>', href: 'https://www.rssboard.org/rss-specification#ltguidgtSubelementOfLtitemgt' },
  },
  duplicate_guids: {
    explain: 'Several items share one id: only one of them can be kept under it.',
    spec: { title: 'RFC 4287 §4.2.6 atom:id', href: 'https://www.rfc-editor.org/rfc/rfc4287#section-4.2.6' },
  },
  bad_date: {
    explain: 'A date could not be read; the item is ordered by when we first saw it instead.',
    spec: { title: 'RFC 822 dates (RSS) / RFC 3339 (Atom)', href: 'https://www.rfc-editor.org/rfc/rfc3339#section-5.6' },
  },
  missing_dates: {
    explain: 'Items carry no date: readers order them by when we first saw them.',
    spec: { title: 'RSS 2.0 <pubDate>', href: 'https://www.rssboard.org/rss-specification#ltpubdategtSubelementOfLtitemgt' },
  },
  future_date: {
    explain: 'Dates lie in the future, usually a wrong clock or time zone at the publisher.',
    spec: { title: 'RFC 3339 §4.2 offsets', href: 'https://www.rfc-editor.org/rfc/rfc3339#section-4.2' },
  },
  charset_mislabeled: {
    explain: 'The declared character encoding does not match the bytes; the bytes won.',
    spec: { title: 'XML 1.0 §4.3.3 character encoding', href: 'https://www.w3.org/TR/xml/#charencoding' },
  },
  control_characters: {
    explain: 'Characters XML 1.0 forbids were removed from the text.',
    spec: { title: 'XML 1.0 §2.2 characters', href: 'https://www.w3.org/TR/xml/#charsets' },
  },
  relative_links: {
    explain: 'Links are relative; they were resolved against xml:base or the feed URL.',
    spec: { title: 'RFC 4287 §2 xml:base', href: 'https://www.rfc-editor.org/rfc/rfc4287#section-2' },
  },
  html_in_title: {
    explain: 'Titles contain markup; it was reduced to plain text.',
    spec: { title: 'RSS Best Practices: character data', href: 'https://www.rssboard.org/rss-profile#data-types-characterdata' },
  },
  no_items: { explain: 'The feed had no items.', spec: { title: 'RSS 2.0 <item>', href: RSS_ITEM } },
  missing_title: {
    explain: 'Items have no title; readers show the summary or a placeholder.',
    spec: { title: 'RSS 2.0 <item>: title or description', href: RSS_ITEM },
  },
  unknown_version: {
    explain: 'The document declares a version we do not know; it was read as the closest known one.',
    spec: { title: 'RSS 2.0 specification', href: 'https://www.rssboard.org/rss-specification' },
  },
  bad_url: {
    explain: 'A URL could not be parsed or was not http(s); it was dropped.',
    spec: { title: 'RFC 3986 URI syntax', href: 'https://www.rfc-editor.org/rfc/rfc3986' },
  },
  unsafe_url: {
    explain: 'A URL used a scheme that runs or loads something when followed (javascript:, data:, …); it was dropped from every output.',
    spec: { title: 'RFC 3986 §3.1 scheme', href: 'https://www.rfc-editor.org/rfc/rfc3986#section-3.1' },
  },
  namespace_prefixes: {
    explain: 'Feed elements carry unusual namespace prefixes; they were read by namespace, as XML requires.',
    spec: { title: 'Namespaces in XML 1.0', href: 'https://www.w3.org/TR/xml-names/' },
  },
  dtd_entities: {
    explain: 'The document declares its own entities in a DTD; they were expanded within a size bound (external entities never are).',
    spec: { title: 'XML 1.0 §4.2 entity declarations', href: 'https://www.w3.org/TR/xml/#sec-entity-decl' },
  },
  oversized_content: {
    explain: 'An item carried more than 512 KiB of text in its content, summary or title; it was cut to that length (after the last complete tag) so one item cannot take the memory of many feeds.',
    spec: { title: 'RSS 2.0 <description>', href: RSS_ITEM },
  },
};

export function lintHelp(code: string): LintHelp | undefined {
  return Object.hasOwn(LINT_HELP, code) ? LINT_HELP[code as LintCode] : undefined;
}
