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
  let memo: { version: number; end: IsoDate | undefined } | undefined;
  let lifting: Promise<void> | undefined;
  let liftedAt = 0;

  const nextEnd = (): IsoDate | undefined => {
    const version = storage.dataVersion();
    if (memo?.version !== version) memo = { version, end: storage.articles.nextEmbargoEnd() };
    return memo.end;
  };

  return {
    due() {
      const end = nextEnd();
      return end !== undefined && Date.parse(end) <= clock().getTime();
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
