// A PostgreSQL outage seen by one instance (README "Scaling out", when the database dies): its
// cached feeds keep being served, unchanged, for up to the stale-if-error bound; past it, and for
// anything not cached, it answers 503 with Retry-After; when the database is back everything
// recovers without a restart, and a write made elsewhere meanwhile reaches its cache. The
// database is taken away from this instance only (terminated sessions, or a relay that drops or
// freezes its connections), never from the shared server.
import assert from 'node:assert/strict';
import { StorageError } from '../src/errors.js';
import { openPostgresStorage } from '../src/storage/postgres/open.js';
import type { Storage } from '../src/storage/repos.js';
import { addSource, articleInput, ingest, startServer, type TestServer } from './http-fixtures.js';
import { describePg, dropSchema, freshSchemaName, PG_TEST_URL, pgExec } from './support/pg-schema.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

const STALE_MS = 3_000;
const HEARTBEAT_MS = 400;
const FEED = '/feeds/all.rss';


async function get(srv: TestServer, p = FEED): Promise<{ status: number; etag: string | null; retryAfter: string | null; body: string }> {
  const r = await fetch(srv.url + p, { signal: AbortSignal.timeout(10_000) });
  return { status: r.status, etag: r.headers.get('etag'), retryAfter: r.headers.get('retry-after'), body: await r.text() };
}

async function until(what: string, ok: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Until no commit notice has arrived for a while: a late one would expire the render cached next. */
async function quiet(storage: Storage): Promise<void> {
  for (let v = await storage.dataVersion(); ; ) {
    await sleep(300);
    const now = await storage.dataVersion();
    if (now === v) return;
    v = now;
  }
}

describePg('PostgreSQL outage seen by one instance', function () {
  this.timeout(60_000);
  let schema: string;
  let proxy: TcpProxy;
  let mine: Storage;
  let other: Storage;
  let srv: TestServer;
  let sourceId: number;

  beforeEach(async function () {
    // A short heartbeat only where a silent connection must be noticed: on a loaded machine a
    // 200 ms answer can be late, and each reconnect expires the cache the tests rely on.
    const heartbeatMs = this.currentTest?.title.startsWith('partitioned') ? HEARTBEAT_MS : undefined;
    schema = freshSchemaName();
    await pgExec(`CREATE SCHEMA ${schema}`);
    const target = new URL(PG_TEST_URL!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(PG_TEST_URL!);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    // This instance reaches the database through the relay; the other one directly.
    mine = await openPostgresStorage({ databaseUrl: viaProxy.href, schema, poolSize: 3, instanceId: `outage-${schema}`, staleIfErrorMs: STALE_MS, ...(heartbeatMs ? { heartbeatMs } : {}) });
    other = await openPostgresStorage({ databaseUrl: PG_TEST_URL!, schema, poolSize: 2, instanceId: 'elsewhere' });
    sourceId = (await addSource(other, 'wire')).id;
    await ingest(other, sourceId, [articleInput('first', { title: 'Firststory' })]);
    srv = await startServer({ storage: mine });
    await until('the first story on this instance', async () => (await get(srv)).body.includes('Firststory'), 5_000);
  });

  afterEach(async () => {
    await srv?.close();
    await mine?.close();
    await other?.close();
    await proxy?.close();
    await dropSchema(schema);
  });

  it('keeps serving while its sessions are terminated, and hears a later write', async () => {
    const statuses: number[] = [];
    let stop = false;
    const load = (async () => {
      while (!stop) {
        statuses.push((await get(srv)).status);
        await sleep(10);
      }
    })();
    for (let i = 0; i < 3; i++) {
      await pgExec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'wirefeed outage-${schema}%'`);
      await sleep(300);
    }
    await ingest(other, sourceId, [articleInput('second', { title: 'Secondstory' })]);
    await until('the write after the terminations', async () => (await get(srv)).body.includes('Secondstory'), 5_000);
    stop = true;
    await load;
    assert.ok(statuses.length > 10, `requests made: ${statuses.length}`);
    assert.deepEqual([...new Set(statuses)], [200]);
  });

  it('down: cached feeds served unchanged within the bound, 503 past it and when uncached; recovers when back', async () => {
    await quiet(mine);
    const before = await get(srv);
    proxy.cut();
    const cutAt = Date.now();
    await ingest(other, sourceId, [articleInput('during', { title: 'Duringstory' })]);
    while (Date.now() - cutAt < STALE_MS / 2) {
      const r = await get(srv);
      assert.equal(r.status, 200, `${Date.now() - cutAt} ms after the cut: ${r.body}`);
      assert.equal(r.etag, before.etag, 'the cached render, as it was');
      await sleep(50);
    }
    const uncached = await get(srv, '/feeds/all.json');
    assert.equal(uncached.status, 503, 'nothing cached to serve: the database is needed');
    assert.ok(Number(uncached.retryAfter) > 0);
    await sleep(STALE_MS - (Date.now() - cutAt) + 200);
    const late = await get(srv);
    assert.equal(late.status, 503, 'past the bound nothing stale is served');
    assert.ok(Number(late.retryAfter) > 0);
    proxy.restore();
    await until('the write made during the outage', async () => (await get(srv)).body.includes('Duringstory'), 15_000);
    await ingest(other, sourceId, [articleInput('after', { title: 'Afterstory' })]);
    await until('a write after recovery', async () => (await get(srv)).body.includes('Afterstory'), 5_000);
  });

  it('partitioned (connections alive but silent): the heartbeat notices, the same bound applies', async () => {
    await quiet(mine);
    const before = await get(srv);
    proxy.freeze();
    const frozenAt = Date.now();
    await ingest(other, sourceId, [articleInput('unheard', { title: 'Unheardstory' })]);
    while (Date.now() - frozenAt < STALE_MS / 2) {
      const r = await get(srv);
      assert.equal(r.status, 200);
      assert.equal(r.etag, before.etag);
      await sleep(50);
    }
    // The heartbeat's interval and its answer's wait on top of the bound. Not asked over HTTP:
    // an uncached request would wait on a silent connection until TCP gives up on it.
    await sleep(STALE_MS - (Date.now() - frozenAt) + 2 * HEARTBEAT_MS + 600);
    await assert.rejects(mine.dataVersion(), (err: unknown) => err instanceof StorageError && err.code === 'database_unavailable');
    proxy.restore();
    await until('the write made during the partition', async () => (await get(srv)).body.includes('Unheardstory'), 15_000);
  });
});
