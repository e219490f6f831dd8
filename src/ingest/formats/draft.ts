// The one shape every format adapter produces: an article draft with strings as the source
// wrote them (URLs already absolute and checked), before the shared finishing step
// (article-inputs.ts) turns it into an ArticleInput.
import type { AssetInput, Author, Category, FeedMeta } from '../../model/types.js';
import { htmlToText } from '../html-text.js';
import { collapseWhitespace } from '../plain-text.js';

/** A text value and whether the source marked it as HTML. */
export interface Marked {
  value: string;
  html: boolean;
}

export interface ArticleDraft {
  guid?: string;
  url?: string;
  /** Base for relative URLs inside this item's HTML. */
  base: string;
  title?: Marked;
  contentHtml?: string;
  contentText?: string;
  summary?: Marked;
  authors: Author[];
  categories: Category[];
  language?: string;
  rights?: string;
  ednote?: string;
  dates: { published?: string; updated?: string; dcDate?: string };
  assets: AssetInput[];
  /** A relative URL had to be resolved against the document URL (no xml:base said where). */
  neededDocumentUrl: boolean;
}

/** What an adapter makes of one document. */
export interface AdaptedFeed {
  meta: FeedMeta;
  drafts: ArticleDraft[];
}

export function markedToText(m: Marked): string {
  return m.html ? htmlToText(m.value) : collapseWhitespace(m.value);
}

/**
 * `o` without its undefined members, as a new object with the same key order. Deleting in
 * place instead turned every article into a slow dictionary-mode object, which made the later
 * spreads and the content hash several times slower.
 */
export function defined<T extends object>(o: T): T {
  const out = {} as T;
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

export function positiveInt(v: string | number | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  return Number.isFinite(n) && n > 0 ? Math.round(n) : undefined;
}

/** One author per name and e-mail address (case-insensitive), first kept. */
export function dedupeAuthors(list: Author[]): Author[] {
  const seen = new Set<string>();
  return list.filter((a) => {
    const k = `${a.name.toLowerCase()}|${a.email?.toLowerCase() ?? ''}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
