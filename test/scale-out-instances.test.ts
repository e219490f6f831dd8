// Three real `wirefeed scheduler` processes on one database (issue 13 §2): against loopback feed
// hosts that count requests per source and per instance (each instance has its own User-Agent,
// from its WIREFEED_BASE_URL), every due source is fetched exactly once per cycle, no host ever
// serves more than the per-host limit at once across the three, and after a `kill -9` of one
// instance mid-cycle the sources it held are fetched by the others once its leases lapse:
// every source ends the cycle with exactly one fetch-log row, nothing lost, nothing doubled.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import type { Storage } from '../src/storage/repos.js';
import { describeBackends, type BackendUnderTest } from './support/backends.js';
import { CLI_BIN, cleanEnv, ensureBuilt } from './support/binary.js';

const HOSTS = 5;
const PER_HOST_SOURCES = 12;
const DELAY_MS = 250;
const PER_HOST = 2;
const LEASE_S = 3;

interface Hit {
  path: string;
  instance: string;
  at: number;
}

interface FeedHost {
  origin: string;
  hits: Hit[];
  maxConcurrent: number;
  close(): Promise<void>;
}

const rss = (p: string) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>${p}</title><link>https://example.org${p}</link>` +
  `<item><title>Story ${p}</title><guid>g${p}</guid><pubDate>Sat, 10 Jan 2026 10:00:00 GMT</pubDate></item></channel></rss>`;

async function feedHost(): Promise<FeedHost> {
  let active = 0;
  const state = { hits: [] as Hit[], maxConcurrent: 0 };
  const server = http.createServer((req, res) => {
    const instance = /\+http:\/\/([a-z0-9-]+)\.test/.exec(req.headers['user-agent'] ?? '')?.[1] ?? '?';
    state.hits.push({ path: req.url ?? '', instance, at: Date.now() });
    active++;
    state.maxConcurrent = Math.max(state.maxConcurrent, active);
    setTimeout(() => {
      active--;
      res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(rss(req.url ?? ''));
    }, DELAY_MS);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get hits() {
      return state.hits;
    },
    get maxConcurrent() {
      return state.maxConcurrent;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

interface Instance {
  id: string;
  child: ChildProcess;
  exit: Promise<unknown>;
  logs(): string;
}

function startInstance(id: string, dbEnv: Record<string, string>, dir: string, allow: string): Instance {
  const child = spawn(process.execPath, [CLI_BIN, 'scheduler'], {
    cwd: dir,
    env: cleanEnv({
      ...dbEnv,
      WIREFEED_DATA_DIR: dir,
      WIREFEED_INSTANCE_ID: id,
      WIREFEED_BASE_URL: `http://${id}.test`,
      WIREFEED_DEMO: '0',
      WIREFEED_SCHEDULE: '* * * * * *',
      WIREFEED_LEASE_SECONDS: String(LEASE_S),
      WIREFEED_FETCH_CONCURRENCY: '4',
      WIREFEED_PER_HOST_CONCURRENCY: String(PER_HOST),
      WIREFEED_PRIVATE_NETWORK_ALLOWLIST: allow,
      LOG_LEVEL: 'info',
    }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { id, child, exit: new Promise((r) => child.once('exit', r)), logs: () => out };
}

async function waitFor(what: string, ok: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The database the three processes share, and a Storage on it for the test itself. */
interface SharedDatabase {
  env: Record<string, string>;
  storage: Storage;
  close(): Promise<void>;
}

async function sharedDatabase(backend: BackendUnderTest, dir: string): Promise<SharedDatabase> {
  if (backend.name === 'sqlite') {
    // One file in the data directory, opened by all three and by the test.
    const file = path.join(dir, 'wirefeed.db');
    const storage = openSqliteStorage({ path: file });
    return { env: { WIREFEED_DB: file }, storage, close: () => storage.close() };
  }
  // The harness closes this storage and drops the schema after the test.
  const db = await backend.database();
  return { env: db.env, storage: await backend.openOn(db), close: async () => {} };
}

describeBackends('three scheduler processes on one database', function (backend) {
  this.timeout(120_000);
  let dir: string;
  let db: SharedDatabase;
  let hosts: FeedHost[];
  let instances: Instance[];

  before(() => ensureBuilt());
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-scale-'));
    db = await sharedDatabase(backend, dir);
    hosts = await Promise.all(Array.from({ length: HOSTS }, () => feedHost()));
    instances = [];
  });
  afterEach(async function () {
    for (const i of instances) if (i.child.exitCode === null && i.child.signalCode === null) i.child.kill('SIGTERM');
    await Promise.all(instances.map((i) => i.exit));
    if (this.currentTest?.state === 'failed') for (const i of instances) process.stderr.write(`--- ${i.id}\n${i.logs().slice(-4000)}\n`);
    await Promise.all(hosts.map((h) => h.close()));
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function seed(): Promise<number[]> {
    const now = new Date().toISOString();
    const ids: number[] = [];
    for (const [h, host] of hosts.entries()) {
      for (let i = 0; i < PER_HOST_SOURCES; i++) {
        ids.push((await db.storage.sources.create({ url: `${host.origin}/h${h}/f${i}.xml`, slug: `h${h}-f${i}`, nextFetchAt: now, now })).id);
      }
    }
    return ids;
  }
  const allHits = () => hosts.flatMap((h) => h.hits);
  const logRows = async (ids: number[]) => Promise.all(ids.map(async (id) => (await db.storage.fetchLog.list(id, 10)).length));
  const start = () => {
    const allow = hosts.map((h) => new URL(h.origin).host).join(',');
    for (const id of ['c1', 'c2', 'c3']) instances.push(startInstance(id, db.env, dir, allow));
  };

  it('fetch every due source exactly once per cycle, within the per-host limit; a kill -9 loses nothing', async () => {
    const ids = await seed();
    const n = ids.length;
    start();

    // Cycle 1: all three alive.
    await waitFor('cycle 1 recorded', async () => (await logRows(ids)).every((r) => r === 1), 90_000);
    const cycle1 = allHits();
    const perPath = new Map<string, number>();
    for (const h of cycle1) perPath.set(h.path, (perPath.get(h.path) ?? 0) + 1);
    assert.equal(perPath.size, n);
    for (const [p, c] of perPath) assert.equal(c, 1, `${p} fetched ${c} times in cycle 1`);
    const byInstance = new Set(cycle1.map((h) => h.instance));
    assert.ok(byInstance.size >= 2, `fetches came from ${[...byInstance].join(', ')}`);
    for (const h of hosts) assert.ok(h.maxConcurrent <= PER_HOST, `a host served ${h.maxConcurrent} at once`);

    // Cycle 2: everything due again; c2 is killed as soon as it is fetching.
    const cycle2Start = Date.now();
    const cycle2Hits = () => allHits().filter((h) => h.at >= cycle2Start);
    for (const id of ids) await db.storage.sources.update(id, { nextFetchAt: new Date().toISOString() });
    await waitFor('c2 fetching in cycle 2', () => cycle2Hits().some((h) => h.instance === 'c2'), 30_000);
    const victim = instances.find((i) => i.id === 'c2')!;
    victim.child.kill('SIGKILL');
    const killedAt = Date.now();
    await victim.exit;

    await waitFor('cycle 2 recorded', async () => (await logRows(ids)).every((r) => r === 2), 60_000);
    // Let anything still in flight land, then check nothing was written twice.
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(await logRows(ids), ids.map(() => 2), 'one fetch-log row per source per cycle');

    const cycle2 = cycle2Hits();
    let takenOver = 0;
    let latestTakeover = 0;
    for (const [h, host] of hosts.entries()) {
      for (let i = 0; i < PER_HOST_SOURCES; i++) {
        const p = `/h${h}/f${i}.xml`;
        const hits = cycle2.filter((x) => x.path === p);
        const dead = hits.filter((x) => x.instance === 'c2');
        const live = hits.filter((x) => x.instance !== 'c2');
        assert.ok(live.length <= 1, `${p} fetched ${live.length} times by the live instances`);
        assert.ok(hits.length >= 1, `${p} not fetched in cycle 2`);
        if (dead.length && live.length) {
          // c2 died holding it: the others fetched it once its lease lapsed (plus a tick).
          takenOver++;
          latestTakeover = Math.max(latestTakeover, live[0]!.at - killedAt);
          assert.ok(live[0]!.at >= dead[0]!.at);
        }
        assert.ok(dead.length <= 1, `${p} fetched ${dead.length} times by c2`);
      }
      assert.ok(host.maxConcurrent <= PER_HOST, `host ${h} served ${host.maxConcurrent} at once`);
    }
    assert.ok(takenOver >= 1, 'c2 died holding at least one source');
    assert.ok(latestTakeover <= (LEASE_S + 2) * 1000, `taken over ${latestTakeover} ms after the kill (lease ${LEASE_S} s)`);
    const live = await db.storage.leases.liveLeases(new Date(0).toISOString());
    assert.deepEqual(live, [], 'no lease left behind by the live instances');
  });
});
