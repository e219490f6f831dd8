// Reading articles back: rows (tuples of ARTICLE_COLUMNS, the same list and mapping as SQLite's,
// so both backends build identical Article objects) plus their assets, in row order.
import type { Article, AssetInput } from '../../model/types.js';
import { ARTICLE_COLUMNS, articleTupleId, toArticle, toAsset, type ArticleTuple, type AssetRow } from '../rows.js';
import type { PgQuery } from './context.js';

/** Loads the assets of all rows in one query and builds the articles, in row order. */
export async function rowsToArticles(q: PgQuery, rows: ArticleTuple[]): Promise<Article[]> {
  if (rows.length === 0) return [];
  const byArticle = new Map<number, AssetInput[]>();
  const assetRows = await q.many<AssetRow>('SELECT * FROM assets WHERE article_id = ANY($1::bigint[]) ORDER BY article_id, position', [
    rows.map(articleTupleId),
  ]);
  for (const a of assetRows) {
    let list = byArticle.get(a.article_id);
    if (!list) byArticle.set(a.article_id, (list = []));
    list.push(toAsset(a));
  }
  return rows.map((r) => toArticle(r, byArticle.get(articleTupleId(r)) ?? []));
}

const GET_SQL = `SELECT ${ARTICLE_COLUMNS} FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.id = $1`;

export async function readArticle(q: PgQuery, id: number): Promise<Article | undefined> {
  const rows = await q.tuples(GET_SQL, [id]);
  return rows.length ? (await rowsToArticles(q, rows))[0] : undefined;
}
