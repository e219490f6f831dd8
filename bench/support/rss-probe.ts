// Ad-hoc probe: peak RSS of one 10,000-source cycle under different settings (not a benchmark
// module; `npx tsx bench/support/rss-probe.ts KEY=VALUE …` passes env to the wirefeed child).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startFleet, startWirefeed } from '../scheduler.bench.js';

const env = Object.fromEntries(process.argv.slice(2).map((a) => a.split('=') as [string, string]));
const dir = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-rss-probe-'));
const fleet = await startFleet(process.env.QUICK === '1');
const wf = await startWirefeed(fleet, dir, false, env);
await fleet.child.request({ type: 'cycle', cycle: 1 }, 'cycled');
const w = await wf.child.request({ type: 'cycle' }, 'cycle-done', 600_000);
console.log(JSON.stringify(env), `cycle ${Math.round(w.ms as number)} ms, peak RSS ${Math.round(w.peakRssMB as number)} MB (start ${Math.round(w.startRssMB as number)} MB)`, JSON.stringify(w.byKind));
const m = await wf.child.request({ type: 'sample' }, 'sampled');
console.log(`after: rss ${Math.round(m.rssMB as number)} MB, main heap used ${Math.round(m.heapMB as number)} MB`);
await Promise.allSettled([wf.child.stop(), fleet.child.stop()]);
rmSync(dir, { recursive: true, force: true });
