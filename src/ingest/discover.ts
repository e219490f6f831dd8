// Feed autodiscovery on HTML pages: `<link rel="alternate" type="…" href="…">` (RSS Board
// autodiscovery spec; HTML Living Standard §4.6.7.1).
import { scanTags } from './markup-scan.js';
import type { DiscoveredFeed } from './types.js';

/**
 * Feed media types, best first. JSON Feed and Atom carry more (ids, updated dates, several
 * authors) than RSS, so they win; RSS 1.0 (RDF) comes after RSS 2.0. Plain application/json
 * comes last: it is often not a feed at all (WordPress links its wp-json REST API that way).
 */
const FEED_TYPES = ['application/feed+json', 'application/atom+xml', 'application/rss+xml', 'application/rdf+xml', 'application/json'];

function feedRank(type: string): number {
  return FEED_TYPES.indexOf(type);
}

function resolveHttpUrl(href: string, base: string | URL): URL | undefined {
  try {
    const url = new URL(href, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Feeds a page links with `<link rel="alternate">`, de-duplicated by resolved URL and ordered
 * best-first by FEED_TYPES, document order breaking ties. Relative hrefs resolve against the
 * first `<base href>` (itself resolved against the page URL), else the page URL.
 */
export function discoverFeeds(html: string, baseUrl: string): DiscoveredFeed[] {
  let baseHref: string | undefined;
  const links: { href: string; type: string; title?: string }[] = [];
  scanTags(
    html,
    {
      onopentag(name, attrs) {
        if (name === 'base' && baseHref === undefined && attrs.href !== undefined) {
          baseHref = attrs.href.trim();
          return;
        }
        if (name !== 'link' || attrs.href === undefined) return;
        const rel = (attrs.rel ?? '').toLowerCase().split(/[\t\n\f\r ]+/);
        if (!rel.includes('alternate')) return;
        const type = (attrs.type ?? '').split(';')[0]!.trim().toLowerCase();
        if (feedRank(type) < 0) return;
        const title = attrs.title?.replace(/\s+/g, ' ').trim();
        links.push({ href: attrs.href.trim(), type, ...(title ? { title } : {}) });
      },
    },
    { xmlMode: false },
  );

  const page = resolveHttpUrl(baseUrl, baseUrl);
  if (!page) return [];
  const base = (baseHref !== undefined && resolveHttpUrl(baseHref, page)) || page;
  const seen = new Set<string>();
  const found: (DiscoveredFeed & { order: number })[] = [];
  for (const [order, link] of links.entries()) {
    if (!link.href) continue;
    const url = resolveHttpUrl(link.href, base);
    if (!url) continue;
    url.hash = '';
    found.push({ url: url.href, type: link.type, ...(link.title ? { title: link.title } : {}), order });
  }
  found.sort((a, b) => feedRank(a.type) - feedRank(b.type) || a.order - b.order);
  const out: DiscoveredFeed[] = [];
  for (const { order: _order, ...feed } of found) {
    if (seen.has(feed.url)) continue;
    seen.add(feed.url);
    out.push(feed);
  }
  return out;
}

const SNIFF_BYTES = 1024;

/** The start of a body as text: enough to see its first tag; UTF-16 by BOM, else byte-per-char. */
function head(body: Buffer | string): string {
  if (typeof body === 'string') return body.slice(0, SNIFF_BYTES);
  const b = body.subarray(0, SNIFF_BYTES * 2);
  if (b[0] === 0xff && b[1] === 0xfe) return b.subarray(2).toString('utf16le');
  if (b[0] === 0xfe && b[1] === 0xff) return Buffer.from(b.subarray(2)).swap16().toString('utf16le');
  // latin1 keeps ASCII markup intact whatever the real encoding (UTF-8, windows-1252, …).
  return b.toString('latin1');
}

/** Drops a BOM, whitespace, comments and processing instructions before the first real token. */
function skipProlog(text: string): string {
  let s = text;
  for (;;) {
    const t = s.replace(/^(?:\uFEFF|\u00EF\u00BB\u00BF)?\s+/, '').replace(/^(?:\uFEFF|\u00EF\u00BB\u00BF)/, '');
    if (t.startsWith('<!--')) {
      const end = t.indexOf('-->');
      if (end < 0) return '';
      s = t.slice(end + 3);
    } else if (t.startsWith('<?')) {
      const end = t.indexOf('?>');
      if (end < 0) return '';
      s = t.slice(end + 2);
    } else {
      return t;
    }
  }
}

/**
 * Whether a fetched body is an HTML page rather than a feed (then discovery runs). The body wins
 * over the Content-Type: many servers send feeds as text/html, so an RSS/Atom/RDF root or a JSON
 * document is never HTML; a leading `<!doctype html` or `<html` always is. Otherwise the
 * Content-Type decides.
 */
export function looksLikeHtml(body: Buffer | string, contentType?: string): boolean {
  const start = skipProlog(head(body));
  if (start.startsWith('{') || start.startsWith('[')) return false;
  if (/^<(?:rss|feed|rdf:rdf|[a-z][\w.-]*:rdf)[\s>/]/i.test(start) || /^<!doctype\s+rss[\s>]/i.test(start)) return false;
  if (/^<!doctype\s+html[\s>]/i.test(start) || /^<html[\s>/]/i.test(start)) return true;
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'text/html' || type === 'application/xhtml+xml';
}
