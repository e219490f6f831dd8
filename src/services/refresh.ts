// Refresh = fetch → process → store for one source (DESIGN.md §1 steps 3–7), and the due-run
// that drives it with global and per-host limits. A failing source only ever touches its own row.
import type { FetchLogEntry, NormalizedFeed, Source } from '../model/types.js';
import type { ClaimedSource, LeaseRef, Storage } from '../storage/repos.js';
import type { FetchFeed, ProcessFeed } from '../ingest/types.js';
import type { Logger } from '../log.js';
import type { RefreshOutcome, RefreshRunner } from './types.js';
import { errorMessage } from '../errors.js';
import { BIG_DOCUMENT_BYTES } from '../ingest/process.js';
import { createHostLimiter } from './host-limiter.js';
import { createPermits } from './permits.js';
import { bodyHashOf, bodyUnchanged, refreshStep, type FetchStepResult } from './refresh-step.js';
import { sourceHost } from '../model/source-host.js';
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
  /** Per host, in this process and, through leases, across every instance on the database. */
  perHostConcurrency: number;
  /** Lease owner: this instance (WIREFEED_INSTANCE_ID). */
  instanceId: string;
  /** How long a claim keeps a due source from other instances; renewed every third of it while fetching. */
  leaseMs?: number;
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

/** Default lease: far above a fetch (timeout ≤ 10 s) plus its processing and store. */
export const DEFAULT_LEASE_MS = 60_000;

/**
 * Runs a source's HTTP request in its turn (host-limited) and says when the request is over;
 * resolves undefined when the run was stopped before the request could start.
 */
type FetchTurn = (fetch: () => Promise<FetchResult>) => Promise<FetchResult | undefined>;

/** The request right away: a manual refresh is not queued behind a due-run's limits. */
const immediateTurn: FetchTurn = (fetch) => fetch();

export function createRefreshService(deps: RefreshDeps): RefreshRunner {
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  // The limiter holds a slot for the HTTP request only: processing and storing a body happen
  // after the fetch slot is free again, so the next fetch does not wait for the parser and the
  // storage writer. Sources between the start of their request and their record are bounded
  // apart (`fetchedBacklog`: the fetch slots and as many results behind them), so a slow writer
  // slows the fetching down instead of piling bodies up.
  const limiter = createHostLimiter(deps.fetchConcurrency, deps.perHostConcurrency);
  const fetchedBacklog = createPermits(2 * deps.fetchConcurrency);
  const owner = deps.instanceId;
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const inFlight = new Set<number>();

  // Big documents (≥ BIG_DOCUMENT_BYTES) are processed and stored one at a time: each costs many
  // times its size on its way through the parser, the main thread and the storage writer, and
  // sixteen at once took the process past 1 GB (bench hostile-memory). Small ones never wait.
  const bigDocuments = createPermits(1);

  /** Undefined only when a leased result was fenced (the lease had passed to another claim). */
  async function refreshOne(source: Source, signal?: AbortSignal, pushed?: PushedDocument, lease?: LeaseRef, turn: FetchTurn = immediateTurn): Promise<RefreshOutcome | undefined> {
    let releaseBig: (() => void) | undefined;
    let releaseBody: (() => void) | undefined;
    try {
      return await refreshSourceGated(source, signal, pushed, lease, {
        turn,
        gate: async (bytes) => {
          if (bytes >= BIG_DOCUMENT_BYTES) releaseBig = await bigDocuments.acquire();
        },
        // The fetched body stays counted in the fetch budget until it is processed and stored.
        hold: (release) => (releaseBody = release),
      });
    } finally {
      releaseBig?.();
      releaseBody?.();
    }
  }

  /** A manual refresh or a push: no lease, so never fenced. */
  async function refreshSource(source: Source, signal?: AbortSignal, pushed?: PushedDocument): Promise<RefreshOutcome> {
    return (await refreshOne(source, signal, pushed))!;
  }

  async function refreshSourceGated(
    source: Source,
    signal: AbortSignal | undefined,
    pushed: PushedDocument | undefined,
    lease: LeaseRef | undefined,
    { turn, gate, hold }: { turn: FetchTurn; gate: (bytes: number) => Promise<void>; hold: (release: () => void) => void },
  ): Promise<RefreshOutcome | undefined> {
    let startedAt = now().toISOString();
    let t0 = performance.now();
    let result: FetchStepResult;
    let ended: Date;
    let res: FetchResult | undefined;
    try {
      if (pushed) res = pushedResult(source, pushed);
      else {
        res = await turn(() => {
          // The fetch starts when its turn comes, not when it was queued.
          startedAt = now().toISOString();
          t0 = performance.now();
          return deps.fetchFeed({ url: source.url, etag: source.etag, lastModified: source.lastModified }, signal);
        });
        if (!res) return undefined;
      }
      if (res.kind === 'modified' && res.release) hold(res.release);
      ended = now();
      let bodyHash: string | undefined;
      let feed: NormalizedFeed | undefined;
      if (res.kind === 'modified') {
        bodyHash = bodyHashOf(res.body);
        if (!bodyUnchanged(source, bodyHash)) {
          await gate(res.body.length);
          // The raw-item hashes of the source's articles: unchanged items skip the parser.
          const knownItems = await deps.storage.ingest.knownItems?.(source.id);
          feed = await deps.processFeed(res.body, {
            documentUrl: res.finalUrl,
            contentType: res.contentType,
            now: ended.toISOString(),
            defaultCredit: source.defaultCredit,
            defaultRights: source.defaultRights,
            ...(knownItems ? { known: { items: knownItems, lint: source.lint } } : {}),
          });
        }
      }
      result = { kind: 'fetched', res, ...(bodyHash ? { bodyHash } : {}), ...(feed ? { feed } : {}) };
    } catch (err) {
      ended = now();
      result = { kind: 'failed', error: err, ...(res ? { res } : {}) };
      deps.log.warn({ sourceId: source.id, slug: source.slug, errorCount: source.errorCount + 1, err: errorMessage(err) }, 'source fetch failed');
    }
    const { record: rec, links } = refreshStep({ source, startedAt, pushed: !!pushed, result, now: ended, random });
    const ms = Math.round(performance.now() - t0);
    const at = now();
    if (deps.push && (rec.outcome === 'modified' || rec.outcome === 'not-modified') && rec.source.nextFetchAt) {
      // While a hub pushes this source, polling is only a safety net.
      const floor = await deps.push.pollFloor(source, at);
      if (floor && floor > rec.source.nextFetchAt) rec.source.nextFetchAt = floor;
    }
    const stored = lease ? await deps.storage.ingest.recordFetch({ ...rec, ms, lease }) : await deps.storage.ingest.recordFetch({ ...rec, ms });
    if (stored.fenced) {
      deps.log.warn(
        { sourceId: source.id, slug: source.slug, token: stored.lease.token, holder: stored.current.owner, currentToken: stored.current.token },
        'fetch result fenced: the lease passed to a later claim, nothing written',
      );
      return undefined;
    }
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

  /**
   * Never throws for one source: storage failures are logged and the run goes on. `fetched`
   * hears when the source's request is over (or will not start): its fetch slot is free.
   */
  async function refreshGuarded(source: Source, stop?: AbortSignal, abort?: AbortSignal, lease?: LeaseRef, fetched?: () => void): Promise<RefreshOutcome | undefined> {
    inFlight.add(source.id);
    let releaseBacklog: (() => void) | undefined;
    let fetchOver = false;
    const over = () => {
      if (fetchOver) return;
      fetchOver = true;
      fetched?.();
    };
    const turn: FetchTurn = (fetch) =>
      limiter.run(sourceHost(source.url), async () => {
        if (stop?.aborted) return undefined;
        // Inside the host's slot: while the backlog is full, the slot waits rather than fetching more.
        releaseBacklog = await fetchedBacklog.acquire();
        if (stop?.aborted) return undefined;
        try {
          return await fetch();
        } finally {
          over();
        }
      });
    try {
      return await refreshOne(source, abort, undefined, lease, turn);
    } catch (err) {
      deps.log.error({ sourceId: source.id, err: errorMessage(err) }, 'source refresh crashed');
      return undefined;
    } finally {
      over();
      releaseBacklog?.();
      inFlight.delete(source.id);
    }
  }

  /**
   * `stop` ends the run gracefully: nothing new starts, fetches in flight finish. `abort` cuts
   * fetches in flight short (shutdown after its grace period). `onOutcome` hears of each source
   * as it finishes (the CLI prints it then, not at the end of the run).
   *
   * Due sources are claimed (leased) from storage as fetch slots free up, never more than this
   * process can start at once: a lease is a fetch in flight or its result on the way to storage,
   * so the per-host cap on live leases is a per-host cap on fetches across instances. Leases
   * are renewed every third of their length while held; recordFetch frees each with its result.
   * A source whose request is over gives its fetch slot to the next claim while its body is
   * processed and stored (at most `fetchConcurrency` of them at once, the fetched backlog). A
   * host's leases are held until the record, so its next request still waits for that.
   */
  async function refreshDue(stop?: AbortSignal, abort?: AbortSignal, onOutcome?: (o: RefreshOutcome) => void): Promise<RefreshOutcome[]> {
    const outcomes: RefreshOutcome[] = [];
    const done = new Set<number>();
    const held = new Map<number, { lease: LeaseRef; lost: AbortController }>();
    /** Sources started and not yet recorded; `fetching` of them have not finished their request. */
    let running = 0;
    let fetching = 0;
    /** Sources recorded so far; `blockedAt` is its value when a claim found nothing claimable. */
    let recorded = 0;
    let blockedAt = -1;
    // One waiter, woken by every completion. (Promise.race over the running set would attach a
    // reaction to each of hundreds of pending promises on every call: with 10,000 sources that
    // is millions of closures held until the promises settle.)
    let wake: (() => void) | undefined;
    const settled = () => new Promise<void>((r) => (wake = r));
    const claimBatch = Math.max(1, Math.floor(deps.fetchConcurrency / 4));
    const leaseEnd = (from: Date) => new Date(from.getTime() + leaseMs).toISOString();

    const renew = async (): Promise<void> => {
      const leases = [...held.values()].map((h) => h.lease);
      if (!leases.length) return;
      try {
        const kept = new Set(await deps.storage.leases.renewLeases(owner, leases, leaseEnd(now())));
        for (const l of leases) {
          const h = held.get(l.sourceId);
          if (kept.has(l.sourceId) || h?.lease !== l) continue;
          // Another claim has it (this process stalled past the lease): stop fetching, the write would be fenced anyway.
          deps.log.warn({ sourceId: l.sourceId, token: l.token }, 'lease lost while fetching; fetch abandoned');
          h.lost.abort();
        }
      } catch (err) {
        deps.log.warn({ err: errorMessage(err) }, 'lease renewal failed');
      }
    };
    const renewTimer = setInterval(() => void renew(), Math.max(1, Math.floor(leaseMs / 3)));
    renewTimer.unref();

    const start = ({ source, lease }: ClaimedSource): void => {
      done.add(source.id);
      running++;
      fetching++;
      const lost = new AbortController();
      held.set(source.id, { lease, lost });
      const signal = abort ? AbortSignal.any([abort, lost.signal]) : lost.signal;
      const fetched = () => {
        fetching--;
        wake?.();
      };
      void refreshGuarded(source, stop, signal, lease, fetched)
        .then(async (o) => {
          held.delete(source.id);
          if (o) {
            outcomes.push(o);
            onOutcome?.(o);
          } else await release([lease]); // not recorded (stopped, crashed or fenced): give back what is still ours
        })
        .finally(() => {
          running--;
          recorded++;
          wake?.();
        });
    };
    const release = async (leases: LeaseRef[]): Promise<void> => {
      try {
        await deps.storage.leases.releaseLeases(owner, leases);
      } catch (err) {
        deps.log.warn({ err: errorMessage(err) }, 'lease release failed; the leases expire on their own');
      }
    };

    try {
      for (;;) {
        if (stop?.aborted) break;
        // Free fetch slots, as far as the fetched backlog has room behind them.
        const free = Math.min(deps.fetchConcurrency - fetching, 2 * deps.fetchConcurrency - running);
        // Claims come in batches of a quarter of the slots (not one per completed fetch): each
        // is a write transaction, and on PostgreSQL claims from all instances take turns.
        // After a claim found nothing, only a recorded source (a freed lease) can change that.
        if ((free < claimBatch || blockedAt === recorded) && running > 0) {
          await settled();
          continue;
        }
        const at = now();
        const claimed = await deps.storage.leases.claimDue({ owner, now: at.toISOString(), leaseUntil: leaseEnd(at), limit: free, perHostLimit: deps.perHostConcurrency });
        // A source refreshed in this run and due again (an interval shorter than the run) waits for the next tick.
        const again = claimed.filter((c) => done.has(c.source.id));
        if (again.length) await release(again.map((c) => c.lease));
        const fresh = claimed.filter((c) => !done.has(c.source.id));
        for (const c of fresh) start(c);
        if (fresh.length === 0) {
          // Nothing claimable now: every due source is leased or its host is at its limit. Our own
          // completions free slots; with none running, the rest belongs to other instances.
          if (running === 0) break;
          blockedAt = recorded;
          await settled();
        }
      }
      while (running > 0) await settled();
    } finally {
      clearInterval(renewTimer);
    }
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
