// The real process, as `npm start` runs it: starts on a free port, serves, and exits 0 on
// SIGTERM and SIGINT after closing cleanly; the next start resumes from the same database.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../src/cli/main.js';
import { startFixtureServer } from './support/fixture-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

interface Started {
  url: string;
  exit: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
  logs: () => string;
}

function startProcess(dataDir: string, extraEnv: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', WIREFEED_DATA_DIR: dataDir, WIREFEED_SCHEDULE: '0 0 1 1 *', ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening" line:\n${out}`)), 20_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"[^\n]*"msg":"wirefeed listening"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1]!, exit, kill: (s) => child.kill(s), logs: () => out });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exit.then(() => reject(new Error(`exited early:\n${out}`)));
  });
}

describe('process lifecycle', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-proc-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`exits 0 on ${signal} after a clean shutdown, and resumes on restart`, async () => {
      const first = await startProcess(dir);
      assert.equal((await fetch(`${first.url}/healthz`)).status, 200);
      // Wait until the demo is ingested, then stop.
      for (let i = 0; i < 100; i++) {
        const n = ((await (await fetch(`${first.url}/feeds/all.json`)).json()) as { items: unknown[] }).items.length;
        if (n >= 12) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      first.kill(signal);
      assert.equal(await first.exit, 0);
      assert.match(first.logs(), /"msg":"stopped"/);

      const second = await startProcess(dir);
      const items = ((await (await fetch(`${second.url}/feeds/all.json`)).json()) as { items: unknown[] }).items;
      assert.equal(items.length, 12, 'articles kept across the restart, no demo re-seeding');
      assert.doesNotMatch(second.logs(), /demo sources registered/);
      // A new port changes nothing for the demo: its feeds are bundled files, its links follow
      // the serving origin (first-hour-demo.test.ts checks them).
      second.kill('SIGTERM');
      assert.equal(await second.exit, 0);
    });
  }

  it('splits serving and ingest: WIREFEED_SCHEDULER=0 serves only, `wirefeed scheduler` fetches and stops on SIGTERM', async () => {
    const rss = '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item><title>One</title><guid>g1</guid></item></channel></rss>';
    const fixture = await startFixtureServer({ '/feed.xml': { headers: { 'content-type': 'application/rss+xml' }, body: rss } });
    const env = { WIREFEED_DATA_DIR: dir, WIREFEED_ALLOW_PRIVATE_NETWORKS: '1', LOG_LEVEL: 'silent', WIREFEED_DEMO: '0' };
    try {
      assert.equal(await runCli(['sources', 'add', `${fixture.origin}/feed.xml`, '--slug', 'f'], env, { out: () => {}, err: () => {} }), 0);
      fixture.hits.length = 0; // adding looked at the URL once (feed discovery)
      const server = await startProcess(dir, { ...env, LOG_LEVEL: 'info', WIREFEED_SCHEDULER: '0' });
      await new Promise((r) => setTimeout(r, 500));
      assert.deepEqual(fixture.hits, [], 'the server alone does not fetch');
      assert.match(server.logs(), /scheduler off in this process/);

      const scheduler = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'scheduler'], { cwd: ROOT, env: { ...process.env, ...env, WIREFEED_SCHEDULE: '0 0 1 1 *' }, stdio: 'ignore' });
      const exited = new Promise<number | null>((r) => scheduler.once('exit', (code) => r(code)));
      for (let i = 0; i < 100 && fixture.hits.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(fixture.hits, ['/feed.xml'], 'the scheduler process fetched the due source');
      let items: unknown[] = [];
      for (let i = 0; i < 50 && items.length === 0; i++) {
        items = ((await (await fetch(`${server.url}/feeds/all.json`)).json()) as { items: unknown[] }).items;
        if (!items.length) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(items.length, 1, 'the server publishes what the scheduler stored');
      scheduler.kill('SIGTERM');
      assert.equal(await exited, 0);
      server.kill('SIGTERM');
      assert.equal(await server.exit, 0);
    } finally {
      await fixture.close();
    }
  });
});
