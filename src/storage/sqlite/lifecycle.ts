// Article lifecycle on SQLite: state changes and corrections as events (DESIGN.md §9 "Events,
// not flags"). Each one, in one transaction, stores the version it replaces in
// article_revisions, applies the change and takes a new seq, so a partner following the cursor
// sees it exactly once and in commit order.
import type { Article, ArticleEvent, ArticleInput, ArticleRevision, AssetInput, IsoDate, SourceState } from '../../model/types.js';
import { readArticle } from './article-read.js';
import type { SqliteContext } from './context.js';
import { writeDerived } from './article-derived.js';
import { parseJson, visibilityOf } from '../rows.js';
import { nextSeq, setSeq } from './seq.js';
import { sourceStateEvent } from '../source-state-event.js';


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
export function storeRevision(ctx: SqliteContext, a: Article): void {
  ctx
    .stmt('INSERT OR REPLACE INTO article_revisions (article_id, revision, valid_from, reason, snapshot) VALUES (?, ?, ?, ?, ?)')
    .run(a.id, a.revision ?? 1, a.changedAt, a.revisionReason ?? null, JSON.stringify(snapshotOf(a)));
}

/** Applies `ev` to `current` (already read in this write transaction) and returns the new seq. */
export function applyArticleEvent(ctx: SqliteContext, current: Article, ev: ArticleEvent, now: IsoDate): number {
  storeRevision(ctx, current);
  const seq = nextSeq(ctx);
  const statusChanged = ev.status !== current.status || ev.embargoedUntil !== undefined;
  ctx
    .stmt(
      `UPDATE articles SET pub_status = ?, status = ?, status_reason = ?, status_at = ?,
         embargoed_until = coalesce(?, embargoed_until), seq = ?, changed_at = ?, revision = ?, revision_reason = ?
       WHERE id = ?`,
    )
    .run(
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
    );
  if (ev.correction) {
    const c = ev.correction;
    const assets: AssetInput[] = current.assets.map((asset, i) => ({ ...asset, ...dropUndefined(c.assets?.[i] ?? {}) }));
    const item: ArticleInput = { ...current, ...dropUndefined({ title: c.title, summary: c.summary, contentHtml: c.contentHtml, rights: c.rights }), assets };
    // The revision time travels as `updated`; the content hash stays, so the source sending its
    // old text again does not undo the correction (a newer text from the source still wins).
    ctx
      .stmt('UPDATE articles SET title = ?, summary = ?, content_html = ?, rights = ?, updated_at = ? WHERE id = ?')
      .run(item.title ?? null, item.summary ?? null, item.contentHtml ?? null, item.rights ?? null, now, current.id);
    const sortAt = ctx.stmt('SELECT sort_at FROM articles WHERE id = ?').pluck().get(current.id) as string;
    writeDerived(ctx, current.id, item, sortAt, true);
  }
  setSeq(ctx, seq);
  return seq;
}

function dropUndefined<T extends object>(o: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as Partial<T>;
}

/** Every revision of `a`, oldest first, the current one last. */
export function listRevisions(ctx: SqliteContext, a: Article): ArticleRevision[] {
  const rows = ctx
    .stmt('SELECT revision, valid_from, reason, snapshot FROM article_revisions WHERE article_id = ? AND revision < ? ORDER BY revision')
    .all(a.id, a.revision ?? 1) as { revision: number; valid_from: string; reason: string | null; snapshot: string }[];
  const past = rows.map((r): ArticleRevision => {
    const rev: ArticleRevision = { number: r.revision, at: r.valid_from, ...parseJson<Snapshot>(r.snapshot, { title: '', status: 'usable', assets: [] }) };
    if (r.reason !== null) rev.reason = r.reason;
    return rev;
  });
  const current: ArticleRevision = { number: a.revision ?? 1, at: a.changedAt, ...snapshotOf(a) };
  if (a.revisionReason !== undefined) current.reason = a.revisionReason;
  return [...past, current];
}

/**
 * Applies the statuses a source declares for its entries (matched by identity key or guid),
 * each as an event with a new seq when sourceStateEvent says so. Returns how many applied.
 */
export function applySourceStates(ctx: SqliteContext, sourceId: number, states: readonly SourceState[], now: IsoDate): number {
  const find = ctx.stmt(
    `SELECT id, source_status FROM articles WHERE source_id = ? AND (identity_key = ? OR guid = ?) ORDER BY identity_key = ? DESC LIMIT 1`,
  );
  const remember = ctx.stmt('UPDATE articles SET source_status = ? WHERE id = ?');
  let applied = 0;
  for (const s of states) {
    const row = find.get(sourceId, s.ref, s.ref, s.ref) as { id: number; source_status: string | null } | undefined;
    if (!row || row.source_status === s.status) continue;
    const current = readArticle(ctx, row.id)!;
    const ev = sourceStateEvent({ status: current.status, sourceStatus: row.source_status }, s, now);
    if (ev) {
      applyArticleEvent(ctx, current, ev, now);
      applied++;
    }
    remember.run(s.status, row.id);
  }
  return applied;
}

/** Ids of embargoed articles whose time has come, oldest embargo first. */
export function dueEmbargoIds(ctx: SqliteContext, now: IsoDate): number[] {
  return ctx
    .stmt(`SELECT id FROM articles WHERE pub_status = 'embargoed' AND embargoed_until <= ? ORDER BY embargoed_until, id`)
    .pluck()
    .all(now) as number[];
}

/** The earliest embargo still to lift (the render cache expires on it). */
export function nextEmbargoEnd(ctx: SqliteContext): IsoDate | undefined {
  return (ctx.stmt(`SELECT min(embargoed_until) FROM articles WHERE pub_status = 'embargoed'`).pluck().get() as string | null) ?? undefined;
}
