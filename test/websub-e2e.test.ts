// WebSub end to end, as a subscriber meets it: the real server (main.ts), a source on a loopback
// fixture server, and a subscriber running as its own process. It discovers the hub from the
// feed's Link header, subscribes with a secret, confirms the challenge, and gets a signed push
// within a second of an ingest commit; a forged push is rejected; after unsubscribing nothing
// more arrives.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { startServer, type RunningServer } from '../src/main.js';
import { startFixtureServer, type FixtureServer } from './support/fixture-server.js';

const CHILD = fileURLToPath(new URL('./support/websub-subscriber-child.ts', import.meta.url));
const SECRET = 'e2e-secret-f00dfeed';

export function rssDoc(items: string[]): string {
  const entries = items
    .map((id) => `<item><title>Story ${id}</title><link>https://news.example.com/${id}</link><guid>${id}</guid><pubDate>Mon, 01 Dec 2025 10:00:00 GMT</pubDate><description>About ${id}</description></item>`)
    .join('');
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>Loop</title><link>https://news.example.com/</link><description>d</description>${entries}</channel></rss>`;
}

interface ChildEvent {
  event: string;
  [k: string]: unknown;
}

class SubscriberProcess {
  readonly events: ChildEvent[] = [];
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout }).on('line', (line) => this.events.push(JSON.parse(line) as ChildEvent));
  }

  static async start(secret: string): Promise<SubscriberProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, secret], { stdio: ['pipe', 'pipe', 'pipe'] });
    const p = new SubscriberProcess(child);
    await p.waitFor((e) => e.event === 'ready', 'subscriber ready', 20_000);
    return p;
  }

  send(cmd: object): void {
    this.child.stdin.write(`${JSON.stringify(cmd)}\n`);
  }

  async waitFor(pred: (e: ChildEvent) => boolean, what: string, ms = 5_000, from = 0): Promise<ChildEvent> {
    const end = Date.now() + ms;
    for (;;) {
      const hit = this.events.slice(from).find(pred);
      if (hit) return hit;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}; saw ${JSON.stringify(this.events.map((e) => e.event))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async stop(): Promise<void> {
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.stdin.end();
    const t = setTimeout(() => this.child.kill(), 5_000);
    await exited;
    clearTimeout(t);
  }
}

/** The rel="hub" and rel="self" targets of a Link header (RFC 8288), as a subscriber reads them (§4). */
function discover(link: string | null): { hub?: string; self?: string } {
  const out: { hub?: string; self?: string } = {};
  for (const m of (link ?? '').matchAll(/<([^>]+)>\s*;\s*rel="?([a-z]+)"?/g)) {
    if (m[2] === 'hub') out.hub ??= m[1];
    if (m[2] === 'self') out.self ??= m[1];
  }
  return out;
}

describe('WebSub end to end (real server, subscriber process)', function () {
  this.timeout(60_000);
  let dir: string;
  let app: RunningServer | undefined;
  let fixture: FixtureServer;
  let sub: SubscriberProcess | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-websub-'));
    fixture = await startFixtureServer({ '/loop.rss': { headers: { 'content-type': 'application/rss+xml' }, body: rssDoc(['s1']) } });
  });
  afterEach(async () => {
    await sub?.stop();
    sub = undefined;
    await app?.stop();
    app = undefined;
    await fixture.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('subscribes, verifies, receives a signed push within 1 s of an ingest commit, rejects a forged one, unsubscribes', async () => {
    const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', WIREFEED_DATA_DIR: dir, WIREFEED_SCHEDULE: '0 0 1 1 *', WIREFEED_DEMO: '0', WIREFEED_ALLOW_PRIVATE_NETWORKS: '1' });
    app = await startServer(config, silentLogger());
    const auth = { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' };
    const add = await fetch(`${app.url}/api/sources`, { method: 'POST', headers: auth, body: JSON.stringify({ url: `${fixture.origin}/loop.rss`, slug: 'loop' }) });
    assert.equal(add.status, 201);
    const { id } = (await add.json()) as { id: number };
    assert.equal((await fetch(`${app.url}/api/sources/${id}/refresh`, { method: 'POST', headers: auth })).status, 200);

    // §4 discovery from the feed itself.
    const feed = await fetch(`${app.url}/feeds/sources/loop.rss`);
    const { hub, self } = discover(feed.headers.get('link'));
    assert.equal(hub, `${app.url}/websub`);
    assert.equal(self, `${app.url}/feeds/sources/loop.rss`);

    sub = await SubscriberProcess.start(SECRET);
    sub.send({ cmd: 'subscribe', hub, topic: self });
    assert.equal((await sub.waitFor((e) => e.event === 'requested', '202')).status, 202);
    const v = await sub.waitFor((e) => e.event === 'verification', 'verification of intent');
    assert.deepEqual({ mode: v.mode, topic: v.topic, status: v.status, lease: v.leaseSeconds }, { mode: 'subscribe', topic: self, status: 200, lease: '864000' });
    await waitUntil(async () => (await app!.core.storage.websub.listSubscriptions()).length === 1, 'subscription stored');

    // An ingest commit: the source gains a story.
    fixture.routes.set('/loop.rss', { headers: { 'content-type': 'application/rss+xml' }, body: rssDoc(['s2', 's1']) });
    const before = sub.events.length;
    const refreshed = await fetch(`${app.url}/api/sources/${id}/refresh`, { method: 'POST', headers: auth });
    const committedBy = Date.now();
    assert.equal(((await refreshed.json()) as { log: { itemsNew: number } }).log.itemsNew, 1);
    const push = await sub.waitFor((e) => e.event === 'push', 'push', 5_000, before);
    assert.ok((push.at as number) - committedBy < 1_000, `push arrived ${(push.at as number) - committedBy} ms after the commit`);
    assert.equal(push.valid, true);
    assert.equal(push.contentType, 'application/rss+xml; charset=utf-8');
    assert.equal(push.link, `<${hub}>; rel="hub", <${self}>; rel="self"`);
    assert.match(push.body as string, /Story s2/);

    // A push with a wrong signature (or none) is rejected by the subscriber.
    const callback = (sub.events.find((e) => e.event === 'ready')!.callback as string);
    const forgedBody = rssDoc(['forged']);
    const n = sub.events.length;
    for (const signature of [createHmac('sha256', 'not-the-secret').update(forgedBody).digest('hex'), undefined]) {
      await fetch(callback, { method: 'POST', headers: { 'content-type': 'application/rss+xml', ...(signature ? { 'x-hub-signature': `sha256=${signature}` } : {}) }, body: forgedBody });
    }
    await sub.waitFor(() => sub!.events.slice(n).filter((e) => e.event === 'push').length === 2, 'two forged pushes');
    const forged = sub.events.slice(n).filter((e) => e.event === 'push');
    assert.deepEqual(forged.map((e) => e.valid), [false, false]);

    // Unsubscribe: verified, then the next commit reaches nobody.
    sub.send({ cmd: 'unsubscribe', hub, topic: self });
    await sub.waitFor((e) => e.event === 'verification' && e.mode === 'unsubscribe', 'unsubscribe verification');
    await waitUntil(async () => (await app!.core.storage.websub.listSubscriptions()).length === 0, 'subscription removed');
    fixture.routes.set('/loop.rss', { headers: { 'content-type': 'application/rss+xml' }, body: rssDoc(['s3', 's2', 's1']) });
    const m = sub.events.length;
    await fetch(`${app.url}/api/sources/${id}/refresh`, { method: 'POST', headers: auth });
    await new Promise((r) => setTimeout(r, 500));
    assert.deepEqual(sub.events.slice(m).filter((e) => e.event === 'push'), []);
  });
});

describe('WebSub for sources (one wirefeed pushes to another)', function () {
  this.timeout(60_000);
  let dirA: string;
  let dirB: string;
  let upstream: RunningServer | undefined;
  let reader: RunningServer | undefined;
  let fixture: FixtureServer;

  beforeEach(async () => {
    dirA = mkdtempSync(path.join(tmpdir(), 'wirefeed-websub-a-'));
    dirB = mkdtempSync(path.join(tmpdir(), 'wirefeed-websub-b-'));
    fixture = await startFixtureServer({ '/loop.rss': { headers: { 'content-type': 'application/rss+xml' }, body: rssDoc(['s1']) } });
  });
  afterEach(async () => {
    await reader?.stop();
    await upstream?.stop();
    reader = upstream = undefined;
    await fixture.close();
    rmSync(dirA, { recursive: true, force: true });
    rmSync(dirB, { recursive: true, force: true });
  });

  it('a source behind a loopback hub is subscribed, then updated by push without a poll; a forged push is dropped', async () => {
    const env = { HOST: '127.0.0.1', WIREFEED_SCHEDULE: '0 0 1 1 *', WIREFEED_DEMO: '0', WIREFEED_ALLOW_PRIVATE_NETWORKS: '1' };
    upstream = await startServer(loadConfig({ ...env, PORT: '0', WIREFEED_DATA_DIR: dirA }), silentLogger());
    const authA = { authorization: `Bearer ${upstream.adminToken}`, 'content-type': 'application/json' };
    const added = (await (await fetch(`${upstream.url}/api/sources`, { method: 'POST', headers: authA, body: JSON.stringify({ url: `${fixture.origin}/loop.rss`, slug: 'loop' }) })).json()) as { id: number };
    await fetch(`${upstream.url}/api/sources/${added.id}/refresh`, { method: 'POST', headers: authA });

    // The reader needs its public URL (the callback base) before it starts.
    const port = await freePort();
    reader = await startServer(loadConfig({ ...env, PORT: String(port), WIREFEED_DATA_DIR: dirB, WIREFEED_BASE_URL: `http://127.0.0.1:${port}` }), silentLogger());
    const authB = { authorization: `Bearer ${reader.adminToken}`, 'content-type': 'application/json' };
    const topic = `${upstream.url}/feeds/sources/loop.rss`;
    const src = (await (await fetch(`${reader.url}/api/sources`, { method: 'POST', headers: authB, body: JSON.stringify({ url: topic, slug: 'upstream' }) })).json()) as { id: number };
    await fetch(`${reader.url}/api/sources/${src.id}/refresh`, { method: 'POST', headers: authB });

    // Discovered from the Link header, requested, verified by the upstream hub.
    const websub = async () => (await (await fetch(`${reader!.url}/api/websub`, { headers: authB })).json()) as { sources: { sourceId: number; state: string; hub: string; topic: string; pushes: number; rejected: number; leaseUntil?: string }[] };
    await waitUntil(async () => (await websub()).sources[0]?.state === 'active', 'subscription verified');
    const sub = (await websub()).sources[0]!;
    assert.deepEqual({ hub: sub.hub, topic: sub.topic }, { hub: `${upstream.url}/websub`, topic });
    assert.ok(!JSON.stringify(await websub()).includes('secret'), 'no secret in the listing');
    const upstreamSubs = await upstream.core.storage.websub.listSubscriptions();
    assert.equal(upstreamSubs.length, 1);
    assert.match(upstreamSubs[0]!.callback, new RegExp(`^http://127\\.0\\.0\\.1:${port}/websub/callback/[A-Za-z0-9_-]{32}$`));
    assert.ok(upstreamSubs[0]!.secret && upstreamSubs[0]!.secret.length >= 32, 'subscribed with a secret');
    // Polling slows to the daily safety net while the subscription is live.
    const polled = (await reader.core.storage.sources.get(src.id))!;
    assert.ok(Date.parse(polled.nextFetchAt) - Date.now() > 20 * 3_600_000, `next poll ${polled.nextFetchAt}`);

    // A new story upstream reaches the reader by push: no fetch of the upstream feed.
    fixture.routes.set('/loop.rss', { headers: { 'content-type': 'application/rss+xml' }, body: rssDoc(['s2', 's1']) });
    await fetch(`${upstream.url}/api/sources/${added.id}/refresh`, { method: 'POST', headers: authA });
    const titles = async () => ((await (await fetch(`${reader!.url}/feeds/sources/upstream.json`)).json()) as { items: { title: string }[] }).items.map((i) => i.title);
    await waitUntil(async () => (await titles()).includes('Story s2'), 'pushed story in the reader');
    const log = (await (await fetch(`${reader.url}/api/sources/${src.id}/fetches`, { headers: authB })).json()) as { fetches: { outcome: string; warnings: string[] }[] };
    assert.equal(log.fetches.length, 2);
    assert.equal(log.fetches.filter((f) => f.warnings.some((w) => /pushed by the WebSub hub/.test(w))).length, 1, JSON.stringify(log.fetches));

    // A push without the right signature is dropped and counted.
    const callback = upstreamSubs[0]!.callback;
    const forged = rssDoc(['forged', 's2', 's1']);
    for (const sig of [`sha256=${createHmac('sha256', 'guess').update(forged).digest('hex')}`, undefined]) {
      const res = await fetch(callback, { method: 'POST', headers: { 'content-type': 'application/rss+xml', ...(sig ? { 'x-hub-signature': sig } : {}) }, body: forged });
      assert.equal(res.status, 202);
    }
    await reader.core.sourcePush.idle();
    assert.equal((await websub()).sources[0]!.rejected, 2);
    assert.ok(!(await titles()).includes('Story forged'));
    assert.equal((await (await fetch(`${reader.url}/api/sources/${src.id}/fetches`, { headers: authB })).json() as { fetches: unknown[] }).fetches.length, 2);
  });
});

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((r) => srv.close(r));
  return port;
}

async function waitUntil(fn: () => Promise<boolean>, what: string, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
