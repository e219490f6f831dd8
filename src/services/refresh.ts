// Refresh = fetch → process → store for one source (DESIGN.md §1 steps 3–7), and the due-run
// that drives it with global and per-host limits. A failing source only ever touches its own row.
import { createHash } from 'node:crypto';
import type { FetchLogEntry, IsoDate, Source } from '../model/types.js';
import type { FetchRecord, Storage } from '../storage/repos.js';
import type { FetchFeed, ProcessFeed } from '../ingest/types.js';
import type { Logger } from '../log.js';
import type { RefreshOutcome, RefreshService } from './types.js';
import { errorMessage, FetchError } from '../errors.js';
import { BIG_DOCUMENT_BYTES } from '../ingest/process.js';
import { createHostLimiter } from './host-limiter.js';
import { nextFetchAfterError, nextFetchAfterSuccess, shouldPause } from './schedule-policy.js';
import { linkHeaderWebSubLinks, type WebSubLinks } from '../ingest/formats/websub-links.js';
import type { FetchResult } from '../ingest/types.js';
import type { PushedDocument, SourcePushHooks } from './push-subscriber.js';

export interface RefreshDeps {
  storage: Storage;
  fetchFeed: FetchFeed;
  processFeed: ProcessFeed;
  log: Logger;
  now?: () => Date;
  random?: () => number;
  fetchConcurrency: number;
  perHostConcurrency: number;
  /** Called after a fetch wrote articles, e.g. to log or to warm caches. */
  onChange?: (sourceId: number) => void;
  /** Called with every recorded outcome (metrics). */
  onOutcome?: (outcome: RefreshOutcome) => void;
  /** WebSub for sources: slower polling while a push subscription is live, hub discovery. */
  push?: SourcePushHooks;
}

/** A document a hub pushed (WebSub §7), dressed as the fetch it stands for. */
function pushedResult(source: Source, doc: PushedDocument): FetchResult {
  return {
    kind: 'modified',
    body: doc.body,
    ...(doc.contentType ? { contentType: doc.contentType } : {}),
    finalUrl: source.url,
    redirects: [],
    status: 200,
    ms: 0,
    // The source's own validators stay as they are: the next poll is still conditional.
    ...(source.etag ? { etag: source.etag } : {}),
    ...(source.lastModified ? { lastModified: source.lastModified } : {}),
  };
}

const DUE_BATCH = 500;

export function createRefreshService(deps: RefreshDeps): RefreshService & {
  readonly inFlight: number;
  refreshMany(sources: Source[], stop?: AbortSignal, abort?: AbortSignal, onEach?: (o: RefreshOutcome) => void): Promise<RefreshOutcome[]>;
} {
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const limiter = createHostLimiter(deps.fetchConcurrency, deps.perHostConcurrency);
  const inFlight = new Set<number>();

  // Big documents (≥ BIG_DOCUMENT_BYTES) are processed and stored one at a time: each costs many
  // times its size on its way through the parser, the main thread and the storage writer, and
  // sixteen at once took the process past 1 GB (bench hostile-memory). Small ones never wait.
  let bigTail: Promise<void> = Promise.resolve();
  function acquireBig(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const prev = bigTail;
    bigTail = prev.then(() => held);
    return prev.then(() => release);
  }

  async function refreshSource(source: Source, signal?: AbortSignal, pushed?: PushedDocument): Promise<RefreshOutcome> {
    let releaseBig: (() => void) | undefined;
    try {
      return await refreshSourceGated(source, signal, pushed, async (bytes) => {
        if (bytes >= BIG_DOCUMENT_BYTES) releaseBig = await acquireBig();
      });
    } finally {
      releaseBig?.();
    }
  }

  async function refreshSourceGated(
    source: Source,
    signal: AbortSignal | undefined,
    pushed: PushedDocument | undefined,
    gate: (bytes: number) => Promise<void>,
  ): Promise<RefreshOutcome> {
    const started = now();
    const startedAt = started.toISOString();
    const t0 = performance.now();
    const base = { sourceId: source.id, startedAt, warnings: [] as string[] };
    // `ms` is set once the outcome is known (fetch and processing, not the store).
    let rec: Omit<FetchRecord, 'ms'>;
    let links: WebSubLinks = {};
    if (pushed) base.warnings.push('pushed by the WebSub hub (no fetch)');
    try {
      const res = pushed ? pushedResult(source, pushed) : await deps.fetchFeed({ url: source.url, etag: source.etag, lastModified: source.lastModified }, signal);
      const at = now();
      const nowIso = at.toISOString();
      const moved = res.permanentUrl && res.permanentUrl !== source.url ? res.permanentUrl : undefined;
      if (moved) base.warnings.push(`moved permanently to ${moved}`);
      for (const hop of res.redirects) if (hop.status !== 301 && hop.status !== 308) base.warnings.push(`temporary redirect ${hop.status} to ${hop.to}`);
      const common = { httpStatus: res.status, finalUrl: res.finalUrl !== source.url ? res.finalUrl : undefined, now: nowIso };
      switch (res.kind) {
        case 'modified': {
          // Many servers send neither ETag nor Last-Modified: a body identical to the last one
          // processed is a not-modified, without parsing it again (as Miniflux's checksum does).
          const bodyHash = createHash('sha256').update(res.body).digest('base64url');
          if (bodyHash === source.bodyHash) {
            base.warnings.push('body unchanged since the last fetch (the server sent no validator that matched)');
            rec = {
              ...base,
              ...common,
              outcome: 'not-modified',
              bytes: res.body.length,
              source: {
                lastFetchedAt: nowIso,
                errorCount: 0,
                lastError: undefined,
                etag: res.etag ?? null,
                lastModified: res.lastModified ?? null,
                ...(moved ? { url: moved } : {}),
                nextFetchAt: nextFetchAfterSuccess(source, { freshForS: res.freshForS, itemDates: [] }, at, random),
              },
            };
            break;
          }
          await gate(res.body.length);
          const feed = await deps.processFeed(res.body, {
            documentUrl: res.finalUrl,
            contentType: res.contentType,
            now: nowIso,
            defaultCredit: source.defaultCredit,
            defaultRights: source.defaultRights,
          });
          for (const l of feed.lint) base.warnings.push(`lint ${l.code}: ${l.message}`);
          // WebSub §4: the Link header first, then the document.
          const header = linkHeaderWebSubLinks(res.link, res.finalUrl);
          links = { hub: header.hub ?? feed.meta.hub, self: header.self ?? feed.meta.self };
          rec = {
            ...base,
            ...common,
            outcome: 'modified',
            bytes: res.body.length,
            items: feed.items,
            states: feed.states,
            source: {
              etag: res.etag ?? null,
              lastModified: res.lastModified ?? null,
              bodyHash,
              lastFetchedAt: nowIso,
              lastSuccessAt: nowIso,
              errorCount: 0,
              lastError: undefined,
              lint: feed.lint,
              ...(moved ? { url: moved } : {}),
              // Feed-level facts fill gaps; what an operator set by hand is kept.
              ...(source.title ? {} : feed.meta.title ? { title: feed.meta.title } : {}),
              ...(feed.meta.siteUrl && feed.meta.siteUrl !== source.siteUrl ? { siteUrl: feed.meta.siteUrl } : {}),
              ...(feed.meta.description && feed.meta.description !== source.description ? { description: feed.meta.description } : {}),
              ...(feed.meta.language && feed.meta.language !== source.language ? { language: feed.meta.language } : {}),
              nextFetchAt: nextFetchAfterSuccess(
                source,
                { ttlMinutes: feed.meta.ttlMinutes, freshForS: res.freshForS, itemDates: feed.items.map((i) => i.publishedAt) },
                at,
                random,
              ),
            },
          };
          break;
        }
        case 'not-modified':
          rec = {
            ...base,
            ...common,
            outcome: 'not-modified',
            source: {
              lastFetchedAt: nowIso,
              errorCount: 0,
              lastError: undefined,
              ...(res.etag ? { etag: res.etag } : {}),
              ...(res.lastModified ? { lastModified: res.lastModified } : {}),
              ...(moved ? { url: moved } : {}),
              nextFetchAt: nextFetchAfterSuccess(source, { freshForS: res.freshForS, itemDates: [] }, at, random),
            },
          };
          break;
        case 'gone':
          rec = {
            ...base,
            ...common,
            outcome: 'gone',
            error: `HTTP ${res.status} Gone: the publisher removed this feed; no more fetches`,
            source: { lastFetchedAt: nowIso, status: 'gone', statusReason: `HTTP 410 Gone at ${nowIso}` },
          };
          break;
        case 'retry-later':
          rec = {
            ...base,
            ...common,
            outcome: 'retry-later',
            error: `HTTP ${res.status}: server asked to retry after ${res.until}`,
            source: { lastFetchedAt: nowIso, nextFetchAt: res.until },
          };
          break;
      }
    } catch (err) {
      const at = now();
      const errorCount = source.errorCount + 1;
      const pause = shouldPause(errorCount);
      const msg = errorMessage(err);
      rec = {
        ...base,
        outcome: 'error',
        httpStatus: err instanceof FetchError ? err.httpStatus : undefined,
        error: msg,
        now: at.toISOString(),
        source: {
          lastFetchedAt: at.toISOString(),
          errorCount,
          lastError: msg,
          nextFetchAt: nextFetchAfterError(source, errorCount, at, random),
          ...(pause ? { status: 'paused' as const, statusReason: `paused after ${errorCount} consecutive failures; last: ${msg}` } : {}),
        },
      };
      deps.log.warn({ sourceId: source.id, slug: source.slug, errorCount, err: msg }, 'source fetch failed');
    }
    const ms = Math.round(performance.now() - t0);
    const at = now();
    if (deps.push && (rec.outcome === 'modified' || rec.outcome === 'not-modified') && rec.source.nextFetchAt) {
      // While a hub pushes this source, polling is only a safety net.
      const floor = await deps.push.pollFloor(source, at);
      if (floor && floor > rec.source.nextFetchAt) rec.source.nextFetchAt = floor;
    }
    const stored = await deps.storage.ingest.recordFetch({ ...rec, ms });
    if (stored.itemsNew + stored.itemsUpdated > 0) deps.onChange?.(source.id);
    if (deps.push) {
      try {
        await deps.push.fetched(source, { pushed: !!pushed, outcome: rec.outcome, itemsNew: stored.itemsNew, links, at });
      } catch (err) {
        deps.log.warn({ sourceId: source.id, err: errorMessage(err) }, 'websub subscriber step failed');
      }
    }
    deps.log.info(
      { sourceId: source.id, slug: source.slug, outcome: rec.outcome, status: rec.httpStatus, ms, new: stored.itemsNew, updated: stored.itemsUpdated },
      'source fetched',
    );
    const outcome: RefreshOutcome = { sourceId: source.id, slug: source.slug, outcome: rec.outcome, log: stored.log };
    deps.onOutcome?.(outcome);
    return outcome;
  }

  function hostOf(url: string): string {
    try {
      return new URL(url).host;
    } catch {
      return url;
    }
  }

  /** Never throws for one source: storage failures are logged and the run goes on. */
  async function refreshGuarded(source: Source, stop?: AbortSignal, abort?: AbortSignal): Promise<RefreshOutcome | undefined> {
    inFlight.add(source.id);
    try {
      return await limiter.run(hostOf(source.url), () => (stop?.aborted ? Promise.resolve(undefined) : refreshSource(source, abort)));
    } catch (err) {
      deps.log.error({ sourceId: source.id, err: errorMessage(err) }, 'source refresh crashed');
      return undefined;
    } finally {
      inFlight.delete(source.id);
    }
  }

  /**
   * `stop` ends the run gracefully: nothing new starts, fetches in flight finish. `abort` cuts
   * fetches in flight short (shutdown after its grace period). `onOutcome` hears of each source
   * as it finishes (the CLI prints it then, not at the end of the run).
   */
  async function refreshDue(stop?: AbortSignal, abort?: AbortSignal, onOutcome?: (o: RefreshOutcome) => void): Promise<RefreshOutcome[]> {
    const outcomes: RefreshOutcome[] = [];
    const done = new Set<number>();
    let running = 0;
    // One waiter, woken by every completion. (Promise.race over the running set would attach a
    // reaction to each of hundreds of pending promises on every call: with 10,000 sources that
    // is millions of closures held until the promises settle.)
    let wake: (() => void) | undefined;
    const settled = () => new Promise<void>((r) => (wake = r));
    // Due sources are read in batches: a batch is started (the limiter queues it), and the next
    // one is read when half of it has finished. A read that comes back short means every source
    // due now has been started; sources that fall due later wait for the next tick.
    for (;;) {
      if (stop?.aborted) break;
      const limit = DUE_BATCH + inFlight.size;
      const rows = await deps.storage.sources.listDue(now().toISOString(), limit);
      let started = 0;
      for (const s of rows) {
        if (inFlight.has(s.id) || done.has(s.id)) continue;
        done.add(s.id);
        started++;
        running++;
        void refreshGuarded(s, stop, abort).then((o) => {
          if (o) {
            outcomes.push(o);
            onOutcome?.(o);
          }
          running--;
          wake?.();
        });
      }
      // Short read: all due sources started. No progress: only sources refreshed in this run
      // are still due (an interval shorter than the run); they wait for the next tick.
      if (rows.length < limit || started === 0) break;
      while (running > DUE_BATCH / 2) await settled();
    }
    while (running > 0) await settled();
    return outcomes;
  }

  /** These sources now, whatever their schedule, within the same limits as a due-run. */
  async function refreshMany(sources: Source[], stop?: AbortSignal, abort?: AbortSignal, onEach?: (o: RefreshOutcome) => void): Promise<RefreshOutcome[]> {
    const outcomes = await Promise.all(
      sources.map(async (s) => {
        const o = await refreshGuarded(s, stop, abort);
        if (o) onEach?.(o);
        return o;
      }),
    );
    return outcomes.filter((o): o is RefreshOutcome => !!o);
  }

  return {
    refreshSource,
    refreshDue,
    refreshMany,
    get inFlight() {
      return inFlight.size;
    },
  };
}

export type { FetchLogEntry };
