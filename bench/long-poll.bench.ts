// Long polling (`?after=N&wait=S`): 2,000 partner requests held open on loopback, then one new
// story is committed; every held request must be answered within 1 s of the commit. The load
// generator (this process) holds the sockets; the server runs in its own process so its memory
// is measured apart. Baseline, same run: a raw node:http server that holds the same number of
// requests and answers them all from one in-process event with the same bytes, the floor of
// waking that many sockets on this machine.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { forkTs, type Child } from './support/child.js';
import type { BenchModule, BenchResult } from './types.js';

const HELD = 2000;
const QUICK_HELD = 500;
const TARGET_MS = 1000;

interface Round {
  /** Slowest answer after the commit, ms. */
  maxMs: number;
  p50Ms: number;
  answered: number;
  /** Server RSS growth while the requests were held, MB. */
  heldRssMB: number;
  bytes: number;
}

async function waitHeld(child: Child, n: number): Promise<{ rssMB: number }> {
  for (let i = 0; i < 600; i++) {
    const m = await child.request({ type: 'held' }, 'held');
    if ((m.held as number) >= n) return { rssMB: m.rssMB as number };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`only some requests were held`);
}

async function round(child: Child, port: number, cursor: number, n: number): Promise<Round> {
  const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
  const before = (await child.request({ type: 'held' }, 'held')).rssMB as number;
  const done: Promise<{ at: number; bytes: number; status: number }>[] = [];
  for (let i = 0; i < n; i++) {
    done.push(
      new Promise((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: `/feeds/all.json?after=${cursor}&wait=30`, agent }, (res) => {
          let bytes = 0;
          res.on('data', (c: Buffer) => (bytes += c.length));
          res.on('end', () => resolve({ at: Date.now(), bytes, status: res.statusCode ?? 0 }));
        });
        req.on('error', reject);
      }),
    );
  }
  const { rssMB } = await waitHeld(child, n);
  const { at } = await child.request({ type: 'publish' }, 'published');
  const answers = await Promise.all(done);
  agent.destroy();
  const lat = answers.map((a) => a.at - (at as number)).sort((a, b) => a - b);
  if (answers.some((a) => a.status !== 200 || a.bytes === 0)) throw new Error('a held request was not answered with a page');
  return { maxMs: lat[lat.length - 1]!, p50Ms: lat[Math.floor(lat.length / 2)]!, answered: answers.length, heldRssMB: rssMB - before, bytes: answers[0]!.bytes };
}

export const run: BenchModule = async ({ quick, log }) => {
  const n = quick ? QUICK_HELD : HELD;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-long-poll-'));
  const wf = forkTs('wirefeed', new URL('./support/long-poll-child.ts', import.meta.url).href);
  const rawChild = forkTs('raw', new URL('./support/long-poll-child.ts', import.meta.url).href);
  try {
    const w = await wf.request({ type: 'init-wirefeed', dataDir: dir }, 'ready');
    log(`long-poll: wirefeed on :${w.port}, ${n} held requests`);
    const subject = await round(wf, w.port as number, w.cursor as number, n);
    log(`long-poll: wirefeed answered ${subject.answered} in ≤ ${subject.maxMs} ms (p50 ${subject.p50Ms} ms), held RSS +${subject.heldRssMB.toFixed(1)} MB`);
    const r = await rawChild.request({ type: 'init-raw', body: 'x'.repeat(subject.bytes) }, 'ready');
    const baseline = await round(rawChild, r.port as number, 0, n);
    log(`long-poll: raw node:http answered ${baseline.answered} in ≤ ${baseline.maxMs} ms (p50 ${baseline.p50Ms} ms), held RSS +${baseline.heldRssMB.toFixed(1)} MB`);
    const results: BenchResult[] = [
      {
        name: `long poll: ${n} held requests, one new story → slowest answer after the commit`,
        subject: { name: 'wirefeed', value: subject.maxMs, unit: 'ms' },
        baseline: { name: 'raw node:http answering all at one event', value: baseline.maxMs, unit: 'ms' },
        ratio: baseline.maxMs / Math.max(1, subject.maxMs),
        target: `≤ ${TARGET_MS} ms`,
        pass: subject.maxMs <= TARGET_MS && subject.answered === n,
        notes: `p50 ${subject.p50Ms} ms (baseline ${baseline.p50Ms} ms); one render shared by all`,
      },
      {
        name: `long poll: server memory for ${n} held requests`,
        subject: { name: 'wirefeed RSS growth', value: Math.round(subject.heldRssMB * 10) / 10, unit: 'MB' },
        baseline: { name: 'raw node:http RSS growth', value: Math.round(baseline.heldRssMB * 10) / 10, unit: 'MB' },
        ratio: Math.max(0.1, baseline.heldRssMB) / Math.max(0.1, subject.heldRssMB),
        target: '≤ 3× the raw server',
        pass: subject.heldRssMB <= 3 * Math.max(1, baseline.heldRssMB),
      },
    ];
    return results;
  } finally {
    await Promise.allSettled([wf.stop(), rawChild.stop()]);
    rmSync(dir, { recursive: true, force: true });
  }
};
