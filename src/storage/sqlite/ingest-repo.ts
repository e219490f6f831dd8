// IngestRepo (pipeline step 7) and FetchLogRepo on SQLite.
import { NotFoundError } from '../../errors.js';
import { SOURCE_UPDATE_REASON, type ArticleInput, type FetchLogEntry, type IsoDate, type RawItemRef } from '../../model/types.js';
import type { FencedFetch, FetchCounts, FetchLogRepo, FetchRecord, IngestRepo, LeaseRef, StoredFetch } from '../repos.js';
import type { SqliteContext } from './context.js';
import { toFetchLogEntry, type FetchLogRow } from '../rows.js';
import { nextSeq, setSeq } from './seq.js';
import { readArticle } from './article-read.js';
import { writeDerived } from './article-derived.js';
import { applySourceStates, storeRevision } from './lifecycle.js';
import { sourcePatchToSet } from '../source-columns.js';
import { sourceClash } from './source-repo.js';
import { FETCH_LOG_KEEP_PER_SOURCE } from '../defaults.js';

const ARTICLE_FIELDS = `identity_kind, guid, url, title, summary, content_html, authors, categories, language,
  published_at, updated_at, rights, content_hash, sort_at, ednote`;

function articleValues(item: ArticleInput, sortAt: IsoDate): unknown[] {
  return [
    item.identityKind,
    item.guid ?? null,
    item.url ?? null,
    item.title ?? null,
    item.summary ?? null,
    item.contentHtml ?? null,
    JSON.stringify(item.authors ?? []),
    JSON.stringify(item.categories ?? []),
    item.language ?? null,
    item.publishedAt ?? null,
    item.updatedAt ?? null,
    item.rights ?? null,
    item.contentHash,
    sortAt,
    item.ednote ?? null,
  ];
}

/**
 * An update from the source is a new revision: the current one is stored first. It takes a new
 * seq only while the article is usable; a withheld, killed or embargoed story changes silently
 * (partners hold its tombstone, or have not seen it yet) and is delivered on release.
 * Returns the trailing values of the update statement: seq, changed_at, revision, reason, id.
 */
function sourceRevision(ctx: SqliteContext, id: number, newSeq: number | undefined, now: IsoDate): unknown[] {
  const current = readArticle(ctx, id)!;
  storeRevision(ctx, current);
  const rev = (current.revision ?? 1) + 1;
  return newSeq === undefined ? [current.seq, current.changedAt, rev, SOURCE_UPDATE_REASON, id] : [newSeq, now, rev, SOURCE_UPDATE_REASON, id];
}

export function createIngestRepo(ctx: SqliteContext): IngestRepo {
  async function recordFetch(record: FetchRecord & { lease?: LeaseRef }): Promise<StoredFetch | FencedFetch> {
      let rec = record;
      return ctx.write('record fetch', () => {
        const held = ctx.stmt('SELECT lease_owner, lease_token FROM sources WHERE id = ?').get(rec.sourceId) as
          | { lease_owner: string | null; lease_token: number }
          | undefined;
        if (!held) throw new NotFoundError(`storage: source ${rec.sourceId} not found`);
        // Fencing: the write belongs to the claim it ran under, or it is not written at all.
        if (rec.lease && (held.lease_owner !== rec.lease.owner || held.lease_token !== rec.lease.token)) {
          return { fenced: true, sourceId: rec.sourceId, lease: rec.lease, current: { ...(held.lease_owner ? { owner: held.lease_owner } : {}), token: held.lease_token } };
        }

        const counts: FetchCounts = { itemsNew: 0, itemsUpdated: 0, itemsUnchanged: 0 };
        // A record without items (a 304, an error) hands out no seq: the counter is not read.
        const firstSeq = rec.items?.length ? nextSeq(ctx) : 0;
        let seq = firstSeq;
        const find = ctx.stmt('SELECT id, content_hash, pub_status, raw_hash FROM articles WHERE source_id = ? AND identity_key = ?');
        const setRawHash = ctx.stmt('UPDATE articles SET raw_hash = ? WHERE id = ?');
        // raw_hash goes in with the row: a second UPDATE per new item cost as much as the FTS insert.
        const insert = ctx.stmt(
          `INSERT INTO articles (source_id, identity_key, ${ARTICLE_FIELDS}, seq, first_seen_at, changed_at, raw_hash)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        );
        const holdsRaw = ctx.stmt('SELECT 1 FROM articles WHERE source_id = ? AND identity_key = ? AND raw_hash = ?').pluck();
        const update = ctx.stmt(
          `UPDATE articles SET (${ARTICLE_FIELDS}, raw_hash, seq, changed_at, revision, revision_reason) = (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           WHERE id = ?`,
        );
        for (const item of rec.items ?? []) {
          const found = find.get(rec.sourceId, item.identityKey) as { id: number; content_hash: string; pub_status: string; raw_hash: string | null } | undefined;
          if (found && found.content_hash === item.contentHash) {
            // Same article from other raw text (the context or the markup moved): remember the new text.
            if (item.rawHash && found.raw_hash !== item.rawHash) setRawHash.run(item.rawHash, found.id);
            counts.itemsUnchanged++;
            continue;
          }
          // Newest first means by publication date; undated items sort by when we first saw them.
          const sortAt = item.publishedAt ?? (found ? undefined : rec.now);
          if (!found) {
            const { lastInsertRowid } = insert.run(
              rec.sourceId,
              item.identityKey,
              ...articleValues(item, sortAt!),
              seq++,
              rec.now,
              rec.now,
              item.rawHash ?? null,
            );
            writeDerived(ctx, Number(lastInsertRowid), item, sortAt!, false);
            counts.itemsNew++;
          } else {
            const keptSortAt =
              sortAt ?? (ctx.stmt('SELECT first_seen_at FROM articles WHERE id = ?').pluck().get(found.id) as string);
            update.run(...articleValues(item, keptSortAt), item.rawHash ?? null, ...sourceRevision(ctx, found.id, found.pub_status === 'usable' ? seq++ : undefined, rec.now));
            writeDerived(ctx, found.id, item, keptSortAt, true);
            counts.itemsUpdated++;
          }
        }
        // Items skipped by their raw hash were matched against a read made before processing;
        // one whose article has gone since (retention, a delete) forgets the body hash, so the
        // next fetch processes the whole document again and stores it anew.
        let stale = false;
        for (const u of rec.unchanged ?? []) {
          if (holdsRaw.get(rec.sourceId, u.identityKey, u.rawHash)) counts.itemsUnchanged++;
          else stale = true;
        }
        if (stale && rec.source.bodyHash) rec = { ...rec, source: { ...rec.source, bodyHash: null } };
        if (seq > firstSeq) setSeq(ctx, seq - 1);
        if (rec.states?.length) counts.itemsUpdated += applySourceStates(ctx, rec.sourceId, rec.states, rec.now);

        const { set, values } = sourcePatchToSet(rec.source);
        // The lease is freed with the result, in the same UPDATE of the source row.
        const assignments = rec.lease ? (set ? `${set}, lease_owner = NULL, lease_until = NULL` : 'lease_owner = NULL, lease_until = NULL') : set;
        if (assignments) {
          try {
            ctx.stmt(`UPDATE sources SET ${assignments} WHERE id = ?`).run(...values, rec.sourceId);
          } catch (err) {
            throw sourceClash(err) ?? err;
          }
        }

        const logRow = ctx
          .stmt(
            `INSERT INTO fetch_log (source_id, started_at, ms, outcome, http_status, bytes, items_new, items_updated,
               items_unchanged, error, warnings, final_url) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *`,
          )
          .get(
            rec.sourceId,
            rec.startedAt,
            Math.round(rec.ms),
            rec.outcome,
            rec.httpStatus ?? null,
            rec.bytes ?? null,
            counts.itemsNew,
            counts.itemsUpdated,
            counts.itemsUnchanged,
            rec.error ?? null,
            JSON.stringify(rec.warnings ?? []),
            rec.finalUrl ?? null,
          ) as FetchLogRow;
        ctx
          .stmt(
            `DELETE FROM fetch_log WHERE source_id = ? AND id <= (
               SELECT id FROM fetch_log WHERE source_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
          )
          .run(rec.sourceId, rec.sourceId, FETCH_LOG_KEEP_PER_SOURCE);
        return { ...counts, log: toFetchLogEntry(logRow) };
      });
  }
  return { knownItems: (sourceId) => knownItems(ctx, sourceId), recordFetch: recordFetch as IngestRepo['recordFetch'] };
}

/** IngestRepo.knownItems: at most this many of a source's newest articles are offered. */
const KNOWN_ITEMS_LIMIT = 1000;

/** IngestRepo.knownItems on a connection (a read: it may run beside the writer thread). */
export async function knownItems(ctx: SqliteContext, sourceId: number): Promise<RawItemRef[]> {
  return ctx.read('known raw items', () => {
    const rows = ctx
      .stmt(
        `SELECT raw_hash, identity_key, published_at FROM articles
         WHERE source_id = ? AND raw_hash IS NOT NULL AND (
           (identity_kind = 'guid' AND identity_key = guid)
           OR (identity_kind = 'link' AND guid IS NULL AND identity_key = url)
           OR (identity_kind = 'hash' AND guid IS NULL AND url IS NULL AND identity_key NOT LIKE '%#%'))
         ORDER BY sort_at DESC LIMIT ?`,
      )
      .raw()
      .all(sourceId, KNOWN_ITEMS_LIMIT) as [string, string, string | null][];
    return rows.map(([rawHash, identityKey, publishedAt]) => (publishedAt ? { rawHash, identityKey, publishedAt } : { rawHash, identityKey }));
  });
}

export function createFetchLogRepo(ctx: SqliteContext): FetchLogRepo {
  return {
    async list(sourceId: number, limit: number) {
      return ctx.read('list fetch log', () =>
        (ctx.stmt('SELECT * FROM fetch_log WHERE source_id = ? ORDER BY id DESC LIMIT ?').all(sourceId, limit) as FetchLogRow[]).map(
          toFetchLogEntry,
        ),
      );
    },
  };
}
