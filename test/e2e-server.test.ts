// The service as a new user meets it: start with no configuration (demo on), read the three
// feeds, use the admin API against a loopback source, stop gracefully and restart.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { startServer, type RunningServer } from '../src/main.js';
import { describeBackends } from './support/backends.js';
import { startFixtureServer, type FixtureServer } from './support/fixture-server.js';

const WIRE = new URL('./fixtures/wire/', import.meta.url);
const wireRss = () => readFileSync(new URL('seed-story.rss.xml', WIRE));

async function waitFor<T>(fn: () => Promise<T | undefined>, what: string, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describeBackends('wirefeed end to end', function (backend) {
  this.timeout(30_000);
  let dir: string;
  let dbEnv: Record<string, string>;
  let app: RunningServer | undefined;
  let fixture: FixtureServer;

  /** The server on this test's data directory and database (a restart opens the same ones). */
  function start(dataDir: string, env: Record<string, string> = {}): Promise<RunningServer> {
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', WIREFEED_DATA_DIR: dataDir, WIREFEED_SCHEDULE: '0 0 1 1 *', ...dbEnv, ...env });
    return startServer(config, silentLogger());
  }

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-e2e-'));
    dbEnv = (await backend.database()).env;
    fixture = await startFixtureServer({
      '/wire.rss': { headers: { 'content-type': 'application/rss+xml' }, body: wireRss() },
    });
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await fixture.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts with no configuration and publishes the offline demo in all three formats', async () => {
    app = await start(dir);
    const health = await fetch(`${app.url}/healthz`);
    assert.equal(health.status, 200);
    const report = (await health.json()) as { storage: string; instance: string };
    assert.equal(report.storage, backend.name);
    assert.equal(report.instance, `${hostname()}-${process.pid}`, 'the default instance id');
    const rss = await waitFor(async () => {
      const text = await (await fetch(`${app!.url}/feeds/all.rss`)).text();
      return (text.match(/<item>/g) ?? []).length >= 10 ? text : undefined;
    }, 'demo items');
    assert.match(rss, /<rss version="2.0"/);
    const cases: [string, string][] = [
      ['rss', 'application/rss+xml; charset=utf-8'],
      ['atom', 'application/atom+xml; charset=utf-8'],
      ['json', 'application/feed+json; charset=utf-8'],
    ];
    for (const [fmt, type] of cases) {
      const res: Response = await fetch(`${app.url}/feeds/all.${fmt}`);
      assert.equal(res.status, 200, fmt);
      assert.equal(res.headers.get('content-type'), type);
      const body = await res.text();
      if (fmt === 'json') assert.ok((JSON.parse(body) as { items: unknown[] }).items.length >= 10);
      else assert.ok((body.match(fmt === "rss" ? /<item>/g : /<entry[ >]/g) ?? []).length >= 10, fmt);
    }
    // The SQLite database lives in the data directory (with PostgreSQL there is no file). The
    // admin token was generated there.
    if (backend.name === 'sqlite') assert.ok(statSync(path.join(dir, 'wirefeed.db')).isFile());
    else assert.equal(existsSync(path.join(dir, 'wirefeed.db')), false, 'no SQLite file beside PostgreSQL');
    assert.equal(statSync(path.join(dir, 'admin-token')).mode & 0o777, 0o600);
  });

  it('refuses a loopback source without WIREFEED_ALLOW_PRIVATE_NETWORKS, saying why, and writes nothing', async () => {
    app = await start(dir, { WIREFEED_DEMO: '0' });
    const res = await fetch(`${app.url}/api/sources`, {
      method: 'POST',
      headers: { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${fixture.origin}/wire.rss` }),
    });
    assert.equal(res.status, 422);
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'private_address');
    assert.match(body.error.message, /WIREFEED_ALLOW_PRIVATE_NETWORKS/);
    assert.deepEqual(fixture.hits, []);
    assert.equal((await app.core.storage.sources.list()).length, 0);
  });

  it('adds a loopback source with the flag, refreshes it and publishes the wire story in every format', async () => {
    app = await start(dir, { WIREFEED_DEMO: '0', WIREFEED_ALLOW_PRIVATE_NETWORKS: '1' });
    const auth = { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' };
    const unauth = await fetch(`${app.url}/api/sources`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"url":"https://example.org/x"}' });
    assert.equal(unauth.status, 401);
    assert.equal((await app.core.storage.sources.list()).length, 0);

    const add = await fetch(`${app.url}/api/sources`, { method: 'POST', headers: auth, body: JSON.stringify({ url: `${fixture.origin}/wire.rss`, slug: 'wire' }) });
    assert.equal(add.status, 201);
    const source = (await add.json()) as { id: number };
    const dup = await fetch(`${app.url}/api/sources`, { method: 'POST', headers: auth, body: JSON.stringify({ url: `${fixture.origin}/wire.rss` }) });
    assert.equal(dup.status, 409);

    const refresh = await fetch(`${app.url}/api/sources/${source.id}/refresh`, { method: 'POST', headers: auth });
    assert.equal(refresh.status, 200);
    const outcome = (await refresh.json()) as { outcome: string; log: { itemsNew: number } };
    assert.equal(outcome.outcome, 'modified');
    assert.equal(outcome.log.itemsNew, 1);

    const json = (await (await fetch(`${app.url}/feeds/sources/wire.json`)).json()) as { items: { title: string; _rights?: { text: string } }[] };
    assert.equal(json.items[0]?.title, 'US Envoy and Adviser Reportedly Have ‘Very Good’ Meeting With Putin In Kremlin On Ukraine Peace Plan');
    assert.match(json.items[0]?._rights?.text ?? '', /EDITORIAL USE ONLY/);
    const rss = await (await fetch(`${app.url}/feeds/sources/wire.rss`)).text();
    assert.match(rss, /<media:credit role="photographer"[^>]*>Kremlin Press Office \/ Handout\/Anadolu via Getty Images<\/media:credit>/);
    const atom = await (await fetch(`${app.url}/feeds/sources/wire.atom`)).text();
    assert.match(atom, /<id>tag:wire.example.com,2025-12-03:story\/us-envoy-putin-peace-plan<\/id>/);

    const fetches = (await (await fetch(`${app.url}/api/sources/${source.id}/fetches`, { headers: auth })).json()) as { fetches: unknown[] } | unknown[];
    assert.equal((Array.isArray(fetches) ? fetches : fetches.fetches).length, 1);
  });

  it('stops gracefully with a fetch in flight, loses nothing, and resumes after a restart', async () => {
    fixture.routes.set('/slow.rss', { headers: { 'content-type': 'application/rss+xml' }, body: wireRss(), delayMs: 700 });
    app = await start(dir, { WIREFEED_DEMO: '0', WIREFEED_ALLOW_PRIVATE_NETWORKS: '1' });
    await app.core.sources.add({ url: `${fixture.origin}/slow.rss`, slug: 'slow' }, { discover: false });
    const run = app.scheduler.runOnce();
    await waitFor(async () => (fixture.hits.includes('/slow.rss') ? true : undefined), 'the fetch to start');
    const url = app.url;
    await app.stop();
    await run;
    app = undefined;
    await assert.rejects(fetch(`${url}/healthz`), 'the server no longer accepts connections');

    app = await start(dir, { WIREFEED_DEMO: '0', WIREFEED_ALLOW_PRIVATE_NETWORKS: '1' });
    const sources = await app.core.storage.sources.list();
    assert.equal(sources.length, 1, 'no demo re-seeding, the source kept');
    const log = await app.core.storage.fetchLog.list(sources[0]!.id, 10);
    assert.equal(log.length, 1);
    assert.equal(log[0]!.outcome, 'modified', 'the in-flight fetch finished and was stored before shutdown');
    assert.equal(await app.core.storage.articles.count(), 1);
    assert.ok(Date.parse(sources[0]!.nextFetchAt) > Date.now(), 'resumes from the stored schedule');
  });
});
