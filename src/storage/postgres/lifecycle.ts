// Article lifecycle on PostgreSQL, the twin of sqlite/lifecycle.ts: state changes and
// corrections as events (DESIGN.md §9 "Events, not flags"). Each one, inside its caller's
// transaction, stores the version it replaces in article_revisions, applies the change and
// takes a new commit-ordered seq (seq.ts), so a partner following the cursor sees it exactly
// once and in commit order.
//
// Concurrency: SQLite runs one writer at a time; here instances write at once. Every article an
// event changes is locked (FOR UPDATE) before it is read and decided on, so two instances can
// never both store revision N of one article; and, as seq.ts requires, the seq is allocated only
// after those locks (afterwards only rows already held, or rows this transaction inserted, are
// touched).
import type { Article, ArticleEvent, ArticleInput, ArticleRevision, AssetInput, IsoDate } from '../../model/types.js';
import type { ArticleRepo } from '../repos.js';
import { visibilityOf } from '../rows.js';
import { parseJson } from '../rows.js';
import { articleSearchDocument, writeDerived } from './article-derived.js';
import { readArticle } from './article-read.js';
import type { PgContext, PgQuery } from './context.js';
import { allocateSeq } from './seq.js';

type Snapshot = Omit<ArticleRevision, 'number' | 'at' | 'reason'>;

function snapshotOf(a: Article): Snapshot {
  const s: Snapshot = { status: a.status, assets: a.assets };
  if (a.title !== undefined) s.title = a.title;
  if (a.summary !== undefined) s.summary = a.summary;
  if (a.contentHtml !== undefined) s.contentHtml = a.contentHtml;
  if (a.rights !== undefined) s.rights = a.rights;
  if (a.statusReason !== undefined) s.statusReason = a.statusReason;
  if (a.embargoedUntil !== undefined) s.embargoedUntil = a.embargoedUntil;
  return s;
}

/** Stores the current version of `a` as a past revision (call before changing the row). */
export async function storeRevision(t: PgQuery, a: Article): Promise<void> {
  // INSERT OR REPLACE on SQLite.
  await t.exec(
    `INSERT INTO article_revisions (article_id, revision, valid_from, reason, snapshot) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (article_id, revision) DO UPDATE SET valid_from = excluded.valid_from, reason = excluded.reason, snapshot = excluded.snapshot`,
    [a.id, a.revision ?? 1, a.changedAt, a.revisionReason ?? null, JSON.stringify(snapshotOf(a))],
  );
}

/** Locks article `id` for this transaction and reads it; undefined when there is none. */
async function lockArticle(t: PgQuery, id: number): Promise<Article | undefined> {
  if (!(await t.one('SELECT 1 FROM articles WHERE id = $1 FOR UPDATE', [id]))) return undefined;
  return readArticle(t, id);
}

/**
 * Applies `ev` to `current` with `seq`. The caller has locked the article (lockArticle) and
 * allocated `seq` (allocateSeq) in this transaction.
 */
export async function applyArticleEvent(t: PgQuery, current: Article, ev: ArticleEvent, now: IsoDate, seq: number): Promise<void> {
  await storeRevision(t, current);
  const statusChanged = ev.status !== current.status || ev.embargoedUntil !== undefined;
  await t.exec(
    `UPDATE articles SET pub_status = $1, status = $2, status_reason = $3, status_at = $4,
       embargoed_until = coalesce($5, embargoed_until), seq = $6, changed_at = $7, revision = $8, revision_reason = $9
     WHERE id = $10`,
    [
      ev.status,
      visibilityOf(ev.status),
      statusChanged ? (ev.reason ?? null) : (current.statusReason ?? null),
      statusChanged ? now : (current.statusAt ?? null),
      ev.embargoedUntil ?? null,
      seq,
      now,
      (current.revision ?? 1) + 1,
      ev.revisionReason,
      current.id,
    ],
  );
  if (ev.correction) {
    const c = ev.correction;
    const assets: AssetInput[] = current.assets.map((asset, i) => ({ ...asset, ...dropUndefined(c.assets?.[i] ?? {}) }));
    const item: ArticleInput = { ...current, ...dropUndefined({ title: c.title, summary: c.summary, contentHtml: c.contentHtml, rights: c.rights }), assets };
    // The revision time travels as `updated`; the content hash stays, so the source sending its
    // old text again does not undo the correction (a newer text from the source still wins).
    const row = await t.one<{ sort_at: string }>(
      'UPDATE articles SET title = $1, summary = $2, content_html = $3, rights = $4, updated_at = $5, fts = $6::tsvector WHERE id = $7 RETURNING sort_at',
      [item.title ?? null, item.summary ?? null, item.contentHtml ?? null, item.rights ?? null, now, articleSearchDocument(item), current.id],
    );
    await writeDerived(t, current.id, item, row!.sort_at, true);
  }
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as Partial<T>;
}

/** One event on article `id` in this transaction (ArticleRepo.applyEvent's body). */
async function applyEventTx(t: PgQuery, id: number, decide: (current: Article) => ArticleEvent | undefined, now: IsoDate): Promise<Article | undefined> {
  const current = await lockArticle(t, id);
  if (!current) return undefined;
  const ev = decide(current);
  if (!ev) return current;
  await applyArticleEvent(t, current, ev, now, await allocateSeq(t, 1));
  return readArticle(t, id);
}

/** Every revision of `a`, oldest first, the current one last. */
async function listRevisions(q: PgQuery, a: Article): Promise<ArticleRevision[]> {
  const rows = await q.many<{ revision: number; valid_from: string; reason: string | null; snapshot: string }>(
    'SELECT revision, valid_from, reason, snapshot FROM article_revisions WHERE article_id = $1 AND revision < $2 ORDER BY revision',
    [a.id, a.revision ?? 1],
  );
  const past = rows.map((r): ArticleRevision => {
    const rev: ArticleRevision = { number: r.revision, at: r.valid_from, ...parseJson<Snapshot>(r.snapshot, { title: '', status: 'usable', assets: [] }) };
    if (r.reason !== null) rev.reason = r.reason;
    return rev;
  });
  const current: ArticleRevision = { number: a.revision ?? 1, at: a.changedAt, ...snapshotOf(a) };
  if (a.revisionReason !== undefined) current.reason = a.revisionReason;
  return [...past, current];
}

/** True when an embargo has ended and is not lifted yet (a read: no lock). */
async function anyDueEmbargo(q: PgQuery, now: IsoDate): Promise<boolean> {
  return (await q.one(`SELECT 1 FROM articles WHERE pub_status = 'embargoed' AND embargoed_until <= $1 LIMIT 1`, [now])) !== undefined;
}

/**
 * Lifts every due embargo in this transaction: locks them in id order (an instance lifting at
 * the same time waits, then finds them lifted and skips them), then gives them seqs oldest
 * embargo first, as SQLite does. Returns how many.
 */
async function liftDueEmbargoesTx(t: PgQuery, now: IsoDate): Promise<number> {
  const due = await t.many<{ id: number; embargoed_until: string }>(
    `SELECT id, embargoed_until FROM articles WHERE pub_status = 'embargoed' AND embargoed_until <= $1 ORDER BY id FOR UPDATE`,
    [now],
  );
  if (due.length === 0) return 0;
  due.sort((a, b) => (a.embargoed_until < b.embargoed_until ? -1 : a.embargoed_until > b.embargoed_until ? 1 : a.id - b.id));
  const first = await allocateSeq(t, due.length);
  for (const [i, { id }] of due.entries()) {
    await applyArticleEvent(t, (await readArticle(t, id))!, { status: 'usable', revisionReason: 'embargo lifted' }, now, first + i);
  }
  return due.length;
}

/** The earliest embargo still to lift (the render cache expires on it). */
async function nextEmbargoEnd(q: PgQuery): Promise<IsoDate | undefined> {
  return (await q.one<{ at: string | null }>(`SELECT min(embargoed_until) AS at FROM articles WHERE pub_status = 'embargoed'`))!.at ?? undefined;
}

export type ArticleLifecycle = Pick<ArticleRepo, 'applyEvent' | 'revisions' | 'liftDueEmbargoes'> & { nextEmbargoEnd(): Promise<IsoDate | undefined> };

/** The lifecycle half of ArticleRepo (article-repo.ts has the reads; open.ts joins them). */
export function createArticleLifecycle(ctx: PgContext): ArticleLifecycle {
  return {
    async applyEvent(id, decide, now) {
      return ctx.tx('article event', (t) => applyEventTx(t, id, decide, now));
    },

    async revisions(id) {
      return ctx.read('article revisions', async (q) => {
        const a = await readArticle(q, id);
        return a && listRevisions(q, a);
      });
    },

    async liftDueEmbargoes(now) {
      // A write that changes nothing would still move every instance's data version and drop
      // every rendered feed: look first (another instance may have lifted them already).
      if (!(await ctx.read('due embargoes', (q) => anyDueEmbargo(q, now)))) return 0;
      return ctx.tx('lift embargoes', (t) => liftDueEmbargoesTx(t, now));
    },

    async nextEmbargoEnd() {
      return ctx.read('next embargo', nextEmbargoEnd);
    },
  };
}
