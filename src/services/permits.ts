// A counting semaphore: at most `n` holders at once, waiters served in arrival order.

export interface Permits {
  /** Resolves with the release function once a permit is free. */
  acquire(): Promise<() => void>;
  /** Permits held now. */
  readonly held: number;
}

export function createPermits(n: number): Permits {
  let held = 0;
  const waiters: (() => void)[] = [];
  const release = (): void => {
    const next = waiters.shift();
    if (next) next();
    else held--;
  };
  const once = (): (() => void) => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      release();
    };
  };
  return {
    acquire() {
      if (held < n) {
        held++;
        return Promise.resolve(once());
      }
      // The releaser hands its permit over: `held` stays as it is.
      return new Promise((resolve) => waiters.push(() => resolve(once())));
    },
    get held() {
      return held;
    },
  };
}
