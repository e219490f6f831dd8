// Authors as RSS, Atom and Dublin Core state them: RSS `author` e-mail forms, Atom person
// constructs (RFC 4287 §3.2), `dc:creator` names; one author per name and address.
import type { Author } from '../../model/types.js';
import { childNodes, isElement, nodeText } from './xml-node.js';
import { type XmlItemRaw } from './document.js';
import { collapseWhitespace } from '../plain-text.js';
import { dedupeAuthors, defined } from './draft.js';
import type { UrlContext } from './url-context.js';
import { allTexts, firstText, text } from './xml-node.js';

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

/** An Atom person construct (name, email, uri); a bare text node is a name. */
export function atomPerson(n: unknown, urls: UrlContext): Author | undefined {
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

/**
 * An item's authors: its own (read by `person`), then its `dc:creator` names; without any, the
 * feed's (RFC 4287 §4.2.1: an entry without authors inherits the feed's).
 */
export function itemAuthors(
  item: Pick<XmlItemRaw, 'authorsRaw' | 'dcCreatorRaw'>,
  person: (n: unknown) => Author | undefined,
  feedAuthors: Author[],
): Author[] {
  const out: Author[] = [];
  for (const a of item.authorsRaw ?? []) {
    const p = person(a);
    if (p) out.push(p);
  }
  for (const c of allTexts(item.dcCreatorRaw)) out.push({ name: collapseWhitespace(c) });
  return dedupeAuthors(out.length ? out : feedAuthors);
}

/** RSS reads `<author>` text as an e-mail form, but an element there is an Atom person. */
export function rssPerson(n: unknown, urls: UrlContext): Author | undefined {
  return isElement(n) ? atomPerson(n, urls) : parseRssAuthor(nodeText(n) ?? '');
}
