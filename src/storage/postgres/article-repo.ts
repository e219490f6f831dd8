// ArticleRepo on PostgreSQL, reads: the twin of sqlite/article-repo.ts. The lifecycle half
// (applyEvent, revisions, embargoes) lives in lifecycle.ts; open.ts joins the two.
import type { ArticleRepo } from '../repos.js';
import type { PgContext } from './context.js';
import { buildArticleQuery } from './article-query.js';
import { readArticle, rowsToArticles } from './article-read.js';
import { lastSeq } from './seq.js';

export type ArticleReads = Omit<ArticleRepo, 'applyEvent' | 'revisions' | 'liftDueEmbargoes' | 'nextEmbargoEnd'>;

export function createArticleReads(ctx: PgContext): ArticleReads {
  return {
    async query(q) {
      const { sql, params } = buildArticleQuery(q);
      return ctx.read('query articles', async (c) => rowsToArticles(c, await c.tuples(sql, params)));
    },

    async get(id) {
      return ctx.read('get article', (c) => readArticle(c, id));
    },

    async lastChange(q) {
      const { sql, params } = buildArticleQuery({ ...q, includeWithdrawn: true, after: undefined, limit: 1 }, { seqDesc: true });
      return ctx.read('last change', async (c) => {
        const rows = await c.tuples(sql, params);
        return rows.length ? (await rowsToArticles(c, rows))[0]!.changedAt : undefined;
      });
    },

    async ednotes(ids) {
      return ctx.read('article ednotes', async (c) => {
        const out = new Map<number, string>();
        if (ids.length === 0) return out;
        const rows = await c.many<{ id: number; ednote: string }>('SELECT id, ednote FROM articles WHERE id = ANY($1::bigint[]) AND ednote IS NOT NULL', [
          ids,
        ]);
        for (const r of rows) out.set(r.id, r.ednote);
        return out;
      });
    },

    async maxSeq() {
      return ctx.read('max seq', (c) => lastSeq(c));
    },

    async count(filter) {
      return ctx.read('count articles', async (c) => {
        const r =
          filter?.sourceId !== undefined
            ? await c.one<{ n: number }>(`SELECT count(*) AS n FROM articles WHERE source_id = $1 AND status = 'live'`, [filter.sourceId])
            : await c.one<{ n: number }>(`SELECT count(*) AS n FROM articles WHERE status = 'live'`);
        return r!.n;
      });
    },
  };
}
