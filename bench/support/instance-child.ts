// Child process: one wirefeed instance for the scale-out benchmark, the real core (createCore)
// on the database its environment names (WIREFEED_DB or WIREFEED_DATABASE_URL) with its own
// WIREFEED_INSTANCE_ID. 'seed' registers sources; 'cycle' runs one refreshDue(); 'loop' runs
// refreshDue() back to back (a scheduler ticking every `pauseMs`) until 'halt'.
import type { Core } from '../../src/compose.js';
import { serveParent, onParentExit, type Msg } from './child.js';

const base = process.env.WIREFEED_BENCH_SOURCE === '1' ? '../../src/' : '../../dist/src/';
const { loadConfig } = (await import(`${base}config.js`)) as typeof import('../../src/config.js');
const { createCore } = (await import(`${base}compose.js`)) as typeof import('../../src/compose.js');
const { silentLogger } = (await import(`${base}log.js`)) as typeof import('../../src/log.js');

let core: Core | undefined;
let looping: Promise<void> | undefined;
let halted = false;
let loopFetched = 0;

onParentExit(async () => {
  halted = true;
  await looping;
  await core?.close();
});

serveParent(async (m: Msg) => {
  switch (m.type) {
    case 'init': {
      const config = loadConfig({
        WIREFEED_ALLOW_PRIVATE_NETWORKS: '1',
        WIREFEED_DEMO: '0',
        WIREFEED_SCHEDULE: '0 0 1 1 *', // cycles are driven by the parent
        LOG_LEVEL: 'silent',
        ...(m.env as NodeJS.ProcessEnv),
      });
      core = await createCore(config, silentLogger());
      return { type: 'ready', pid: process.pid };
    }
    case 'seed': {
      const now = new Date(Date.now() - 1000).toISOString();
      const urls = m.urls as string[];
      for (let i = 0; i < urls.length; i++) await core!.storage.sources.create({ url: urls[i]!, slug: `s-${i}`, nextFetchAt: now, now });
      return { type: 'seeded', sources: urls.length };
    }
    case 'cycle': {
      const t0 = performance.now();
      const outcomes = await core!.refresh.refreshDue();
      return { type: 'cycle-done', ms: performance.now() - t0, outcomes: outcomes.length };
    }
    case 'loop': {
      halted = false;
      loopFetched = 0;
      looping = (async () => {
        while (!halted) {
          loopFetched += (await core!.refresh.refreshDue()).length;
          await new Promise((r) => setTimeout(r, m.pauseMs as number));
        }
      })();
      return { type: 'looping' };
    }
    case 'halt': {
      halted = true;
      await looping;
      return { type: 'halted', fetched: loopFetched };
    }
  }
});
