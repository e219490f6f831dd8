// The SQL of one ArticleQuery on PostgreSQL: the twin of sqlite/article-repo.ts's builder, with
// the same query shapes, each leaning on one index (schema-v1.ts):
//   newest first        articles (status, sort_at, id)     walked backwards, LIMIT stops it
//   one source          articles (source_id, sort_at, id)
//   one category        article_categories (term_lower, sort_at, article_id)
//   cursor (after)      articles (seq)
//   full text           GIN on articles.fts, newest id first (SQLite: FTS rowid DESC)
//   several categories, or 2..MAX_SOURCE_ARMS sources: one limited walk each, merged
// Lists are passed as one array parameter (= ANY($n)) so the statement text does not depend on
// their length.
import { ValidationError } from '../../errors.js';
import type { ArticleQuery } from '../../model/types.js';
import { searchTerms } from '../search-terms.js';
import { MAX_SOURCE_ARMS } from '../defaults.js';
import { ARTICLE_COLUMNS } from '../rows.js';
import { foldCategory } from '../search-text.js';
import type { SqlParam } from './context.js';
import { ftsQuery, type SearchTerm } from './fts-text.js';

export interface BuiltQuery {
  sql: string;
  params: SqlParam[];
}

interface Shared {
  /** tsquery literal; null: the search has no word left and matches nothing. */
  fts?: string | null;
  after?: number;
  includeWithdrawn: boolean;
  publicSourcesOnly: boolean;
  seqDesc?: boolean;
  identityKeys?: string[];
  limit: number;
}

interface Arm {
  term?: string;
  sourceIds: number[];
}

class Params {
  readonly values: SqlParam[] = [];
  add(v: SqlParam): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

function armSql(arm: Arm, shared: Shared, columns: string, p: Params): string {
  const joins: string[] = [];
  const where: string[] = [];
  if (columns === ARTICLE_COLUMNS) joins.push('JOIN sources s ON s.id = a.source_id');
  if (shared.fts === null) where.push('false');
  else if (shared.fts !== undefined) where.push(`a.fts @@ ${p.add(shared.fts)}::tsquery`);
  if (arm.term !== undefined) {
    joins.push('JOIN article_categories c ON c.article_id = a.id');
    where.push(`c.term_lower = ${p.add(arm.term)}`);
  }
  if (arm.sourceIds.length === 1) where.push(`a.source_id = ${p.add(arm.sourceIds[0]!)}`);
  else if (arm.sourceIds.length > 1) where.push(`a.source_id = ANY(${p.add(arm.sourceIds)}::bigint[])`);
  if (shared.publicSourcesOnly) where.push(`a.source_id NOT IN (SELECT id FROM sources WHERE visibility <> 'public')`);
  if (shared.identityKeys !== undefined) where.push(`a.identity_key = ANY(${p.add(shared.identityKeys)}::text[])`);
  if (!shared.includeWithdrawn) where.push(`a.status = 'live'`);
  let order: string;
  if (shared.identityKeys !== undefined) {
    if (shared.after !== undefined) where.push(`a.seq > ${p.add(shared.after)}`);
    order = 'a.id DESC';
  } else if (shared.after !== undefined) {
    where.push(`a.seq > ${p.add(shared.after)}`);
    order = 'a.seq ASC';
  } else if (shared.seqDesc) {
    order = 'a.seq DESC';
  } else if (shared.fts !== undefined) {
    order = 'a.id DESC';
  } else if (arm.term !== undefined) {
    order = 'c.sort_at DESC, c.article_id DESC';
  } else {
    order = 'a.sort_at DESC, a.id DESC';
  }
  const limit = p.add(shared.limit);
  return `SELECT ${columns} FROM articles a ${joins.join(' ')}
${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ${limit}`;
}

/** The SQL for one ArticleQuery (exported for EXPLAIN checks in tests and benches). */
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
    ...(q.q !== undefined && q.q.trim() !== '' ? { fts: ftsQuery(searchTerms(q.q)) ?? null } : {}),
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

  const p = new Params();
  if (arms.length === 1) return { sql: armSql(arms[0]!, shared, ARTICLE_COLUMNS, p), params: p.values };

  // Arms return their sort keys so the merge sorts small (id, key) rows, not whole articles.
  // Source arms are disjoint (UNION ALL); category arms can share an article (UNION dedupes).
  const union = arms
    .map((arm, i) => `SELECT * FROM (${armSql(arm, shared, 'a.id AS id, a.sort_at AS sort_at, a.seq AS seq', p)}) arm${i}`)
    .join(terms.length > 1 ? '\nUNION ' : '\nUNION ALL ');
  const keys =
    shared.after !== undefined
      ? ['seq ASC', 'a.seq ASC']
      : shared.seqDesc
        ? ['seq DESC', 'a.seq DESC']
        : shared.fts !== undefined
          ? ['id DESC', 'a.id DESC']
          : ['sort_at DESC, id DESC', 'a.sort_at DESC, a.id DESC'];
  const limit = p.add(q.limit);
  const sql = `SELECT ${ARTICLE_COLUMNS}
FROM (SELECT id FROM (${union}) u ORDER BY ${keys[0]} LIMIT ${limit}) pg
JOIN articles a ON a.id = pg.id JOIN sources s ON s.id = a.source_id
ORDER BY ${keys[1]}`;
  return { sql, params: p.values };
}
