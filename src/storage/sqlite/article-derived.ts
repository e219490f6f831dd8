// The rows derived from an article (assets, categories, full-text), written by ingest and by
// editorial corrections alike.
import type { ArticleInput, IsoDate } from '../../model/types.js';
import type { SqliteContext } from './context.js';
import { foldCategory, indexText } from '../search-text.js';

/** Writes the rows derived from an article (assets, categories, full-text), replacing old ones. */
export function writeDerived(ctx: SqliteContext, id: number, item: ArticleInput, sortAt: IsoDate, replace: boolean): void {
  if (replace) {
    ctx.stmt('DELETE FROM assets WHERE article_id = ?').run(id);
    ctx.stmt('DELETE FROM article_categories WHERE article_id = ?').run(id);
    ctx.stmt('DELETE FROM articles_fts WHERE rowid = ?').run(id);
  }
  const insertAsset = ctx.stmt(
    `INSERT INTO assets (article_id, position, url, mime_type, medium, width, height, size, title, caption, credit,
       credit_role, rights, thumbnail_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  (item.assets ?? []).forEach((a, position) => {
    insertAsset.run(
      id,
      position,
      a.url,
      a.mimeType ?? null,
      a.medium ?? null,
      a.width ?? null,
      a.height ?? null,
      a.size ?? null,
      a.title ?? null,
      a.caption ?? null,
      a.credit ?? null,
      a.creditRole ?? null,
      a.rights ?? null,
      a.thumbnailUrl ?? null,
    );
  });
  const terms = new Set((item.categories ?? []).map((c) => foldCategory(c.term)).filter((t) => t !== ''));
  const insertCategory = ctx.stmt('INSERT INTO article_categories (article_id, term_lower, sort_at) VALUES (?, ?, ?)');
  for (const term of terms) insertCategory.run(id, term, sortAt);
  ctx
    .stmt('INSERT INTO articles_fts (rowid, title, summary, body) VALUES (?, ?, ?, ?)')
    .run(id, item.title ?? '', item.summary ?? '', indexText(item.contentHtml));
}
