// Field values shared by the serializers: blank checks, RFC 3339/822 dates, effective dates,
// display title, asset MIME types and picks, language tags, e-mail addresses, whole numbers.
import type { Article, AssetInput, IsoDate } from '../model/types.js';
import type { FeedDocument } from './types.js';


/** Undefined for absent or blank values, so optional elements are simply skipped. */
export function nonEmpty(s: string | undefined | null): string | undefined {
  return s === undefined || s === null || s.trim() === '' ? undefined : s;
}

function parseDate(iso: IsoDate | undefined): Date | undefined {
  if (iso === undefined) return undefined;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** RFC 3339 / xsd:dateTime in UTC; whole seconds drop the ".000" (as the wire fixture does). */
export function toRfc3339(iso: IsoDate | undefined): string | undefined {
  const d = parseDate(iso);
  if (d === undefined) return undefined;
  const s = d.toISOString();
  return s.endsWith('.000Z') ? `${s.slice(0, -5)}Z` : s;
}

/** RSS 2.0 dates are RFC 822 (four-digit years allowed); `toUTCString` yields "Wed, 03 Dec 2025 14:05:00 GMT". */
export function toRfc822(iso: IsoDate | undefined): string | undefined {
  return parseDate(iso)?.toUTCString();
}

/**
 * Published time as the source stated it (its published date, else its last update); undefined
 * when it stated none, so RSS `pubDate`, Atom `published` and JSON `date_published` are left
 * out rather than filled with the time we happened to fetch it.
 */
export function effectivePublished(a: Article): IsoDate | undefined {
  return a.publishedAt ?? a.updatedAt;
}

/**
 * Atom's required `updated` (RFC 4287 §4.2.15): updated ?? published ?? firstSeenAt. The only
 * date written for an undated item, and by its definition ("the most recent instant in time when
 * an entry … was modified") the first-seen time is an honest reading of it.
 */
export function effectiveUpdated(a: Article): IsoDate {
  return a.updatedAt ?? a.publishedAt ?? a.firstSeenAt;
}

/** True when `updatedAt` is a real, different instant from the published time. */
export function hasDistinctUpdate(a: Article): boolean {
  if (a.updatedAt === undefined) return false;
  const u = parseDate(a.updatedAt);
  const p = parseDate(effectivePublished(a) ?? a.firstSeenAt);
  return u !== undefined && p !== undefined && u.getTime() !== p.getTime();
}

/** The latest of `pick(item)` over the items (compared as instants); undefined for none. */
export function newestDate(items: readonly Article[], pick: (a: Article) => IsoDate): IsoDate | undefined {
  let best: IsoDate | undefined;
  let bestMs = -Infinity;
  for (const item of items) {
    const iso = pick(item);
    const ms = Date.parse(iso);
    if (ms > bestMs) {
      bestMs = ms;
      best = iso;
    }
  }
  return best;
}

/** doc.updated, else the newest item time (data-derived, never "now"); undefined when there is none. */
export function feedUpdated(doc: FeedDocument): IsoDate | undefined {
  return doc.updated ?? newestDate(doc.items, effectiveUpdated);
}

/** Longest title derived for a format that requires one (Atom) from an untitled item's text. */
const DERIVED_TITLE_CHARS = 120;

/** `text` cut to at most `max` characters at a word boundary, with an ellipsis when cut. */
function excerpt(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const head = t.slice(0, max - 1);
  const space = head.lastIndexOf(' ');
  return `${(space >= max / 2 ? head.slice(0, space) : head).replace(/[\s,;:–—-]+$/, '')}…`;
}

/**
 * A title for the places that must show one (Atom's required `atom:title`, the human page):
 * the source's title, else the opening of the summary, else the first asset's title or caption,
 * else empty. Derived at render time only: storage, RSS and JSON Feed keep the absence, so no
 * partner receives a headline the source did not write.
 */
export function displayTitle(a: Article): string {
  if (a.title !== undefined && a.title.trim() !== '') return a.title;
  const from = nonEmpty(a.summary) ?? nonEmpty(a.assets[0]?.title) ?? nonEmpty(a.assets[0]?.caption);
  return from === undefined ? '' : excerpt(from, DERIVED_TITLE_CHARS);
}

const MIME_BY_EXTENSION: Readonly<Record<string, string>> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  pdf: 'application/pdf',
};

/** JSON Feed 1.1 requires `mime_type`: the asset's own, else from the URL's extension, else octet-stream. */
export function mimeTypeOf(asset: AssetInput): string {
  if (asset.mimeType !== undefined && asset.mimeType.includes('/')) return asset.mimeType;
  const path = asset.url.split(/[?#]/, 1)[0] ?? '';
  const dot = path.lastIndexOf('.');
  const ext = dot >= 0 && dot > path.lastIndexOf('/') ? path.slice(dot + 1).toLowerCase() : '';
  return MIME_BY_EXTENSION[ext] ?? 'application/octet-stream';
}

function isImage(asset: AssetInput): boolean {
  return asset.medium === 'image' || mimeTypeOf(asset).startsWith('image/');
}

/** DESIGN.md §3: the first image is the article's image. */
export function primaryImage(assets: readonly AssetInput[]): AssetInput | undefined {
  return assets.find(isImage);
}

/** RSS 2.0 allows one `enclosure`, and its `length` is required: the first asset with a size. */
/**
 * The asset RSS's single `<enclosure>` carries: the first with a known size, else the first.
 * RSS requires `length`; for an unknown size `length="0"` is the accepted convention (RSS
 * Advisory Board best practices), better than leaving a photo out.
 */
export function primaryEnclosure(assets: readonly AssetInput[]): { asset: AssetInput; length: number } | undefined {
  const sized = assets.find((a) => wholeNumber(a.size) !== undefined);
  if (sized) return { asset: sized, length: wholeNumber(sized.size)! };
  return assets[0] && { asset: assets[0], length: 0 };
}

/** RFC 3066 shape, as atom.rnc's atomLanguageTag checks it. */
const LANGUAGE_TAG = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;

export function languageTag(s: string | undefined): string | undefined {
  return s !== undefined && LANGUAGE_TAG.test(s) ? s : undefined;
}

/** atom.rnc's atomEmailAddress is ".+@.+"; anything else would make the entry invalid. */
export function emailAddress(s: string | undefined): string | undefined {
  return s !== undefined && /^[^\s@]+@[^\s@]+$/.test(s) ? s : undefined;
}

/** A finite non-negative integer for width/height/size attributes, else undefined. */
export function wholeNumber(n: number | undefined): number | undefined {
  return n !== undefined && Number.isInteger(n) && n >= 0 ? n : undefined;
}
