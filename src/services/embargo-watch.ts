// Embargoes end by the clock, not by a write: an embargoed story must appear at its time even
// if nothing else happens. The feed service asks `due()` before serving a cached render (the
// render cache expires on the next embargo end) and calls `lift()` before rendering again, which
// turns each due embargo into an event with a new seq, so cursor partners receive the story too.
import type { IsoDate } from '../model/types.js';
import type { Storage } from '../storage/repos.js';

export interface EmbargoWatch {
  /** True when an embargo has ended and has not been lifted yet. Cheap: one lookup per data version. */
  due(): boolean;
  /** Lifts every due embargo (shared by concurrent callers). */
  lift(): Promise<void>;
  /** Clock time (ms) of the last lift that changed something: renders older than it are stale. */
  readonly liftedAt: number;
}

export function createEmbargoWatch(deps: { storage: Storage; clock: () => Date }): EmbargoWatch {
  const { storage, clock } = deps;
  // The next embargo end as clock ms (Infinity: none), parsed once per data version.
  let memo: { version: number; endMs: number } | undefined;
  let lifting: Promise<void> | undefined;
  let liftedAt = 0;

  const nextEndMs = (): number => {
    const version = storage.dataVersion();
    if (memo?.version !== version) {
      const end: IsoDate | undefined = storage.articles.nextEmbargoEnd();
      memo = { version, endMs: end === undefined ? Infinity : Date.parse(end) };
    }
    return memo.endMs;
  };

  return {
    due() {
      const endMs = nextEndMs();
      return endMs !== Infinity && endMs <= clock().getTime();
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
