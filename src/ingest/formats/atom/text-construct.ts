// Atom text constructs (RFC 4287 §3.1; Atom 0.3 type/mode) and link choice (§4.2.7).
import { nodeAttr, nodeText, text, type XmlNode } from '../xml-node.js';
import type { Marked } from '../draft.js';

/** A text construct → value + whether it is HTML; blank reads as absent. */
export function atomText(n: XmlNode | undefined): Marked | undefined {
  if (n === undefined) return undefined;
  let value = nodeText(n);
  if (value === undefined) return undefined;
  const type = (nodeAttr(n, 'type') ?? 'text').toLowerCase();
  const mode = nodeAttr(n, 'mode')?.toLowerCase();
  if (mode === 'base64') value = Buffer.from(value, 'base64').toString('utf8');
  const html = type === 'html' || type === 'xhtml' || type === 'text/html' || type === 'application/xhtml+xml' || (mode === 'escaped' && type !== 'text/plain');
  return value.trim() ? { value, html } : undefined;
}

/**
 * A link's target: its href (§4.2.7.1), or, where a producer wrote the URL as the element's text
 * instead (not Atom, but feedparser reads it too), that text.
 */
const linkTarget = (l: XmlNode | undefined): string | undefined => nodeAttr(l, 'href') ?? text(l);

/** The alternate link (rel defaults to alternate), preferring an HTML one. */
export function atomAlternateLink(links: readonly XmlNode[] | undefined): string | undefined {
  const alternates = (links ?? []).filter((l) => {
    const rel = nodeAttr(l, 'rel') ?? 'alternate';
    return rel === 'alternate' && linkTarget(l);
  });
  const html = alternates.find((l) => /html/i.test(nodeAttr(l, 'type') ?? 'text/html'));
  return linkTarget(html ?? alternates[0]);
}
