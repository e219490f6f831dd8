// Global + per-host concurrency for fetches (politeness): at most `global` fetches at once and at
// most `perHost` against any one host, so a crowded host never takes every slot and one slow
// host never delays the others beyond its own share.

export interface HostLimiter {
  run<T>(host: string, task: () => Promise<T>): Promise<T>;
  /** Fetches running now. */
  readonly active: number;
}

export function createHostLimiter(global: number, perHost: number): HostLimiter {
  let active = 0;
  const perHostActive = new Map<string, number>();
  // Waiters in arrival order; a waiter whose host is full is skipped, not blocking others.
  const queue: { host: string; start: () => void }[] = [];

  const canStart = (host: string) => active < global && (perHostActive.get(host) ?? 0) < perHost;

  const pump = () => {
    for (let i = 0; i < queue.length && active < global; ) {
      const w = queue[i]!;
      if (canStart(w.host)) {
        queue.splice(i, 1);
        w.start();
      } else i++;
    }
  };

  return {
    get active() {
      return active;
    },
    run<T>(host: string, task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const start = () => {
          active++;
          perHostActive.set(host, (perHostActive.get(host) ?? 0) + 1);
          task()
            .then(resolve, reject)
            .finally(() => {
              active--;
              const n = (perHostActive.get(host) ?? 1) - 1;
              if (n === 0) perHostActive.delete(host);
              else perHostActive.set(host, n);
              pump();
            });
        };
        if (canStart(host) && queue.length === 0) start();
        else {
          queue.push({ host, start });
          pump();
        }
      });
    },
  };
}
