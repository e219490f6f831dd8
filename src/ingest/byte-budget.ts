// A semaphore on bytes: how much fetched body may be held in memory at once across every fetch
// in flight, from the first byte read until the document is processed and stored. Without it,
// sixteen concurrent 10 MiB bodies (or bombs inflating to the cap) are held at once, each
// before the one-big-document-at-a-time gate further down (bench hostile-memory).

export interface BodyLease {
  /** Bytes this lease holds. */
  readonly bytes: number;
  /**
   * Waits until `n` more bytes fit in the budget, then holds them. The oldest live lease never
   * waits: readers cannot deadlock each other by each holding part of the budget, and the total
   * held stays under the budget plus one body cap.
   */
  grow(n: number, signal?: AbortSignal): Promise<void>;
  /** Holds `n` more bytes if they fit now without waiting; false (nothing held) otherwise. */
  tryGrow(n: number): boolean;
  /** Gives every byte back; later calls do nothing. */
  release(): void;
}

export interface ByteBudget {
  readonly limit: number;
  /** Bytes held by all leases now. */
  readonly held: number;
  /** Leases waiting for bytes now. */
  readonly waiting: number;
  lease(): BodyLease;
  /**
   * Waits until `n` bytes would fit, holding nothing: a fetch asks before it opens a request,
   * so that while the budget is spent it waits without a connection or a running deadline.
   */
  room(n: number, signal?: AbortSignal): Promise<void>;
}

interface LeaseState {
  bytes: number;
  live: boolean;
}

interface Waiter {
  /** Undefined for room(): it only waits for space, and no lease passes the limit for it. */
  lease?: LeaseState;
  n: number;
  grant: () => void;
  fail: (err: Error) => void;
}

export function createByteBudget(limit: number): ByteBudget {
  let held = 0;
  const live = new Set<LeaseState>(); // insertion order = age
  const waiters: Waiter[] = [];

  const oldest = (): LeaseState | undefined => live.values().next().value;
  const fits = (l: LeaseState | undefined, n: number) => held + n <= limit || (l !== undefined && oldest() === l);

  /** Queues a waiter for `n` bytes; `onGrant` runs when they fit. */
  function wait(lease: LeaseState | undefined, n: number, signal: AbortSignal | undefined, onGrant: () => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = waiters.indexOf(w);
        if (i >= 0) waiters.splice(i, 1);
        reject(signal!.reason);
      };
      const w: Waiter = {
        lease,
        n,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          onGrant();
          resolve();
        },
        fail: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      waiters.push(w);
      // This lease may be the oldest now, with others queued ahead: it passes them.
      wake();
    });
  }

  /** Grants, in arrival order, each waiter that fits (the oldest lease always fits). */
  function wake(): void {
    for (let i = 0; i < waiters.length; ) {
      const w = waiters[i]!;
      if (!fits(w.lease, w.n)) {
        i++;
        continue;
      }
      waiters.splice(i, 1);
      w.grant();
    }
  }

  return {
    limit,
    get held() {
      return held;
    },
    get waiting() {
      return waiters.length;
    },
    room(n, signal) {
      if (waiters.length === 0 && fits(undefined, n)) return Promise.resolve();
      return wait(undefined, n, signal, () => {});
    },
    lease() {
      const state: LeaseState = { bytes: 0, live: true };
      live.add(state);
      const take = (n: number) => {
        state.bytes += n;
        held += n;
      };
      return {
        get bytes() {
          return state.bytes;
        },
        tryGrow(n) {
          if (!state.live || waiters.length > 0 || !fits(state, n)) return false;
          take(n);
          return true;
        },
        grow(n, signal) {
          if (!state.live) return Promise.reject(new Error('byte budget: lease already released'));
          if (waiters.length === 0 && fits(state, n)) {
            take(n);
            return Promise.resolve();
          }
          return wait(state, n, signal, () => take(n));
        },
        release() {
          if (!state.live) return;
          state.live = false;
          live.delete(state);
          held -= state.bytes;
          state.bytes = 0;
          for (let i = waiters.length - 1; i >= 0; i--) {
            if (waiters[i]!.lease === state) waiters.splice(i, 1)[0]!.fail(new Error('byte budget: lease released while waiting'));
          }
          wake();
        },
      };
    },
  };
}
