// The re-fetch shortcut's first half: a fast scan over the decoded document that finds the raw
// items (RSS `<item>`, Atom `<entry>`, JSON Feed `items[]`) without parsing them, and hashes
// each one together with everything outside the items that can change how an item
// normalizes (namespaces, DTD entities, xml:base and xml:lang, channel language, rights and
// authors, the document URL and source defaults). An item whose hash matches the one stored
// with its article would normalize to the same article, so only new and changed items need the
// parser, normalizer and sanitizer. Whatever the scan cannot account for exactly (duplicate
// items, both item kinds, an unreadable JSON document) yields no scan, and the full path runs.
import { hash } from 'node:crypto';

/**
 * Bumped whenever parse, normalize or sanitize change what an item turns into: stored hashes
 * of an older version never match, so every item goes through the new code once.
 */
export const RAW_SCAN_VERSION = 1;

export interface RawItem {
  /** Offsets of the item in the scanned text (XML) or its index in `items` (JSON). */
  start: number;
  end: number;
  /** Hash of the item's text and the document context it is read in. */
  hash: string;
}

export interface RawScan {
  kind: 'xml' | 'json';
  items: RawItem[];
  /** The document with only the items whose index `keep` accepts (feed-level parts intact). */
  reduce(keep: (index: number) => boolean): string;
}

/** What besides the document decides how its items normalize. */
export interface ScanContext {
  documentUrl: string;
  defaultCredit?: string;
  defaultRights?: string;
}

// CDATA, comments, processing instructions and the DOCTYPE (with its internal subset) are
// skipped whole so that "<item>" inside them is not taken for an item; otherwise an item or
// entry start or end tag, attribute values quoted ('>' may appear inside them).
const XML_TOKENS =
  /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE(?:[^[>]|\[[\s\S]*?\])*>|<(\/?)(item|entry)(?=[\s/>])((?:[^>"']|"[^"]*"|'[^']*')*)>/g;

/**
 * Feed-level elements that change on every build without touching any item (RSS
 * lastBuildDate/pubDate, Atom updated, generator, RSS 1.0's table of contents `<items>`):
 * left out of the context hash so a feed rebuilt with the same items still matches. The full
 * document head is parsed all the same.
 */
const VOLATILE_HEAD = /<(lastBuildDate|pubDate|updated|dc:date|generator)\b[^>]*>[^<]*<\/\1\s*>|<items\b[\s\S]*?<\/items\s*>/g;

function digest(s: string): string {
  return hash('sha256', s, 'base64url').slice(0, 22);
}

function contextKey(ctx: ScanContext, head: string): string {
  return JSON.stringify([RAW_SCAN_VERSION, ctx.documentUrl, ctx.defaultCredit ?? null, ctx.defaultRights ?? null, head]);
}

function scanXml(text: string, ctx: ScanContext): RawScan | undefined {
  const spans: { start: number; end: number }[] = [];
  let kind: string | undefined;
  let open: { name: string; start: number; depth: number } | undefined;
  XML_TOKENS.lastIndex = 0;
  for (let m = XML_TOKENS.exec(text); m; m = XML_TOKENS.exec(text)) {
    const name = m[2];
    if (!name) continue;
    const closing = m[1] === '/';
    const selfClosing = !closing && m[3]!.endsWith('/');
    if (open) {
      if (name !== open.name) continue;
      if (closing) open.depth--;
      else if (!selfClosing) open.depth++;
      if (open.depth === 0) {
        spans.push({ start: open.start, end: m.index + m[0].length });
        open = undefined;
      }
      continue;
    }
    if (closing) return undefined; // an end tag with no start: not a document we can split
    if (kind !== undefined && kind !== name) return undefined;
    kind = name;
    if (selfClosing) spans.push({ start: m.index, end: m.index + m[0].length });
    else open = { name, start: m.index, depth: 1 };
  }
  if (open) return undefined;
  // Whitespace next to an item is element-only content (a feed with one more item has one
  // more line break) and is left out of the context.
  let head = '';
  let prev = 0;
  for (const s of spans) {
    head += (prev > 0 ? text.slice(prev, s.start).trimStart() : text.slice(prev, s.start)).trimEnd();
    prev = s.end;
  }
  head += prev > 0 ? text.slice(prev).trimStart() : text.slice(prev);
  const key = contextKey(ctx, head.replace(VOLATILE_HEAD, ''));
  const items = spans.map((s) => ({ ...s, hash: digest(key + text.slice(s.start, s.end)) }));
  return {
    kind: 'xml',
    items,
    reduce(keep) {
      let out = '';
      let at = 0;
      items.forEach((it, i) => {
        out += text.slice(at, it.start);
        if (keep(i)) out += text.slice(it.start, it.end);
        at = it.end;
      });
      return out + text.slice(at);
    },
  };
}

function scanJson(text: string, ctx: ScanContext): RawScan | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return undefined;
  const { items: list, ...rest } = doc as { items?: unknown };
  if (!Array.isArray(list)) return undefined;
  const key = contextKey(ctx, JSON.stringify(rest));
  const items = list.map((item, i) => ({ start: i, end: i + 1, hash: digest(key + JSON.stringify(item)) }));
  return {
    kind: 'json',
    items,
    reduce: (keep) => JSON.stringify({ ...(doc as object), items: list.filter((_, i) => keep(i)) }),
  };
}

/**
 * Splits decoded feed text into raw items and hashes them. Undefined when the text cannot be
 * split safely or two items are byte-identical (the second one's identity depends on the
 * first, so neither may be skipped).
 */
export function scanRawItems(text: string, ctx: ScanContext): RawScan | undefined {
  const trimmed = text.replace(/^[\uFEFF\s]+/, '');
  const scan = trimmed.startsWith('{') ? scanJson(trimmed, ctx) : trimmed.startsWith('<') ? scanXml(trimmed, ctx) : undefined;
  if (!scan) return undefined;
  const seen = new Set<string>();
  for (const it of scan.items) {
    if (seen.has(it.hash)) return undefined;
    seen.add(it.hash);
  }
  return scan;
}
