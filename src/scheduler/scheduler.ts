// The tick (DESIGN.md §1 step 2): node-cron fires, due sources are refreshed. Runs never
// overlap: a tick that finds the previous run still going is skipped. Housekeeping (retention,
// WAL checkpoint) runs hourly from the same tick.
import cron from 'node-cron';
import type { Logger } from '../log.js';
import type { RefreshService } from '../services/types.js';
import { ConfigError, errorMessage } from '../errors.js';

export interface SchedulerDeps {
  refresh: RefreshService;
  /** node-cron expression. */
  schedule: string;
  log: Logger;
  /** Hourly housekeeping; failures are logged, never fatal. */
  housekeeping?: () => Promise<void>;
  now?: () => Date;
  /** How long stop() lets fetches in flight finish before aborting them. */
  stopGraceMs?: number;
}

export interface Scheduler {
  /** Starts the cron task and runs once right away (catch up on sources due while we were down). */
  start(): void;
  /**
   * Runs a refresh now; if one is running, one more run follows it (so sources that became due
   * meanwhile are not missed). Resolves when that run ends.
   */
  runOnce(): Promise<void>;
  /** Stops ticking; lets the current run finish within the grace period, then aborts it. */
  stop(): Promise<void>;
}

export function assertValidSchedule(expr: string): void {
  if (!cron.validate(expr)) throw new ConfigError(`config: WIREFEED_SCHEDULE=${JSON.stringify(expr)} is not a valid cron expression`);
}

const HOUR_MS = 3600_000;

export function createScheduler(deps: SchedulerDeps): Scheduler {
  assertValidSchedule(deps.schedule);
  const now = deps.now ?? (() => new Date());
  const stopCtl = new AbortController();
  const abortCtl = new AbortController();
  let current: Promise<void> | undefined;
  let queued: Promise<void> | undefined;
  let task: ReturnType<typeof cron.schedule> | undefined;
  let lastHousekeeping = 0;

  async function run(): Promise<void> {
    const t0 = performance.now();
    try {
      const outcomes = await deps.refresh.refreshDue(stopCtl.signal, abortCtl.signal);
      if (outcomes.length) {
        const errors = outcomes.filter((o) => o.outcome === 'error').length;
        deps.log.info({ sources: outcomes.length, errors, ms: Math.round(performance.now() - t0) }, 'refresh run finished');
      }
      if (deps.housekeeping && now().getTime() - lastHousekeeping >= HOUR_MS && !stopCtl.signal.aborted) {
        lastHousekeeping = now().getTime();
        await deps.housekeeping();
      }
    } catch (err) {
      deps.log.error({ err: errorMessage(err) }, 'refresh run failed');
    }
  }

  function startRun(): Promise<void> {
    current = run().finally(() => (current = undefined));
    return current;
  }

  function runOnce(): Promise<void> {
    if (stopCtl.signal.aborted) return Promise.resolve();
    if (!current) return startRun();
    queued ??= current.then(() => {
      queued = undefined;
      return stopCtl.signal.aborted ? undefined : startRun();
    });
    return queued;
  }

  return {
    start() {
      task = cron.schedule(
        deps.schedule,
        () => {
          if (current) {
            deps.log.debug({}, 'tick skipped: previous run still going');
            return;
          }
          void startRun();
        },
        { name: 'wirefeed-refresh', noOverlap: true },
      );
      void runOnce();
    },
    runOnce,
    async stop() {
      stopCtl.abort();
      await task?.stop();
      await task?.destroy();
      if (current) {
        const grace = new Promise<void>((r) => setTimeout(r, deps.stopGraceMs ?? 10_000).unref());
        await Promise.race([current, grace]);
        abortCtl.abort();
        await current;
      }
    },
  };
}
