// Ad-hoc: one refresh cycle in THIS process (fleet in a child), for `node --cpu-prof`:
//   node --cpu-prof --import tsx bench/support/cycle-profile.ts [quick]
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { createCore } from '../../src/compose.js';
import { silentLogger } from '../../src/log.js';
import { startFleet } from '../scheduler.bench.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-cycle-prof-'));
const fleet = await startFleet(process.argv[2] === 'quick');
const core = await createCore(
  loadConfig({ WIREFEED_DATA_DIR: dir, WIREFEED_ALLOW_PRIVATE_NETWORKS: '1', WIREFEED_FETCH_TIMEOUT_MS: '2000', LOG_LEVEL: 'silent' }),
  silentLogger(),
);
const now = new Date().toISOString();
for (const [i, url] of fleet.urls.entries()) await core.storage.sources.create({ url, slug: `s-${i}`, nextFetchAt: now, now });
await fleet.child.request({ type: 'cycle', cycle: 1 }, 'cycled');
let maxLag = 0;
let last = performance.now();
const timer = setInterval(() => {
  const t = performance.now();
  maxLag = Math.max(maxLag, t - last - 5);
  last = t;
}, 5);
const t0 = performance.now();
const outcomes = await core.refresh.refreshDue();
clearInterval(timer);
console.log(`cycle ${Math.round(performance.now() - t0)} ms, ${outcomes.length} sources, worst event-loop lag ${Math.round(maxLag)} ms`);
await core.close();
await fleet.child.stop();
rmSync(dir, { recursive: true, force: true });
