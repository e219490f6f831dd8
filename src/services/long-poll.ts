// Long polling for cursor partners (`?after=N&wait=S`): a request whose page is empty is held
// until something is committed or S seconds pass. Held requests cost a small record each: one
// shared watcher reads the data version (the same cheap counter the feed cache is keyed by, which
// also sees commits of other processes) every `tickMs` while anything is held, wakes every
// waiter at once when it moves, and expires the ones whose time is up. No request polls the
// database and none owns a timer. A woken request asks the feed service again; identical
// requests share one render.
import type { OutputFormat } from '../model/types.js';
import type { FeedQuery, FeedService, FeedTarget, FeedVariant, RenderedFeed } from './types.js';

/** Longest `wait` a partner may ask for, in seconds. */
export const MAX_WAIT_S = 30;
const DEFAULT_TICK_MS = 50;

interface Waiter {
  deadline: number;
  wake: () => void;
}

export interface CommitWatch {
  /** Resolves at the next commit, at `deadline` (clock ms) or on abort, whichever comes first. */
  next(deadline: number, signal?: AbortSignal): Promise<void>;
  /** Requests held right now. */
  readonly held: number;
}

export function createCommitWatch(deps: { dataVersion: () => Promise<number>; clock?: () => number; tickMs?: number }): CommitWatch {
  const clock = deps.clock ?? Date.now;
  const tickMs = deps.tickMs ?? DEFAULT_TICK_MS;
  const waiters = new Set<Waiter>();
  let timer: NodeJS.Timeout | undefined;
  // The version when the watch started (undefined until read); a tick that reads another wakes all.
  let seen: number | undefined;
  // A tick whose read is still out: the next one skips instead of piling reads up.
  let reading = false;

  const settle = (version: number | undefined): void => {
    const now = clock();
    const committed = version !== undefined && seen !== undefined && version !== seen;
    if (version !== undefined) seen = version;
    for (const w of waiters) if (committed || w.deadline <= now) w.wake();
    if (waiters.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  const tick = (): void => {
    if (reading) return;
    reading = true;
    // A failed read (database unreachable for a moment) wakes nobody early; deadlines still expire.
    deps
      .dataVersion()
      .then(settle, () => settle(undefined))
      .finally(() => {
        reading = false;
      });
  };

  return {
    next(deadline, signal) {
      return new Promise<void>((resolve) => {
        if (signal?.aborted) return resolve();
        if (!timer) {
          seen = undefined;
          void deps.dataVersion().then(
            (v) => {
              seen ??= v;
            },
            () => undefined,
          );
          timer = setInterval(tick, tickMs);
          timer.unref();
        }
        const w: Waiter = {
          deadline,
          wake: () => {
            waiters.delete(w);
            signal?.removeEventListener('abort', w.wake);
            resolve();
          },
        };
        waiters.add(w);
        signal?.addEventListener('abort', w.wake, { once: true });
      });
    },
    get held() {
      return waiters.size;
    },
  };
}

/**
 * The feed for a cursor request with `wait`: at once when the page has items, else when a
 * commit brings some, else the empty page when the time is up (the caller answers it, or 304).
 */
export async function waitForFeed(
  feeds: FeedService,
  watch: CommitWatch,
  req: { target: FeedTarget; format: OutputFormat; query: FeedQuery; origin?: string; variant?: FeedVariant; signal?: AbortSignal },
  clock: () => number = Date.now,
): Promise<RenderedFeed> {
  const deadline = clock() + Math.min(req.query.wait ?? 0, MAX_WAIT_S) * 1000;
  let feed = await feeds.getFeed(req.target, req.format, req.query, req.origin, req.variant);
  while (feed.items.length === 0 && clock() < deadline && !req.signal?.aborted) {
    await watch.next(deadline, req.signal);
    // After a commit the page must reflect it: never the previous render the render interval
    // would serve (that would send the partner back to sleep on news it asked for).
    feed = await feeds.renderFresh(req.target, req.format, req.query, req.origin, req.variant);
  }
  return feed;
}
