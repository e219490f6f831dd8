// JSON Feed 1.0 / 1.1 reader (https://jsonfeed.org/version/1.1). Parsed by us, not a library:
// the format is small, and wirefeed's own extensions (`_media`, `_rights`, `_source`, see
// DESIGN.md §5) must survive so one wirefeed can read another losslessly. Values of the wrong
// type are dropped here, so normalize only ever sees well-typed data.
import { ParseError } from '../../../errors.js';
import type { LintIssue } from '../../../model/types.js';

export interface JsonFeedAuthor {
  name?: string;
  url?: string;
  avatar?: string;
}

/** wirefeed extension on an attachment: Media RSS facts JSON Feed has no field for. */
export interface JsonFeedMedia {
  medium?: string;
  width?: number;
  height?: number;
  caption?: string;
  credit?: string;
  credit_role?: string;
  copyright?: string;
}

export interface JsonFeedAttachment {
  url: string;
  mime_type?: string;
  title?: string;
  size_in_bytes?: number;
  duration_in_seconds?: number;
  _media?: JsonFeedMedia;
}

export interface JsonFeedItem {
  id?: string;
  url?: string;
  external_url?: string;
  title?: string;
  content_html?: string;
  content_text?: string;
  summary?: string;
  image?: string;
  banner_image?: string;
  date_published?: string;
  date_modified?: string;
  /** All authors: 1.1 `authors`, else 1.0 `author`. */
  authors: JsonFeedAuthor[];
  tags: string[];
  language?: string;
  attachments: JsonFeedAttachment[];
  _rights?: { text?: string };
  /** Notes to editors (wirefeed partner outputs write it; ninjs calls it `ednote`). */
  _ednote?: { text?: string };
  _source?: { title?: string; url?: string; feed_url?: string };
}

export interface JsonFeed {
  version: string;
  title?: string;
  home_page_url?: string;
  feed_url?: string;
  description?: string;
  icon?: string;
  favicon?: string;
  language?: string;
  authors: JsonFeedAuthor[];
  /** JSON Feed 1.1 `hubs`: real-time notification endpoints (WebSub). */
  hubs?: { type?: string; url?: string }[];
  _rights?: { text?: string };
  items: JsonFeedItem[];
}

export type JsonFeedFormat = 'json10' | 'json11';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v.trim() ? v : undefined;
  // Ids are strings in the spec, yet numeric ids are common; keep them, as text.
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function num(v: unknown): number | undefined {
  const n = typeof v === 'string' && v.trim() ? Number(v) : v;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** `o` without its undefined members: a new object (deleting would make it a slow dictionary). */
function defined<T extends Obj>(o: T): T {
  const out: Obj = {};
  for (const k of Object.keys(o)) if (o[k] !== undefined) out[k] = o[k];
  return out as T;
}

function author(v: unknown): JsonFeedAuthor | undefined {
  if (!isObj(v)) return undefined;
  const a = defined({ name: str(v.name), url: str(v.url), avatar: str(v.avatar) });
  return a.name || a.url ? a : undefined;
}

function authors(o: Obj): JsonFeedAuthor[] {
  // 1.1 deprecates `author` in favour of `authors`; readers should accept both.
  const list = Array.isArray(o.authors) ? o.authors : o.author !== undefined ? [o.author] : [];
  return list.map(author).filter((a): a is JsonFeedAuthor => !!a);
}

function media(v: unknown): JsonFeedMedia | undefined {
  if (!isObj(v)) return undefined;
  return defined({
    medium: str(v.medium),
    width: num(v.width),
    height: num(v.height),
    caption: str(v.caption),
    credit: str(v.credit),
    credit_role: str(v.credit_role),
    copyright: str(v.copyright),
  });
}

function attachment(v: unknown): JsonFeedAttachment | undefined {
  if (!isObj(v)) return undefined;
  const url = str(v.url);
  if (!url) return undefined;
  return defined({
    url,
    mime_type: str(v.mime_type),
    title: str(v.title),
    size_in_bytes: num(v.size_in_bytes),
    duration_in_seconds: num(v.duration_in_seconds),
    _media: media(v._media),
  });
}

function rights(v: unknown): { text?: string } | undefined {
  if (typeof v === 'string') return { text: v };
  return isObj(v) && str(v.text) ? { text: str(v.text)! } : undefined;
}

function item(v: unknown): JsonFeedItem | undefined {
  if (!isObj(v)) return undefined;
  const source = isObj(v._source) ? defined({ title: str(v._source.title), url: str(v._source.url), feed_url: str(v._source.feed_url) }) : undefined;
  return defined({
    id: str(v.id),
    url: str(v.url),
    external_url: str(v.external_url),
    title: str(v.title),
    content_html: str(v.content_html),
    content_text: str(v.content_text),
    summary: str(v.summary),
    image: str(v.image),
    banner_image: str(v.banner_image),
    date_published: str(v.date_published),
    date_modified: str(v.date_modified),
    authors: authors(v),
    tags: Array.isArray(v.tags) ? v.tags.map(str).filter((t): t is string => !!t) : [],
    language: str(v.language),
    attachments: Array.isArray(v.attachments) ? v.attachments.map(attachment).filter((a): a is JsonFeedAttachment => !!a) : [],
    _rights: rights(v._rights),
    // `_ednote` ({text} per the JSON Feed rule that extensions are objects, or a plain string),
    // else a ninjs-style `ednote` string.
    _ednote: rights(v._ednote) ?? (typeof v.ednote === 'string' ? rights(v.ednote) : undefined),
    _source: source,
  });
}

/** 1-based line of a character offset, for error messages people can act on. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Offset of a JSON syntax error. Node 20's messages often carry no position, so it is found
 * by bisection: every prefix shorter than the error fails only with "end of input".
 */
function errorOffset(text: string): number | undefined {
  const endOnly = (n: number): boolean => {
    try {
      JSON.parse(text.slice(0, n));
      return true;
    } catch (e) {
      const msg = e instanceof Error ? e.message : '';
      const at = /position (\d+)/.exec(msg)?.[1];
      return /end of (JSON )?input|Unterminated/i.test(msg) || (at !== undefined && Number(at) >= n);
    }
  };
  if (endOnly(text.length)) return undefined;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (endOnly(mid + 1)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Parses a JSON Feed document. Throws ParseError (`malformed JSON`, `not_a_feed`). */
export function parseJsonFeed(text: string): { format: JsonFeedFormat; feed: JsonFeed; lint: LintIssue[] } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    const stated = /position (\d+)/.exec(msg)?.[1];
    const pos = stated !== undefined ? Number(stated) : errorOffset(text);
    const where = pos !== undefined ? ` at line ${lineOf(text, pos)}` : '';
    throw new ParseError(`parse: malformed JSON${where}: ${msg.replace(/\s+/g, ' ')}`, { cause });
  }
  if (!isObj(json) || !Array.isArray(json.items)) {
    throw new ParseError('parse: not a feed (JSON without an "items" array)', { code: 'not_a_feed' });
  }
  const lint: LintIssue[] = [];
  const version = str(json.version) ?? '';
  let format: JsonFeedFormat;
  if (/^https?:\/\/jsonfeed\.org\/version\/1\.1\/?$/.test(version)) format = 'json11';
  else if (/^https?:\/\/jsonfeed\.org\/version\/1\/?$/.test(version)) format = 'json10';
  else {
    format = 'json11';
    lint.push({ code: 'unknown_version', message: `JSON Feed version ${JSON.stringify(version)} is not 1 or 1.1; read as 1.1` });
  }
  const feed: JsonFeed = defined({
    version,
    title: str(json.title),
    home_page_url: str(json.home_page_url),
    feed_url: str(json.feed_url),
    description: str(json.description),
    icon: str(json.icon),
    favicon: str(json.favicon),
    language: str(json.language),
    authors: authors(json),
    hubs: Array.isArray(json.hubs) ? json.hubs.filter(isObj).map((h) => defined({ type: str(h.type), url: str(h.url) })) : undefined,
    _rights: rights(json._rights),
    items: json.items.map(item).filter((i): i is JsonFeedItem => !!i),
  });
  return { format, feed, lint };
}
