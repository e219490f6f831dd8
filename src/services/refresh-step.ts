// The refresh step without I/O (DESIGN.md §1 steps 3–7): what one fetch of a source means for
// the fetch log and the source row, and when to fetch it next. services/refresh.ts does the
// fetching, processing and storing around it.
import { createHash } from 'node:crypto';
import { errorMessage, FetchError } from '../errors.js';
import type { FetchResult } from '../ingest/types.js';
import { linkHeaderWebSubLinks, type WebSubLinks } from '../ingest/formats/websub-links.js';
import type { IsoDate, NormalizedFeed, Source } from '../model/types.js';
import type { FetchRecord } from '../storage/repos.js';
import { nextFetchAfterError, nextFetchAfterSuccess, shouldPause } from './schedule-policy.js';

/** What happened to one fetch, as the I/O side saw it. */
export type FetchStepResult =
  /** The fetch (or the processing of what it returned) threw. `res` is set when the fetch itself succeeded. */
  | { kind: 'failed'; error: unknown; res?: FetchResult }
  /**
   * A fetch that answered. For a 200, `bodyHash` is bodyHashOf(body) and `feed` the processed
   * document; `feed` is absent when the body hashed as the last one processed (not parsed again).
   */
  | { kind: 'fetched'; res: FetchResult; bodyHash?: string; feed?: NormalizedFeed };

export interface RefreshStepInput {
  source: Source;
  startedAt: IsoDate;
  /** The document was pushed by a WebSub hub rather than fetched. */
  pushed: boolean;
  result: FetchStepResult;
  /** When the fetch (and processing) ended: the fetch log's and source row's time. */
  now: Date;
  /** Jitter for the next fetch time (Math.random in production). */
  random: () => number;
}

export interface RefreshStep {
  /** The fetch log entry and source patch to store (`ms` is added by the caller). */
  record: Omit<FetchRecord, 'ms'>;
  /** When to fetch next, as in record.source (undefined: the source is gone or unchanged in schedule). */
  nextFetchAt?: IsoDate;
  /** WebSub hub and self links the fetch announced (Link header first, then the document). */
  links: WebSubLinks;
}

/** The hash a modified body is compared by against `source.bodyHash`. */
export function bodyHashOf(body: Buffer): string {
  return createHash('sha256').update(body).digest('base64url');
}

/**
 * Many servers send neither ETag nor Last-Modified: a body identical to the last one processed
 * is a not-modified, without parsing it again (as Miniflux's checksum does).
 */
export function bodyUnchanged(source: Pick<Source, 'bodyHash'>, bodyHash: string): boolean {
  return bodyHash === source.bodyHash;
}

function fetchWarnings(source: Source, res: FetchResult, warnings: string[]): string | undefined {
  const moved = res.permanentUrl && res.permanentUrl !== source.url ? res.permanentUrl : undefined;
  if (moved) warnings.push(`moved permanently to ${moved}`);
  for (const hop of res.redirects) if (hop.status !== 301 && hop.status !== 308) warnings.push(`temporary redirect ${hop.status} to ${hop.to}`);
  return moved;
}

function failed(input: RefreshStepInput, error: unknown, warnings: string[]): RefreshStep {
  const { source, now, random } = input;
  const errorCount = source.errorCount + 1;
  const pause = shouldPause(errorCount);
  const msg = errorMessage(error);
  const nextFetchAt = nextFetchAfterError(source, errorCount, now, random);
  const record: Omit<FetchRecord, 'ms'> = {
    sourceId: source.id,
    startedAt: input.startedAt,
    warnings,
    outcome: 'error',
    httpStatus: error instanceof FetchError ? error.httpStatus : undefined,
    error: msg,
    now: now.toISOString(),
    source: {
      lastFetchedAt: now.toISOString(),
      errorCount,
      lastError: msg,
      nextFetchAt,
      ...(pause ? { status: 'paused' as const, statusReason: `paused after ${errorCount} consecutive failures; last: ${msg}` } : {}),
    },
  };
  return { record, nextFetchAt, links: {} };
}

/** (source, fetch result, process result, now) → (record, schedule). Pure: `now` and `random` are given. */
export function refreshStep(input: RefreshStepInput): RefreshStep {
  const { source, result, now, random } = input;
  const warnings: string[] = input.pushed ? ['pushed by the WebSub hub (no fetch)'] : [];
  if (result.kind === 'failed') {
    // A processing failure keeps what the fetch already said (moved, redirected).
    if (result.res) fetchWarnings(source, result.res, warnings);
    return failed(input, result.error, warnings);
  }
  const res = result.res;
  const nowIso = now.toISOString();
  const moved = fetchWarnings(source, res, warnings);
  const base = {
    sourceId: source.id,
    startedAt: input.startedAt,
    warnings,
    httpStatus: res.status,
    finalUrl: res.finalUrl !== source.url ? res.finalUrl : undefined,
    now: nowIso,
  };
  const movedPatch = moved ? { url: moved } : {};
  switch (res.kind) {
    case 'modified': {
      const feed = result.feed;
      if (!feed) {
        warnings.push('body unchanged since the last fetch (the server sent no validator that matched)');
        const nextFetchAt = nextFetchAfterSuccess(source, { freshForS: res.freshForS, itemDates: [] }, now, random);
        const record: Omit<FetchRecord, 'ms'> = {
          ...base,
          outcome: 'not-modified',
          bytes: res.body.length,
          source: {
            lastFetchedAt: nowIso,
            errorCount: 0,
            lastError: undefined,
            etag: res.etag ?? null,
            lastModified: res.lastModified ?? null,
            ...movedPatch,
            nextFetchAt,
          },
        };
        return { record, nextFetchAt, links: {} };
      }
      for (const l of feed.lint) warnings.push(`lint ${l.code}: ${l.message}`);
      // WebSub §4: the Link header first, then the document.
      const header = linkHeaderWebSubLinks(res.link, res.finalUrl);
      const links = { hub: header.hub ?? feed.meta.hub, self: header.self ?? feed.meta.self };
      // Items the re-fetch shortcut recognized by their raw hash count for the schedule too.
      const unchanged = feed.unchanged ?? [];
      const nextFetchAt = nextFetchAfterSuccess(
        source,
        {
          ttlMinutes: feed.meta.ttlMinutes,
          freshForS: res.freshForS,
          itemDates: [...feed.items.map((i) => i.publishedAt), ...unchanged.map((u) => u.publishedAt)],
        },
        now,
        random,
      );
      const record: Omit<FetchRecord, 'ms'> = {
        ...base,
        outcome: 'modified',
        bytes: res.body.length,
        items: feed.items,
        ...(unchanged.length ? { unchanged } : {}),
        states: feed.states,
        source: {
          etag: res.etag ?? null,
          lastModified: res.lastModified ?? null,
          bodyHash: result.bodyHash ?? bodyHashOf(res.body),
          lastFetchedAt: nowIso,
          lastSuccessAt: nowIso,
          errorCount: 0,
          lastError: undefined,
          lint: feed.lint,
          ...movedPatch,
          // Feed-level facts fill gaps; what an operator set by hand is kept.
          ...(source.title ? {} : feed.meta.title ? { title: feed.meta.title } : {}),
          ...(feed.meta.siteUrl && feed.meta.siteUrl !== source.siteUrl ? { siteUrl: feed.meta.siteUrl } : {}),
          ...(feed.meta.description && feed.meta.description !== source.description ? { description: feed.meta.description } : {}),
          ...(feed.meta.language && feed.meta.language !== source.language ? { language: feed.meta.language } : {}),
          nextFetchAt,
        },
      };
      return { record, nextFetchAt, links };
    }
    case 'not-modified': {
      const nextFetchAt = nextFetchAfterSuccess(source, { freshForS: res.freshForS, itemDates: [] }, now, random);
      const record: Omit<FetchRecord, 'ms'> = {
        ...base,
        outcome: 'not-modified',
        source: {
          lastFetchedAt: nowIso,
          errorCount: 0,
          lastError: undefined,
          ...(res.etag ? { etag: res.etag } : {}),
          ...(res.lastModified ? { lastModified: res.lastModified } : {}),
          ...movedPatch,
          nextFetchAt,
        },
      };
      return { record, nextFetchAt, links: {} };
    }
    case 'gone':
      return {
        record: {
          ...base,
          outcome: 'gone',
          error: `HTTP ${res.status} Gone: the publisher removed this feed; no more fetches`,
          source: { lastFetchedAt: nowIso, status: 'gone', statusReason: `HTTP 410 Gone at ${nowIso}` },
        },
        links: {},
      };
    case 'retry-later':
      return {
        record: {
          ...base,
          outcome: 'retry-later',
          error: `HTTP ${res.status}: server asked to retry after ${res.until}`,
          source: { lastFetchedAt: nowIso, nextFetchAt: res.until },
        },
        nextFetchAt: res.until,
        links: {},
      };
  }
}
