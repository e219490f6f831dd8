// SourceRepo on SQLite.
import { NotFoundError, ValidationError } from '../../errors.js';
import type { IsoDate, NewSource, Source, SourcePatch, SourceStatus } from '../../model/types.js';
import type { SourceRepo } from '../repos.js';
import { sqliteCode, type SqliteContext } from './context.js';
import { toSource, type SourceRow } from '../rows.js';
import { sourcePatchToSet } from '../source-columns.js';
import { sourceHost } from '../../model/source-host.js';
import { DEFAULT_MIN_INTERVAL_S, DEFAULT_MAX_INTERVAL_S } from '../defaults.js';

/** Maps a unique-constraint failure on sources to the 409 the API promises. */
export function sourceClash(err: unknown): ValidationError | undefined {
  if (sqliteCode(err) !== 'SQLITE_CONSTRAINT_UNIQUE') return undefined;
  const msg = (err as Error).message;
  if (msg.includes('sources.url')) return new ValidationError('source_exists', 'storage: a source with this URL already exists', 409);
  if (msg.includes('sources.slug')) return new ValidationError('slug_exists', 'storage: a source with this slug already exists', 409);
  return undefined;
}

export function createSourceRepo(ctx: SqliteContext): SourceRepo {
  const getRow = (id: number) => ctx.stmt('SELECT * FROM sources WHERE id = ?').get(id) as SourceRow | undefined;

  return {
    async create(input: NewSource & { slug: string; nextFetchAt: IsoDate; now: IsoDate }): Promise<Source> {
      return ctx.write('create source', () => {
        try {
          const { lastInsertRowid } = ctx
            .stmt(
              `INSERT INTO sources (slug, url, host, title, categories, min_interval_s, max_interval_s, next_fetch_at,
                 default_credit, default_rights, visibility, created_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              input.slug,
              input.url,
              sourceHost(input.url),
              input.title ?? null,
              JSON.stringify(input.categories ?? []),
              input.minIntervalS ?? DEFAULT_MIN_INTERVAL_S,
              input.maxIntervalS ?? DEFAULT_MAX_INTERVAL_S,
              input.nextFetchAt,
              input.defaultCredit ?? null,
              input.defaultRights ?? null,
              input.visibility ?? 'public',
              input.now,
            );
          return toSource(getRow(Number(lastInsertRowid))!);
        } catch (err) {
          throw sourceClash(err) ?? err;
        }
      });
    },

    async get(id: number) {
      return ctx.read('get source', () => {
        const row = getRow(id);
        return row && toSource(row);
      });
    },

    async getBySlug(slug: string) {
      return ctx.read('get source', () => {
        const row = ctx.stmt('SELECT * FROM sources WHERE slug = ?').get(slug) as SourceRow | undefined;
        return row && toSource(row);
      });
    },

    async findByUrl(url: string) {
      return ctx.read('find source', () => {
        const row = ctx.stmt('SELECT * FROM sources WHERE url = ?').get(url) as SourceRow | undefined;
        return row && toSource(row);
      });
    },

    async list(filter?: { status?: SourceStatus }) {
      return ctx.read('list sources', () => {
        const rows = (
          filter?.status
            ? ctx.stmt('SELECT * FROM sources WHERE status = ? ORDER BY id').all(filter.status)
            : ctx.stmt('SELECT * FROM sources ORDER BY id').all()
        ) as SourceRow[];
        return rows.map(toSource);
      });
    },

    async update(id: number, patch: SourcePatch) {
      return ctx.write('update source', () => {
        const { set, values } = sourcePatchToSet(patch);
        if (set) {
          try {
            ctx.stmt(`UPDATE sources SET ${set} WHERE id = ?`).run(...values, id);
          } catch (err) {
            throw sourceClash(err) ?? err;
          }
        }
        const row = getRow(id);
        if (!row) throw new NotFoundError(`storage: source ${id} not found`);
        return toSource(row);
      });
    },

    async remove(id: number) {
      return ctx.write('remove source', () => ctx.stmt('DELETE FROM sources WHERE id = ?').run(id).changes > 0);
    },

    async listDue(now: IsoDate, limit: number) {
      return ctx.read('list due sources', () => {
        const rows = ctx
          .stmt(`SELECT * FROM sources WHERE status = 'active' AND next_fetch_at <= ? ORDER BY next_fetch_at, id LIMIT ?`)
          .all(now, limit) as SourceRow[];
        return rows.map(toSource);
      });
    },

    async nextDueAt() {
      return ctx.read('next due source', () => {
        const v = ctx.stmt(`SELECT min(next_fetch_at) AS at FROM sources WHERE status = 'active'`).pluck().get() as string | null;
        return v ?? undefined;
      });
    },

    async health() {
      return ctx.read('source health', () => {
        const r = ctx
          .stmt(`SELECT count(*) AS total, coalesce(sum(error_count > 0), 0) AS failing, coalesce(sum(status = 'paused'), 0) AS paused FROM sources`)
          .get() as { total: number; failing: number; paused: number };
        return { total: r.total, failing: r.failing, paused: r.paused };
      });
    },
  };
}
