// Reading articles back: rows (raw tuples of ARTICLE_COLUMNS) plus their assets, in row order.
import type { Article, AssetInput } from '../../model/types.js';
import type { SqliteContext } from './context.js';
import { ARTICLE_COLUMNS, articleTupleId, toArticle, toAsset, type ArticleTuple, type AssetRow } from '../rows.js';

/** Loads the assets of all rows in one query and builds the articles, in row order. */
export function rowsToArticles(ctx: SqliteContext, rows: ArticleTuple[]): Article[] {
  if (rows.length === 0) return [];
  const byArticle = new Map<number, AssetInput[]>();
  const assetRows = ctx
    .stmt('SELECT * FROM assets WHERE article_id IN (SELECT value FROM json_each(?)) ORDER BY article_id, position')
    .all(JSON.stringify(rows.map(articleTupleId))) as AssetRow[];
  for (const a of assetRows) {
    let list = byArticle.get(a.article_id);
    if (!list) byArticle.set(a.article_id, (list = []));
    list.push(toAsset(a));
  }
  return rows.map((r) => toArticle(r, byArticle.get(articleTupleId(r)) ?? []));
}

const GET_SQL = `SELECT ${ARTICLE_COLUMNS} FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.id = ?`;

export function readArticle(ctx: SqliteContext, id: number): Article | undefined {
  const row = ctx.stmt(GET_SQL).raw(true).get(id) as ArticleTuple | undefined;
  return row && rowsToArticles(ctx, [row])[0];
}
