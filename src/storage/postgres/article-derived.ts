// The rows derived from an article (assets, categories) and its full-text vector, written by
// ingest and by editorial corrections alike. The vector is a column of the article row: the
// statement that writes the row sets `fts = articleSearchDocument(item)::tsvector` itself, since
// a second UPDATE would write the row (and every index entry, GIN included) twice.
import type { ArticleInput, IsoDate } from '../../model/types.js';
import { foldCategory, indexText } from '../search-text.js';
import type { PgQuery } from './context.js';
import { ftsDocument } from './fts-text.js';

/** The tsvector literal of an article: the fields SQLite's articles_fts indexes, in its order. */
export function articleSearchDocument(item: Pick<ArticleInput, 'title' | 'summary' | 'contentHtml'>): string {
  return ftsDocument([item.title ?? '', item.summary ?? '', indexText(item.contentHtml)]);
}

/** Writes the rows derived from an article (assets, categories), replacing old ones. */
export async function writeDerived(q: PgQuery, id: number, item: ArticleInput, sortAt: IsoDate, replace: boolean): Promise<void> {
  if (replace) {
    await q.exec('DELETE FROM assets WHERE article_id = $1', [id]);
    await q.exec('DELETE FROM article_categories WHERE article_id = $1', [id]);
  }
  const assets = item.assets ?? [];
  if (assets.length) {
    const col = <T>(f: (a: (typeof assets)[number]) => T | undefined) => assets.map((a) => f(a) ?? null);
    await q.exec(
      `INSERT INTO assets (article_id, position, url, mime_type, medium, width, height, size, title, caption, credit,
         credit_role, rights, thumbnail_url)
       SELECT $1, p - 1, url, mime_type, medium, width, height, size, title, caption, credit, credit_role, rights, thumbnail_url FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::int[], $7::bigint[], $8::text[],
         $9::text[], $10::text[], $11::text[], $12::text[], $13::text[]) WITH ORDINALITY AS u (url, mime_type, medium, width, height,
         size, title, caption, credit, credit_role, rights, thumbnail_url, p)`,
      [
        id,
        col((a) => a.url),
        col((a) => a.mimeType),
        col((a) => a.medium),
        col((a) => a.width),
        col((a) => a.height),
        col((a) => a.size),
        col((a) => a.title),
        col((a) => a.caption),
        col((a) => a.credit),
        col((a) => a.creditRole),
        col((a) => a.rights),
        col((a) => a.thumbnailUrl),
      ],
    );
  }
  const terms = [...new Set((item.categories ?? []).map((c) => foldCategory(c.term)).filter((t) => t !== ''))];
  if (terms.length) {
    await q.exec('INSERT INTO article_categories (article_id, term_lower, sort_at) SELECT $1, t, $3 FROM unnest($2::text[]) AS t', [id, terms, sortAt]);
  }
}
