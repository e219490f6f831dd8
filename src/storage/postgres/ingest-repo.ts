// IngestRepo (pipeline step 7) and FetchLogRepo on PostgreSQL: the twin of sqlite/ingest-repo.ts,
// with the same counts, revisions, seq order (items in feed order, then the source's status
// declarations) and fetch log. One transaction, in two halves because seq is commit-ordered
// (seq.ts): first everything that takes a lock (the source row, the articles to change) and
// every decision, then allocateSeq, then only writes to rows this transaction holds or creates.
import { NotFoundError } from '../../errors.js';
import { SOURCE_UPDATE_REASON, type RawItemRef, type Article, type ArticleEvent, type ArticleInput, type ArticleStatus, type FetchLogEntry, type IsoDate } from '../../model/types.js';
import type { FencedFetch, FetchCounts, FetchLogRepo, FetchRecord, IngestRepo, LeaseRef, StoredFetch } from '../repos.js';
import { FETCH_LOG_KEEP_PER_SOURCE } from '../defaults.js';
import { toFetchLogEntry, type FetchLogRow } from '../rows.js';
import { sourceStateEvent } from '../source-state-event.js';
import { articleSearchDocument, writeDerived } from './article-derived.js';
import { readArticle } from './article-read.js';
import { UNIQUE_VIOLATION, type PgContext, type PgQuery, type SqlParam } from './context.js';
import { allocateSeq } from './seq.js';
import { sourceSet } from './source-columns.js';
import { sourceClash } from './source-repo.js';

/** IngestRepo.knownItems: at most this many of a source's newest articles are offered (as on SQLite). */
const KNOWN_ITEMS_LIMIT = 1000;

/** What ingest needs from the lifecycle (lifecycle.ts), handed in by open.ts. */
export interface IngestLifecycle {
  /** Stores the current version of `a` as a past revision (before the row changes). */
  storeRevision(t: PgQuery, a: Article): Promise<void>;
  /** Applies `ev` to `current` (its row locked by the caller) with the seq allocated for it. */
  applyArticleEvent(t: PgQuery, current: Article, ev: ArticleEvent, now: IsoDate, seq: number): Promise<void>;
}

const ARTICLE_FIELDS = `identity_kind, guid, url, title, summary, content_html, authors, categories, language,
  published_at, updated_at, rights, content_hash, sort_at, ednote, fts`;

function articleValues(item: ArticleInput, sortAt: IsoDate): SqlParam[] {
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
    articleSearchDocument(item),
  ];
}

/** `$from, $from+1, …` for n parameters, the last (fts) cast to tsvector. */
function placeholders(from: number, n: number): string {
  return Array.from({ length: n }, (_, i) => `$${from + i}${i === n - 1 ? '::tsvector' : ''}`).join(', ');
}
const FIELD_COUNT = 16;

/** What this transaction knows of one identity key of the source: stored, or stored by it. */
interface KeyState {
  /** Undefined until the planned insert runs. */
  id?: number;
  hash: string;
  pubStatus: ArticleStatus;
  sourceStatus: string | null;
  firstSeenAt: IsoDate;
  guid?: string | null;
  rawHash?: string | null;
}

type Op =
  | { kind: 'insert'; key: string; item: ArticleInput; sortAt: IsoDate }
  | { kind: 'update'; key: string; item: ArticleInput; sortAt: IsoDate; newSeq: boolean }
  | { kind: 'event'; key: string; ev: ArticleEvent }
  | { kind: 'remember'; key: string; sourceStatus: string }
  | { kind: 'raw'; key: string; rawHash: string | null };

interface StoredRow {
  id: number;
  identity_key: string;
  guid: string | null;
  content_hash: string;
  pub_status: ArticleStatus;
  source_status: string | null;
  first_seen_at: string;
  raw_hash: string | null;
}

const STORED = 'id, identity_key, guid, content_hash, pub_status, source_status, first_seen_at, raw_hash';

function stateOf(r: StoredRow): KeyState {
  return { id: r.id, hash: r.content_hash, pubStatus: r.pub_status, sourceStatus: r.source_status, firstSeenAt: r.first_seen_at, guid: r.guid, rawHash: r.raw_hash };
}

export function createIngestRepo(ctx: PgContext, lifecycle: IngestLifecycle): IngestRepo {
  async function plan(t: PgQuery, rec: FetchRecord): Promise<{ ops: Op[]; counts: FetchCounts; seqs: number; keys: Map<string, KeyState> }> {
    const items = rec.items ?? [];
    const states = rec.states ?? [];
    const keys = new Map<string, KeyState>();
    const wanted = [...new Set([...items.map((i) => i.identityKey), ...states.map((s) => s.ref)])];
    if (wanted.length) {
      const rows = await t.many<StoredRow>(
        `SELECT ${STORED} FROM articles WHERE source_id = $1 AND (identity_key = ANY($2::text[]) OR guid = ANY($2::text[]))`,
        [rec.sourceId, wanted],
      );
      // Lock the rows this fetch may change (a differing hash, or a declared status), in id order
      // so two writers never wait on each other in a circle; re-read under the lock.
      const itemHash = new Map(items.map((i) => [i.identityKey, i.contentHash]));
      const itemRaw = new Map(items.filter((i) => i.rawHash).map((i) => [i.identityKey, i.rawHash]));
      const refs = new Set(states.map((s) => s.ref));
      const toLock = rows
        .filter(
          (r) =>
            (itemHash.has(r.identity_key) && itemHash.get(r.identity_key) !== r.content_hash) ||
            (itemRaw.has(r.identity_key) && itemRaw.get(r.identity_key) !== r.raw_hash) ||
            refs.has(r.identity_key) ||
            (r.guid !== null && refs.has(r.guid)),
        )
        .map((r) => r.id)
        .sort((a, b) => a - b);
      const locked = toLock.length
        ? await t.many<StoredRow>(`SELECT ${STORED} FROM articles WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE`, [toLock])
        : [];
      const fresh = new Map(locked.map((r) => [r.id, r]));
      // In id order: a status declared by guid goes to the oldest article carrying it.
      for (const r of rows.sort((a, b) => a.id - b.id)) keys.set(r.identity_key, stateOf(fresh.get(r.id) ?? r));
    }

    const ops: Op[] = [];
    const counts: FetchCounts = { itemsNew: 0, itemsUpdated: 0, itemsUnchanged: 0 };
    let seqs = 0;
    for (const item of items) {
      const st = keys.get(item.identityKey);
      if (st && st.hash === item.contentHash) {
        // Same article from other raw text (the context or the markup moved): remember the new text.
        if (item.rawHash && st.rawHash !== item.rawHash) {
          ops.push({ kind: 'raw', key: item.identityKey, rawHash: item.rawHash });
          st.rawHash = item.rawHash;
        }
        counts.itemsUnchanged++;
        continue;
      }
      // Newest first means by publication date; undated items sort by when we first saw them.
      if (!st) {
        const sortAt = item.publishedAt ?? rec.now;
        ops.push({ kind: 'insert', key: item.identityKey, item, sortAt });
        if (item.rawHash) ops.push({ kind: 'raw', key: item.identityKey, rawHash: item.rawHash });
        keys.set(item.identityKey, { hash: item.contentHash, pubStatus: 'usable', sourceStatus: null, firstSeenAt: rec.now, guid: item.guid ?? null });
        counts.itemsNew++;
        seqs++;
      } else {
        // An update from the source takes a new seq only while the article is usable.
        const newSeq = st.pubStatus === 'usable';
        ops.push({ kind: 'update', key: item.identityKey, item, sortAt: item.publishedAt ?? st.firstSeenAt, newSeq });
        ops.push({ kind: 'raw', key: item.identityKey, rawHash: item.rawHash ?? null });
        st.hash = item.contentHash;
        counts.itemsUpdated++;
        if (newSeq) seqs++;
      }
    }
    for (const s of states) {
      // By identity key first, else by guid (as SQLite's `ORDER BY identity_key = ref DESC`).
      let key: string | undefined = keys.has(s.ref) ? s.ref : undefined;
      if (key === undefined) {
        for (const [k, st] of keys) {
          if (st.guid === s.ref) {
            key = k;
            break;
          }
        }
      }
      const st = key === undefined ? undefined : keys.get(key);
      if (!st || st.sourceStatus === s.status) continue;
      const ev = sourceStateEvent({ status: st.pubStatus, sourceStatus: st.sourceStatus }, s, rec.now);
      if (ev) {
        ops.push({ kind: 'event', key: key!, ev });
        st.pubStatus = ev.status;
        counts.itemsUpdated++;
        seqs++;
      }
      ops.push({ kind: 'remember', key: key!, sourceStatus: s.status });
      st.sourceStatus = s.status;
    }
    return { ops, counts, seqs, keys };
  }

  async function write(t: PgQuery, rec: FetchRecord, ops: Op[], keys: Map<string, KeyState>, firstSeq: number): Promise<void> {
    let seq = firstSeq;
    const idOf = (key: string) => keys.get(key)!.id!;
    for (const op of ops) {
      if (op.kind === 'insert') {
        const row = await t.one<{ id: number }>(
          `INSERT INTO articles (source_id, identity_key, ${ARTICLE_FIELDS}, seq, first_seen_at, changed_at)
           VALUES ($1, $2, ${placeholders(3, FIELD_COUNT)}, $${3 + FIELD_COUNT}, $${4 + FIELD_COUNT}, $${4 + FIELD_COUNT}) RETURNING id`,
          [rec.sourceId, op.key, ...articleValues(op.item, op.sortAt), seq++, rec.now],
        );
        keys.get(op.key)!.id = row!.id;
        await writeDerived(t, row!.id, op.item, op.sortAt, false);
      } else if (op.kind === 'update') {
        const id = idOf(op.key);
        const current = (await readArticle(t, id))!;
        await lifecycle.storeRevision(t, current);
        const [s, changedAt] = op.newSeq ? [seq++, rec.now] : [current.seq, current.changedAt];
        await t.exec(
          `UPDATE articles SET (${ARTICLE_FIELDS}, seq, changed_at, revision, revision_reason) =
             (${placeholders(2, FIELD_COUNT)}, $${2 + FIELD_COUNT}, $${3 + FIELD_COUNT}, $${4 + FIELD_COUNT}, $${5 + FIELD_COUNT})
           WHERE id = $1`,
          [id, ...articleValues(op.item, op.sortAt), s, changedAt, (current.revision ?? 1) + 1, SOURCE_UPDATE_REASON],
        );
        await writeDerived(t, id, op.item, op.sortAt, true);
      } else if (op.kind === 'event') {
        const current = (await readArticle(t, idOf(op.key)))!;
        await lifecycle.applyArticleEvent(t, current, op.ev, rec.now, seq++);
      } else if (op.kind === 'raw') {
        await t.exec('UPDATE articles SET raw_hash = $2 WHERE id = $1', [idOf(op.key), op.rawHash]);
      } else {
        await t.exec('UPDATE articles SET source_status = $2 WHERE id = $1', [idOf(op.key), op.sourceStatus]);
      }
    }
  }

  return {
    async knownItems(sourceId: number): Promise<RawItemRef[]> {
      return ctx.read('known raw items', async (q) => {
        // The same selection as sqlite/ingest-repo.ts knownItems.
        const rows = await q.many<{ raw_hash: string; identity_key: string; published_at: string | null }>(
          `SELECT raw_hash, identity_key, published_at FROM articles
           WHERE source_id = $1 AND raw_hash IS NOT NULL AND (
             (identity_kind = 'guid' AND identity_key = guid)
             OR (identity_kind = 'link' AND guid IS NULL AND identity_key = url)
             OR (identity_kind = 'hash' AND guid IS NULL AND url IS NULL AND identity_key NOT LIKE '%#%'))
           ORDER BY sort_at DESC LIMIT $2`,
          [sourceId, KNOWN_ITEMS_LIMIT],
        );
        return rows.map((r) => (r.published_at ? { rawHash: r.raw_hash, identityKey: r.identity_key, publishedAt: r.published_at } : { rawHash: r.raw_hash, identityKey: r.identity_key }));
      });
    },

    recordFetch: (async (rec: FetchRecord & { lease?: LeaseRef }): Promise<StoredFetch | FencedFetch> => {
      return ctx.tx(
        'record fetch',
        async (t): Promise<StoredFetch | FencedFetch> => {
          // The source row first, locked: the lease it carries now (fencing: the write belongs to
          // the claim it ran under, or nothing is written), and the lock that orders this fetch
          // against edits of the same source and against claims (they skip locked rows).
          const lease = await t.one<{ lease_owner: string | null; lease_token: number }>(
            'SELECT lease_owner, lease_token FROM sources WHERE id = $1 FOR NO KEY UPDATE',
            [rec.sourceId],
          );
          if (!lease) throw new NotFoundError(`storage: source ${rec.sourceId} not found`);
          if (rec.lease && (lease.lease_owner !== rec.lease.owner || lease.lease_token !== rec.lease.token)) {
            return { fenced: true, sourceId: rec.sourceId, lease: rec.lease, current: { ...(lease.lease_owner ? { owner: lease.lease_owner } : {}), token: lease.lease_token } };
          }
          // Items skipped by their raw hash were matched against a read made before processing;
          // one whose article has gone since (retention, a delete) forgets the body hash, so the
          // next fetch processes the whole document again and stores it anew.
          let held = 0;
          if (rec.unchanged?.length) {
            const r = await t.one<{ n: number }>(
              `SELECT count(*) AS n FROM articles a JOIN unnest($2::text[], $3::text[]) AS u (key, raw)
                 ON a.source_id = $1 AND a.identity_key = u.key AND a.raw_hash = u.raw`,
              [rec.sourceId, rec.unchanged.map((u) => u.identityKey), rec.unchanged.map((u) => u.rawHash)],
            );
            held = r!.n;
          }
          const stale = held < (rec.unchanged?.length ?? 0);
          const fetchState = stale && rec.source.bodyHash ? { ...rec.source, bodyHash: null } : rec.source;
          // Its fetch state; a leased fetch frees its lease with its result (the token stays).
          const { set, values } = sourceSet(fetchState, 2);
          const assignments = [set, rec.lease ? 'lease_owner = NULL, lease_until = NULL' : ''].filter(Boolean).join(', ');
          try {
            if (assignments) await t.exec(`UPDATE sources SET ${assignments} WHERE id = $1`, [rec.sourceId, ...values]);
          } catch (err) {
            throw sourceClash(err) ?? err;
          }

          const { ops, counts, seqs, keys } = await plan(t, rec);
          counts.itemsUnchanged += held;
          const log = await t.one<FetchLogRow>(
            `INSERT INTO fetch_log (source_id, started_at, ms, outcome, http_status, bytes, items_new, items_updated,
               items_unchanged, error, warnings, final_url) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *`,
            [
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
            ],
          );
          await t.exec(
            `DELETE FROM fetch_log WHERE source_id = $1 AND id <= (
               SELECT id FROM fetch_log WHERE source_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)`,
            [rec.sourceId, FETCH_LOG_KEEP_PER_SOURCE],
          );
          // Last: the seq row, held from here to COMMIT (seq.ts).
          if (ops.length) await write(t, rec, ops, keys, seqs ? await allocateSeq(t, seqs) : 0);
          return { ...counts, log: toFetchLogEntry(log!) };
        },
        // A concurrent fetch of the same source inserted one of our new keys first: plan again.
        { retryOn: [UNIQUE_VIOLATION] },
      );
    }) as IngestRepo['recordFetch'],
  };
}

export function createFetchLogRepo(ctx: PgContext): FetchLogRepo {
  return {
    async list(sourceId: number, limit: number) {
      return ctx.read('list fetch log', async (q) =>
        (await q.many<FetchLogRow>('SELECT * FROM fetch_log WHERE source_id = $1 ORDER BY id DESC LIMIT $2', [sourceId, limit])).map(toFetchLogEntry),
      );
    },
  };
}
