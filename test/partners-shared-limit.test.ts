// Partner rate limits across instances (README "Scaling out"): on PostgreSQL two real server
// processes on one schema admit, together, no more than the partner's limit per window (each
// alone would admit the whole limit), and the shared-window meter's rules checked directly:
// batches never granted past the limit, requests wait for a reservation only when the local
// batch is spent, and an unreachable database leaves each instance counting alone.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RateLimit } from '../src/model/types.js';
import { createQuotaMeter, type QuotaState } from '../src/services/quotas.js';
import { batchOf, createSharedRequestWindows, OFFLINE_PAUSE_MS } from '../src/services/shared-rate-windows.js';
import { openPostgresStorage } from '../src/storage/postgres/open.js';
import type { RateWindowReservation, Storage } from '../src/storage/repos.js';
import { ensureBuilt, startServerProcess, type ServerProcess } from './support/binary.js';
import { describePg, dropSchema, freshSchemaName, PG_TEST_URL, pgExec, schemaUrl } from './support/pg-schema.js';

const ADMIN_TOKEN = 'shared-limit-admin-token-0123456789';

/** The database side as the SQL does it: one counter per partner and window, grants capped at the limit. */
function counterTable() {
  const used = new Map<string, number>();
  const calls: RateWindowReservation[] = [];
  return {
    calls,
    used,
    async reserve(r: RateWindowReservation) {
      calls.push(r);
      const k = `${r.partnerId}/${r.windowS}/${r.windowStartMs}`;
      const before = used.get(k) ?? 0;
      const granted = Math.min(r.want, Math.max(0, r.limit - before));
      used.set(k, before + granted);
      return { granted, used: before + granted };
    },
  };
}

const settle = async (s: QuotaState | Promise<QuotaState>) => s;

describe('shared partner rate windows (the meter)', () => {
  const limit: RateLimit = { requests: 100, perSeconds: 60 };
  const t0 = Date.UTC(2025, 2, 1, 10, 0, 0);

  it('three instances on one counter admit the limit once per window, not three times', async () => {
    const db = counterTable();
    const meters = [0, 1, 2].map(() => createQuotaMeter(createSharedRequestWindows({ reserve: db.reserve })));
    let admitted = 0;
    for (let i = 0; i < 600; i++) if ((await settle(meters[i % 3]!.take(7, limit, t0 + i))).allowed) admitted++;
    assert.ok(admitted <= limit.requests, `admitted ${admitted}`);
    // Unspent tokens left on the instances: at most 1.5 batches each.
    assert.ok(admitted >= limit.requests - 3 * 1.5 * batchOf(limit), `admitted ${admitted}`);
    assert.ok(db.calls.length < admitted / 2, `${db.calls.length} reservations for ${admitted} requests: batched`);
    // The next window starts afresh.
    assert.equal((await settle(meters[0]!.take(7, limit, t0 + 60_000))).allowed, true);
  });

  it('a request waits only when the local batch is spent; the next batch is asked for at half', async () => {
    const db = counterTable();
    const meter = createQuotaMeter(createSharedRequestWindows({ reserve: db.reserve }));
    const first = meter.take(1, limit, t0);
    assert.ok(first instanceof Promise, 'nothing reserved yet: the first request waits');
    assert.equal((await first).allowed, true);
    const b = batchOf(limit);
    // b − 1 tokens left; spending down to half asks for the next batch in the background.
    let waited = 0;
    for (let i = 1; i < 3 * b; i++) {
      const s = meter.take(1, limit, t0 + i);
      if (s instanceof Promise) {
        waited++;
        await s;
      } else await new Promise((r) => setImmediate(r));
    }
    assert.equal(waited, 0, 'with the background refill no request waited');
  });

  it('while the database does not answer, an instance counts alone (never past the limit itself), then asks again', async () => {
    let down = true;
    const db = counterTable();
    const reserve = (r: RateWindowReservation) => (down ? Promise.reject(new Error('connection refused')) : db.reserve(r));
    const meter = createQuotaMeter(createSharedRequestWindows({ reserve }));
    let admitted = 0;
    for (let i = 0; i < 150; i++) if ((await settle(meter.take(3, limit, t0 + i))).allowed) admitted++;
    assert.equal(admitted, limit.requests);
    down = false;
    // After the pause, the next window asks the database again.
    const later = t0 + 60_000 + OFFLINE_PAUSE_MS;
    assert.equal((await settle(meter.take(3, limit, later))).allowed, true);
    assert.ok(db.calls.length >= 1);
  });
});


describePg('partner rate windows on PostgreSQL (the counter row)', function () {
  this.timeout(30_000);
  let schema: string;
  let storages: Storage[];
  beforeEach(async () => {
    schema = freshSchemaName();
    await pgExec(`CREATE SCHEMA ${schema}`);
    storages = [];
    for (const id of ['a', 'b']) storages.push(await openPostgresStorage({ databaseUrl: PG_TEST_URL!, schema, poolSize: 4, instanceId: id }));
  });
  afterEach(async () => {
    for (const s of storages) await s.close();
    await dropSchema(schema);
  });

  it('concurrent reservations from two instances never grant past the limit, and grant all of it', async () => {
    const p = await storages[0]!.partners.create({ slug: 'p', name: 'P', channels: [], now: '2025-03-01T10:00:00.000Z' });
    const r = { partnerId: p.id, windowS: 60, windowStartMs: Date.UTC(2025, 2, 1, 10), limit: 100, want: 3 };
    const got = await Promise.all(Array.from({ length: 60 }, (_, i) => storages[i % 2]!.rateWindows!.reserve(r)));
    assert.equal(got.reduce((n, g) => n + g.granted, 0), 100);
    assert.ok(got.every((g) => g.granted >= 0 && g.granted <= 3 && g.used <= 100));
    assert.deepEqual(await storages[1]!.rateWindows!.reserve(r), { granted: 0, used: 100 });
    // Another window, another counter.
    assert.deepEqual(await storages[1]!.rateWindows!.reserve({ ...r, windowStartMs: r.windowStartMs + 60_000 }), { granted: 3, used: 3 });
  });
});

describePg('partner rate limit shared by two server processes on one PostgreSQL schema', function () {
  this.timeout(90_000);
  let schema: string;
  let dirs: string[];
  let servers: ServerProcess[];

  before(() => ensureBuilt());
  beforeEach(async () => {
    schema = freshSchemaName();
    dirs = [];
    servers = [];
    await pgExec(`CREATE SCHEMA ${schema}`);
    const url = schemaUrl(schema);
    for (const id of ['web-1', 'web-2']) {
      const dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-limit-'));
      dirs.push(dir);
      servers.push(
        await startServerProcess({
          cwd: dir,
          env: { WIREFEED_DATA_DIR: dir, WIREFEED_DATABASE_URL: url, WIREFEED_DEMO: '0', WIREFEED_SCHEDULER: '0', WIREFEED_ADMIN_TOKEN: ADMIN_TOKEN, WIREFEED_INSTANCE_ID: id, LOG_LEVEL: 'info' },
        }),
      );
    }
  });
  afterEach(async function () {
    await Promise.all(servers.map((s) => s.stop()));
    if (this.currentTest?.state === 'failed') for (const s of servers) process.stderr.write(`--- ${s.url}\n${s.logs().slice(-4000)}\n`);
    await dropSchema(schema);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('admit together no more than the limit (each alone would admit all of it), and both refuse after', async () => {
    const LIMIT = 40;
    // Hour windows aligned to the epoch: keep clear of a boundary.
    const intoHour = Date.now() % 3_600_000;
    if (intoHour > 3_600_000 - 60_000) await new Promise((r) => setTimeout(r, 3_600_000 - intoHour + 1_000));
    const api = (method: string, p: string, body?: unknown) =>
      fetch(servers[0]!.url + p, { method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    assert.equal((await api('POST', '/api/partners', { slug: 'acme', name: 'Acme', channels: [], rateLimit: { requests: LIMIT, perSeconds: 3600 } })).status, 201);
    const { key } = (await (await api('POST', '/api/partners/acme/keys')).json()) as { key: string };
    const ask = async (s: ServerProcess) => {
      const r = await fetch(`${s.url}/feeds/all.rss`, { headers: { authorization: `Bearer ${key}` } });
      await r.arrayBuffer();
      return r.status;
    };
    // Bursts of ten concurrent requests, alternating instances, well past the limit.
    const statuses: number[][] = [[], []];
    for (let round = 0; round < 8; round++) {
      const burst = await Promise.all(Array.from({ length: 10 }, (_, i) => ask(servers[(round + i) % 2]!).then((st) => ({ st, who: (round + i) % 2 }))));
      for (const { st, who } of burst) statuses[who]!.push(st);
    }
    const ok = statuses.flat().filter((s) => s === 200).length;
    assert.deepEqual([...new Set(statuses.flat())].sort(), [200, 429]);
    assert.ok(ok <= LIMIT, `${ok} admitted, limit ${LIMIT}`);
    // At most 1.5 batches left unspent on each instance.
    assert.ok(ok >= LIMIT - 2 * 1.5 * batchOf({ requests: LIMIT, perSeconds: 3600 }), `${ok} admitted`);
    assert.ok(statuses.every((s) => s.includes(200)), 'both instances admitted some');
    assert.deepEqual([await ask(servers[0]!), await ask(servers[1]!)], [429, 429], 'both refuse once the window is spent');
  });
});
