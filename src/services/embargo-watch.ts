// Embargoes end by the clock, not by a write: an embargoed story must appear at its time even
// if nothing else happens. The feed service asks `due()` before serving a cached render (the
// render cache expires on the next embargo end) and calls `lift()` before rendering again, which
// turns each due embargo into an event with a new seq, so cursor partners receive the story too.
import type { Storage } from '../storage/repos.js';

export interface EmbargoWatch {
  /**
   * True when an embargo has ended and has not been lifted yet, for the data version the
   * caller read. A boolean from memory while the version stays the same (the cached-feed path
   * awaits nothing more); a promise only when it moved and the next end must be read again.
   */
  due(version: number): boolean | Promise<boolean>;
  /** Lifts every due embargo (shared by concurrent callers). */
  lift(): Promise<void>;
  /** Clock time (ms) of the last lift that changed something: renders older than it are stale. */
  readonly liftedAt: number;
}

export function createEmbargoWatch(deps: { storage: Storage; clock: () => Date }): EmbargoWatch {
  const { storage, clock } = deps;
  // The next embargo end as clock ms (Infinity: none), read and parsed once per data version.
  let memo: { version: number; endMs: number } | undefined;
  let reading: { version: number; promise: Promise<number> } | undefined;
  let lifting: Promise<void> | undefined;
  let liftedAt = 0;

  const isDue = (endMs: number): boolean => endMs !== Infinity && endMs <= clock().getTime();

  const readEnd = (version: number): Promise<number> => {
    if (reading?.version === version) return reading.promise;
    const promise = storage.articles.nextEmbargoEnd().then(
      (end) => {
        const endMs = end === undefined ? Infinity : Date.parse(end);
        // A newer version may have been memoized while this one was read: keep the newer.
        if (!memo || memo.version <= version) memo = { version, endMs };
        return endMs;
      },
    ).finally(() => {
      if (reading?.promise === promise) reading = undefined;
    });
    reading = { version, promise };
    return promise;
  };

  return {
    due(version) {
      if (memo?.version === version) return isDue(memo.endMs);
      return readEnd(version).then(isDue);
    },
    lift() {
      lifting ??= (async () => {
        const now = clock();
        try {
          if ((await storage.articles.liftDueEmbargoes(now.toISOString())) > 0) liftedAt = now.getTime();
        } finally {
          memo = undefined;
          lifting = undefined;
        }
      })();
      return lifting;
    },
    get liftedAt() {
      return liftedAt;
    },
  };
}
