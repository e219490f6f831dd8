// ArticleRepo on SQLite. Each query shape leans on one index (see the migrations):
//   newest first        articles (status, sort_at)          walked backwards, LIMIT stops it
//   one source          articles (source_id, sort_at)
//   one category        article_categories (term_lower, sort_at, article_id)
//   cursor (after)      articles (seq)
//   full text           articles_fts by rowid DESC (rowid follows insertion: cheap, unlike rank)
//   several categories, or 2..MAX_SOURCE_ARMS sources: one limited walk each, merged
// IN-lists are passed as one JSON array (json_each) so the statement text, and its cached
// prepared statement, do not depend on the list length.
import { ValidationError } from '../../errors.js';
import type { Article, ArticleQuery } from '../../model/types.js';
import type { ArticleRepo } from '../repos.js';
import { toFtsQuery } from './fts-query.js';
import type { SqliteContext } from './context.js';
import { ARTICLE_COLUMNS, type ArticleTuple } from '../rows.js';
import { readArticle, rowsToArticles } from './article-read.js';
import { foldCategory } from '../search-text.js';
import { nextSeq } from './seq.js';
import { applyArticleEvent, dueEmbargoIds, listRevisions, nextEmbargoEnd } from './lifecycle.js';
import { MAX_SOURCE_ARMS } from '../defaults.js';

export interface BuiltQuery {
  sql: string;
  params: unknown[];
}

interface Shared {
  fts?: string;
  after?: number;
  includeWithdrawn: boolean;
  publicSourcesOnly: boolean;
  /** Newest event first (highest seq): the last change touching a selection. */
  seqDesc?: boolean;
  identityKeys?: string[];
  limit: number;
}

/** One index walk: at most one category, one or several sources. */
interface Arm {
  term?: string;
  sourceIds: number[];
}

function armSql(arm: Arm, shared: Shared, columns: string, params: unknown[]): string {
  const joins: string[] = [];
  const where: string[] = [];
  if (columns === ARTICLE_COLUMNS) joins.push('JOIN sources s ON s.id = a.source_id');
  if (shared.fts !== undefined) {
    joins.push('JOIN articles_fts f ON f.rowid = a.id');
    where.push('articles_fts MATCH ?');
    params.push(shared.fts);
  }
  if (arm.term !== undefined) {
    joins.push('JOIN article_categories c ON c.article_id = a.id');
    where.push('c.term_lower = ?');
    params.push(arm.term);
  }
  if (arm.sourceIds.length === 1) {
    where.push('a.source_id = ?');
    params.push(arm.sourceIds[0]);
  } else if (arm.sourceIds.length > 1) {
    where.push('a.source_id IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(arm.sourceIds));
  }
  if (shared.publicSourcesOnly) {
    // Uncorrelated: evaluated once per statement into a small set, then probed per row.
    where.push(`a.source_id NOT IN (SELECT id FROM sources WHERE visibility <> 'public')`);
  }
  if (shared.identityKeys !== undefined) {
    where.push('a.identity_key IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(shared.identityKeys));
  }
  if (!shared.includeWithdrawn) {
    // On a cursor page the seq index must drive (it streams in order and stops at LIMIT);
    // unary + keeps the planner from picking the status index for this term instead.
    where.push(shared.after !== undefined ? `+a.status = 'live'` : `a.status = 'live'`);
  }
  let order: string;
  if (shared.identityKeys !== undefined) {
    // The identity index drives; unary + keeps the planner from walking a sort index instead
    // (the few copies are sorted afterwards).
    if (shared.after !== undefined) {
      where.push('a.seq > ?');
      params.push(shared.after);
    }
    order = '+a.id DESC';
  } else if (shared.after !== undefined) {
    where.push('a.seq > ?');
    params.push(shared.after);
    order = 'a.seq ASC';
  } else if (shared.seqDesc) {
    order = 'a.seq DESC';
  } else if (shared.fts !== undefined) {
    order = 'f.rowid DESC';
  } else if (arm.term !== undefined) {
    order = 'c.sort_at DESC, c.article_id DESC';
  } else {
    order = 'a.sort_at DESC, a.id DESC';
  }
  params.push(shared.limit);
  return `SELECT ${columns} FROM articles a ${joins.join(' ')}
${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ?`;
}

/**
 * The SQL for one ArticleQuery. Exported for EXPLAIN QUERY PLAN checks in tests.
 * Several categories (or a few sources) cannot share one ordered index walk, and sorting
 * every match is slow at scale, so each gets its own walk with the page limit ("arm"); the
 * page is the newest of their union: every article of the true page is in its arm's top N.
 */
export function buildArticleQuery(q: ArticleQuery, opts: { seqDesc?: boolean } = {}): BuiltQuery {
  if (!Number.isInteger(q.limit) || q.limit < 1) {
    throw new ValidationError('invalid_limit', 'storage: limit must be a positive whole number', 400);
  }
  if (q.after !== undefined && (!Number.isInteger(q.after) || q.after < 0)) {
    throw new ValidationError('invalid_cursor', 'storage: after must be a non-negative whole number', 400);
  }
  const sourceIds = [...new Set(q.sourceIds ?? [])];
  const terms = [...new Set((q.categories ?? []).map(foldCategory).filter((t) => t !== ''))];
  const shared: Shared = {
    fts: q.q !== undefined && q.q.trim() !== '' ? toFtsQuery(q.q) : undefined,
    after: q.after,
    includeWithdrawn: q.includeWithdrawn ?? false,
    publicSourcesOnly: q.publicSourcesOnly ?? false,
    seqDesc: opts.seqDesc,
    ...(q.identityKeys !== undefined ? { identityKeys: [...new Set(q.identityKeys)] } : {}),
    limit: q.limit,
  };
  let arms: Arm[];
  if (terms.length > 1) arms = terms.map((term) => ({ term, sourceIds }));
  else if (sourceIds.length > 1 && sourceIds.length <= MAX_SOURCE_ARMS) arms = sourceIds.map((id) => ({ term: terms[0], sourceIds: [id] }));
  else arms = [{ term: terms[0], sourceIds }];

  const params: unknown[] = [];
  if (arms.length === 1) return { sql: armSql(arms[0]!, shared, ARTICLE_COLUMNS, params), params };

  // Arms return their sort keys so the merge sorts small (id, key) rows, not whole articles.
  // Source arms are disjoint (UNION ALL); category arms can share an article (UNION dedupes).
  const union = arms
    .map((arm) => `SELECT * FROM (${armSql(arm, shared, 'a.id AS id, a.sort_at AS sort_at, a.seq AS seq', params)})`)
    .join(terms.length > 1 ? '\nUNION ' : '\nUNION ALL ');
  const keys =
    shared.after !== undefined ? ['seq ASC', 'a.seq ASC'] : shared.seqDesc ? ['seq DESC', 'a.seq DESC'] : shared.fts !== undefined ? ['id DESC', 'a.id DESC'] : ['sort_at DESC, id DESC', 'a.sort_at DESC, a.id DESC'];
  params.push(q.limit);
  const sql = `SELECT ${ARTICLE_COLUMNS}
FROM (SELECT id FROM (${union}) ORDER BY ${keys[0]} LIMIT ?) p
JOIN articles a ON a.id = p.id JOIN sources s ON s.id = a.source_id
ORDER BY ${keys[1]}`;
  return { sql, params };
}

export function createArticleRepo(ctx: SqliteContext): ArticleRepo {
  const getOne = (id: number): Article | undefined => readArticle(ctx, id);

  return {
    async query(q: ArticleQuery) {
      const { sql, params } = buildArticleQuery(q);
      return ctx.read('query articles', () => rowsToArticles(ctx, ctx.stmt(sql).raw(true).all(...params) as ArticleTuple[]));
    },

    async get(id: number) {
      return ctx.read('get article', () => getOne(id));
    },

    async applyEvent(id, decide, now) {
      return ctx.write('article event', () => {
        const current = getOne(id);
        if (!current) return undefined;
        const ev = decide(current);
        if (!ev) return current;
        applyArticleEvent(ctx, current, ev, now);
        return getOne(id);
      });
    },

    async revisions(id) {
      return ctx.read('article revisions', () => {
        const a = getOne(id);
        return a && listRevisions(ctx, a);
      });
    },

    async liftDueEmbargoes(now) {
      // Another process may have lifted them already: a write that changes nothing would still
      // move the data version and drop every rendered feed. The list is read again under the lock.
      if (ctx.read('due embargoes', () => dueEmbargoIds(ctx, now)).length === 0) return 0;
      return ctx.write('lift embargoes', () => {
        const ids = dueEmbargoIds(ctx, now);
        for (const id of ids) applyArticleEvent(ctx, getOne(id)!, { status: 'usable', revisionReason: 'embargo lifted' }, now);
        return ids.length;
      });
    },

    async nextEmbargoEnd() {
      return ctx.read('next embargo', () => nextEmbargoEnd(ctx));
    },

    async lastChange(q) {
      const { sql, params } = buildArticleQuery({ ...q, includeWithdrawn: true, after: undefined, limit: 1 }, { seqDesc: true });
      return ctx.read('last change', () => {
        const row = ctx.stmt(sql).raw(true).get(...params) as ArticleTuple | undefined;
        return row && rowsToArticles(ctx, [row])[0]!.changedAt;
      });
    },

    async ednotes(ids: readonly number[]) {
      return ctx.read('article ednotes', () => {
        const out = new Map<number, string>();
        if (ids.length === 0) return out;
        const rows = ctx
          .stmt('SELECT id, ednote FROM articles WHERE id IN (SELECT value FROM json_each(?)) AND ednote IS NOT NULL')
          .raw(true)
          .all(JSON.stringify(ids)) as [number, string][];
        for (const [id, note] of rows) out.set(id, note);
        return out;
      });
    },

    async maxSeq() {
      return ctx.read('max seq', () => nextSeq(ctx) - 1);
    },

    async count(filter?: { sourceId?: number }) {
      return ctx.read('count articles', () =>
        filter?.sourceId !== undefined
          ? (ctx.stmt(`SELECT count(*) FROM articles WHERE source_id = ? AND status = 'live'`).pluck().get(filter.sourceId) as number)
          : (ctx.stmt(`SELECT count(*) FROM articles WHERE status = 'live'`).pluck().get() as number),
      );
    },
  };
}
