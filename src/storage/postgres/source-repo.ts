// SourceRepo on PostgreSQL: the twin of sqlite/source-repo.ts.
import { NotFoundError, ValidationError } from '../../errors.js';
import type { IsoDate, NewSource, Source, SourcePatch, SourceStatus } from '../../model/types.js';
import type { SourceRepo } from '../repos.js';
import { DEFAULT_MAX_INTERVAL_S, DEFAULT_MIN_INTERVAL_S } from '../defaults.js';
import { toSource, type SourceRow } from '../rows.js';
import { pgCode, UNIQUE_VIOLATION, type PgContext, type PgQuery } from './context.js';
import { sourceSet } from './source-columns.js';
import { sourceHost } from '../../model/source-host.js';

/** Maps a unique-constraint failure on sources to the 409 the API promises. */
export function sourceClash(err: unknown): ValidationError | undefined {
  if (pgCode(err) !== UNIQUE_VIOLATION) return undefined;
  const constraint = (err as { constraint?: string }).constraint ?? '';
  if (constraint === 'sources_url_key') return new ValidationError('source_exists', 'storage: a source with this URL already exists', 409);
  if (constraint === 'sources_slug_key') return new ValidationError('slug_exists', 'storage: a source with this slug already exists', 409);
  return undefined;
}

const getRow = (q: PgQuery, id: number) => q.one<SourceRow>('SELECT * FROM sources WHERE id = $1', [id]);

export function createSourceRepo(ctx: PgContext): SourceRepo {
  return {
    async create(input: NewSource & { slug: string; nextFetchAt: IsoDate; now: IsoDate }): Promise<Source> {
      return ctx.tx('create source', async (t) => {
        // A failed INSERT would still use up an identity value (sequences are not transactional):
        // checking first keeps ids gapless as on SQLite; the constraint still decides a race.
        const taken = await t.one<{ url_taken: boolean }>('SELECT url = $1 AS url_taken FROM sources WHERE url = $1 OR slug = $2 ORDER BY url = $1 DESC LIMIT 1', [
          input.url,
          input.slug,
        ]);
        if (taken) {
          throw taken.url_taken
            ? new ValidationError('source_exists', 'storage: a source with this URL already exists', 409)
            : new ValidationError('slug_exists', 'storage: a source with this slug already exists', 409);
        }
        try {
          const row = await t.one<SourceRow>(
            `INSERT INTO sources (slug, url, host, title, categories, min_interval_s, max_interval_s, next_fetch_at,
               default_credit, default_rights, visibility, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *`,
            [
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
            ],
          );
          return toSource(row!);
        } catch (err) {
          throw sourceClash(err) ?? err;
        }
      });
    },

    async get(id: number) {
      return ctx.read('get source', async (q) => {
        const row = await getRow(q, id);
        return row && toSource(row);
      });
    },

    async getBySlug(slug: string) {
      return ctx.read('get source', async (q) => {
        const row = await q.one<SourceRow>('SELECT * FROM sources WHERE slug = $1', [slug]);
        return row && toSource(row);
      });
    },

    async findByUrl(url: string) {
      return ctx.read('find source', async (q) => {
        const row = await q.one<SourceRow>('SELECT * FROM sources WHERE url = $1', [url]);
        return row && toSource(row);
      });
    },

    async list(filter?: { status?: SourceStatus }) {
      return ctx.read('list sources', async (q) => {
        const rows = filter?.status
          ? await q.many<SourceRow>('SELECT * FROM sources WHERE status = $1 ORDER BY id', [filter.status])
          : await q.many<SourceRow>('SELECT * FROM sources ORDER BY id');
        return rows.map(toSource);
      });
    },

    async update(id: number, patch: SourcePatch) {
      return ctx.tx('update source', async (t) => {
        const { set, values } = sourceSet(patch, 2);
        let row: SourceRow | undefined;
        try {
          row = set ? await t.one<SourceRow>(`UPDATE sources SET ${set} WHERE id = $1 RETURNING *`, [id, ...values]) : await getRow(t, id);
        } catch (err) {
          throw sourceClash(err) ?? err;
        }
        if (!row) throw new NotFoundError(`storage: source ${id} not found`);
        return toSource(row);
      });
    },

    async remove(id: number) {
      return ctx.tx('remove source', async (t) => (await t.exec('DELETE FROM sources WHERE id = $1', [id])) > 0);
    },

    async listDue(now: IsoDate, limit: number) {
      return ctx.read('list due sources', async (q) =>
        (
          await q.many<SourceRow>(`SELECT * FROM sources WHERE status = 'active' AND next_fetch_at <= $1 ORDER BY next_fetch_at, id LIMIT $2`, [
            now,
            limit,
          ])
        ).map(toSource),
      );
    },

    async nextDueAt() {
      return ctx.read('next due source', async (q) => {
        const r = await q.one<{ at: string | null }>(`SELECT min(next_fetch_at) AS at FROM sources WHERE status = 'active'`);
        return r?.at ?? undefined;
      });
    },

    async health() {
      return ctx.read('source health', async (q) => {
        const r = await q.one<{ total: number; failing: number; paused: number }>(
          `SELECT count(*) AS total, count(*) FILTER (WHERE error_count > 0) AS failing, count(*) FILTER (WHERE status = 'paused') AS paused FROM sources`,
        );
        return { total: r!.total, failing: r!.failing, paused: r!.paused };
      });
    },
  };
}
