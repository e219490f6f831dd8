// WebSub discovery (W3C WebSub §4): a feed names its hub and its canonical topic URL with
// rel="hub" / rel="self" links, in the HTTP Link header (which takes precedence) or in the
// document: Atom <link>, RSS <atom:link>, JSON Feed `hubs` and `feed_url`. Pure readers; the
// subscriber (services/push-subscriber.ts) decides what to do with them.
import { nodeAttr, type XmlNode } from './xml-node.js';

export interface WebSubLinks {
  hub?: string;
  self?: string;
}

function relsOf(node: XmlNode): string[] {
  return (nodeAttr(node, 'rel') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
}

/** From a feed's <link> and <atom:link> elements (first of each wins, as §4 allows any). */
export function xmlWebSubLinks(links: readonly XmlNode[] | undefined, atomLinks: readonly XmlNode[] | undefined, resolve: (href: string) => string | undefined): WebSubLinks {
  const out: WebSubLinks = {};
  for (const node of [...(atomLinks ?? []), ...(links ?? [])]) {
    const href = nodeAttr(node, 'href');
    if (!href) continue;
    const rels = relsOf(node);
    if (rels.includes('hub')) out.hub ??= resolve(href);
    if (rels.includes('self')) out.self ??= resolve(href);
  }
  return out;
}

/** From JSON Feed 1.1 `hubs` (type "WebSub"; the older "PubSubHubbub" too) and `feed_url`. */
export function jsonWebSubLinks(hubs: readonly { type?: string; url?: string }[] | undefined, feedUrl: string | undefined, resolve: (href: string) => string | undefined): WebSubLinks {
  const out: WebSubLinks = {};
  const hub = hubs?.find((h) => h.url && /^(websub|pubsubhubbub)$/i.test(h.type ?? ''));
  if (hub?.url) out.hub = resolve(hub.url);
  if (feedUrl) out.self = resolve(feedUrl);
  return out;
}

/** From an HTTP Link header (RFC 8288): `<url>; rel="hub", <url>; rel="self"`. */
export function linkHeaderWebSubLinks(header: string | undefined, base: string): WebSubLinks {
  const out: WebSubLinks = {};
  if (!header) return out;
  for (const m of header.matchAll(/<([^>]*)>((?:\s*;\s*[a-zA-Z*-]+\s*=\s*(?:"[^"]*"|[^;,\s]*))*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^;,\s]*))/i.exec(m[2] ?? '');
    const rels = (rel?.[1] ?? rel?.[2] ?? '').toLowerCase().split(/\s+/);
    let url: string;
    try {
      url = new URL(m[1]!, base).href;
    } catch {
      continue;
    }
    if (rels.includes('hub')) out.hub ??= url;
    if (rels.includes('self')) out.self ??= url;
  }
  return out;
}
