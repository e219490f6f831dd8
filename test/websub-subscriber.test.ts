// The subscriber side of WebSub for sources, against a scripted hub on loopback, with an injected
// clock: discovery readers, requests with fresh secrets, verification answers (§5.3.1), denial
// (§5.2), signatures (§8), the polling floor, the quiet-hub fallback, renewal and timeouts.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createCallbackClient, type CallbackClient } from '../src/ingest/fetch.js';
import { processFeedInline } from '../src/ingest/process.js';
import { jsonWebSubLinks, linkHeaderWebSubLinks, xmlWebSubLinks } from '../src/ingest/formats/websub-links.js';
import { silentLogger } from '../src/log.js';
import type { Source } from '../src/model/types.js';
import { createSourceSubscriber, type PushedDocument, type SourceSubscriber } from '../src/services/push-subscriber.js';
import type { Storage } from '../src/storage/repos.js';
import { addSource } from './http-fixtures.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeBackends } from './support/backends.js';

describe('WebSub discovery readers (§4)', () => {
  const resolve = (h: string) => new URL(h, 'https://feeds.example/dir/feed.xml').href;
  const cases: { name: string; got: () => { hub?: string; self?: string }; want: { hub?: string; self?: string } }[] = [
    { name: 'Link header, quoted rels', got: () => linkHeaderWebSubLinks('<https://hub.example/>; rel="hub", <https://feeds.example/feed.xml>; rel="self"', 'https://x/'), want: { hub: 'https://hub.example/', self: 'https://feeds.example/feed.xml' } },
    { name: 'Link header, bare rel and extra params', got: () => linkHeaderWebSubLinks('<https://feeds.example/f>; type="application/rss+xml"; rel=self, </hub>; rel=hub', 'https://feeds.example/f'), want: { hub: 'https://feeds.example/hub', self: 'https://feeds.example/f' } },
    { name: 'Link header, several rels in one', got: () => linkHeaderWebSubLinks('<https://h.example/>; rel="hub alternate"', 'https://x/'), want: { hub: 'https://h.example/' } },
    { name: 'Link header, none', got: () => linkHeaderWebSubLinks('<https://x/next>; rel="next"', 'https://x/'), want: {} },
    { name: 'Atom/RSS links, relative hub resolved', got: () => xmlWebSubLinks([{ $: { rel: 'self', href: 'feed.xml' } }] as never, [{ $: { rel: 'hub', href: '/websub' } }] as never, resolve), want: { hub: 'https://feeds.example/websub', self: 'https://feeds.example/dir/feed.xml' } },
    { name: 'Atom links without a hub', got: () => xmlWebSubLinks([{ $: { rel: 'alternate', href: '/' } }] as never, undefined, resolve), want: {} },
    { name: 'JSON Feed hubs', got: () => jsonWebSubLinks([{ type: 'rssCloud', url: 'https://c/' }, { type: 'WebSub', url: 'https://h/' }], 'https://feeds.example/f.json', resolve), want: { hub: 'https://h/', self: 'https://feeds.example/f.json' } },
    { name: 'JSON Feed, PubSubHubbub type', got: () => jsonWebSubLinks([{ type: 'PubSubHubbub', url: 'https://h/' }], undefined, resolve), want: { hub: 'https://h/' } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual({ ...c.got() }, c.want));

  const docs = [
    { name: 'Atom', body: `<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>urn:x</id><updated>2026-01-01T00:00:00Z</updated><link rel="self" href="https://f.example/a.atom"/><link rel="hub" href="/hub"/></feed>` },
    { name: 'RSS', body: `<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>t</title><link>https://f.example/</link><description>d</description><atom:link rel="self" href="https://f.example/a.atom"/><atom:link rel="hub" href="https://f.example/hub"/></channel></rss>` },
    { name: 'JSON Feed', body: JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 't', feed_url: 'https://f.example/a.atom', hubs: [{ type: 'WebSub', url: 'https://f.example/hub' }], items: [] }) },
  ];
  for (const d of docs) {
    it(`the ingest pipeline reads hub and self from ${d.name} (meta.hub, meta.self)`, async () => {
      const feed = await processFeedInline(Buffer.from(d.body), { documentUrl: 'https://f.example/a', now: '2026-01-01T00:00:00Z' });
      assert.deepEqual({ hub: feed.meta.hub, self: feed.meta.self }, { hub: 'https://f.example/hub', self: 'https://f.example/a.atom' });
    });
  }
});

describeBackends('WebSub subscriber for sources', function (backend) {
  this.timeout(20_000);
  let storage: Storage;
  let hub: ScriptedHub;
  let client: CallbackClient;
  let sub: SourceSubscriber;
  let source: Source;
  let pushed: PushedDocument[];
  const clock = { now: new Date('2026-01-01T00:00:00Z') };
  const BASE = 'http://127.0.0.1:9/base';
  const forms = () => hub.bodies.map((b) => Object.fromEntries(new URLSearchParams(b)));

  function make(baseUrl: string | null = BASE): SourceSubscriber {
    return createSourceSubscriber({
      storage,
      client,
      baseUrl: baseUrl ?? undefined,
      log: silentLogger(),
      now: () => clock.now,
      ingestPush: async (_s, doc) => {
        pushed.push(doc);
        return { sourceId: source.id, slug: source.slug, outcome: 'modified', log: {} as never };
      },
    });
  }

  beforeEach(async () => {
    clock.now = new Date('2026-01-01T00:00:00Z');
    storage = await backend.open();
    source = await addSource(storage, 'src');
    hub = await scriptedHub();
    client = createCallbackClient({ timeoutMs: 2_000, userAgent: 't', allowPrivateNetworks: true, privateNetworkAllowlist: [] });
    pushed = [];
    sub = make();
  });
  afterEach(async () => {
    await sub.stop();
    await client.close();
    await hub.close();
  });

  const fetched = (s: SourceSubscriber, over: Partial<Parameters<SourceSubscriber['fetched']>[1]> = {}) =>
    s.fetched(source, { pushed: false, outcome: 'modified', itemsNew: 1, links: { hub: `${hub.origin}/hub`, self: 'https://src.example.com/self.xml' }, at: clock.now, ...over });

  async function verified(): Promise<string> {
    const row = (await storage.websub.getSourceSubscription(source.id))!;
    const challenge = 'c-' + Math.random().toString(36).slice(2);
    const v = await sub.verify(row.token, { 'hub.mode': 'subscribe', 'hub.topic': row.topic, 'hub.challenge': challenge, 'hub.lease_seconds': '86400' });
    assert.deepEqual(v, { status: 200, body: challenge });
    return row.token;
  }

  it('subscribes when a fetch discovers a hub: the self URL as topic, a callback under the base URL, a fresh secret', async () => {
    await fetched(sub);
    const [form] = forms();
    assert.equal(form?.['hub.mode'], 'subscribe');
    assert.equal(form?.['hub.topic'], 'https://src.example.com/self.xml');
    assert.match(form?.['hub.callback'] ?? '', /^http:\/\/127\.0\.0\.1:9\/base\/websub\/callback\/[A-Za-z0-9_-]{32}$/);
    assert.match(form?.['hub.secret'] ?? '', /^[0-9a-f]{64}$/);
    assert.equal(form?.['hub.lease_seconds'], '864000');
    assert.equal((await storage.websub.getSourceSubscription(source.id))?.state, 'requested');
  });

  it('does nothing without a base URL (nobody could call back), nor for a feed without a hub', async () => {
    await fetched(make(null));
    await fetched(sub, { links: {} });
    assert.deepEqual(forms(), []);
    assert.equal(await storage.websub.getSourceSubscription(source.id), undefined);
  });

  it('a hub that refuses the request leaves normal polling, with the reason', async () => {
    hub.routes.set('/hub', { status: 400, body: 'topic unknown' });
    await fetched(sub);
    const row = await storage.websub.getSourceSubscription(source.id);
    assert.equal(row?.state, 'failed');
    assert.match(row?.lastError ?? '', /HTTP 400: topic unknown/);
    assert.equal(await sub.pollFloor(source, clock.now), undefined);
  });

  it('verification: confirmed only for the pending subscribe to its topic (§5.3.1); a denial ends it (§5.2)', async () => {
    await fetched(sub);
    const row = (await storage.websub.getSourceSubscription(source.id))!;
    const cases = [
      { name: 'unknown token', token: 'nope', q: { 'hub.mode': 'subscribe', 'hub.topic': row.topic, 'hub.challenge': 'x' }, status: 404 },
      { name: 'other topic', token: row.token, q: { 'hub.mode': 'subscribe', 'hub.topic': 'https://other/', 'hub.challenge': 'x' }, status: 404 },
      { name: 'unsubscribe we never asked for', token: row.token, q: { 'hub.mode': 'unsubscribe', 'hub.topic': row.topic, 'hub.challenge': 'x' }, status: 404 },
      { name: 'no challenge', token: row.token, q: { 'hub.mode': 'subscribe', 'hub.topic': row.topic }, status: 404 },
    ];
    for (const c of cases) assert.equal((await sub.verify(c.token, c.q)).status, c.status, c.name);
    assert.equal((await storage.websub.getSourceSubscription(source.id))?.state, 'requested');
    await verified();
    const active = (await storage.websub.getSourceSubscription(source.id))!;
    assert.equal(active.state, 'active');
    assert.equal(active.leaseUntil, '2026-01-02T00:00:00.000Z');
    assert.equal(await sub.pollFloor(source, clock.now), '2026-01-02T00:00:00.000Z', 'polling waits for the lease end at most');
    assert.deepEqual(await sub.verify(row.token, { 'hub.mode': 'denied', 'hub.topic': row.topic, 'hub.reason': 'policy' }), { status: 200, body: '' });
    const denied = (await storage.websub.getSourceSubscription(source.id))!;
    assert.deepEqual({ state: denied.state, lastError: denied.lastError }, { state: 'failed', lastError: 'denied by the hub: policy' });
  });

  it('pushes: taken only with a valid signature (any §8 algorithm), ingested; others dropped and counted', async () => {
    await fetched(sub);
    const secret = forms()[0]!['hub.secret']!;
    const token = await verified();
    const body = Buffer.from('<rss/>');
    const sign = (alg: string, key: string) => `${alg}=${createHmac(alg, key).update(body).digest('hex')}`;
    const cases = [
      { name: 'sha256', sig: sign('sha256', secret), ok: true },
      { name: 'sha512', sig: sign('sha512', secret), ok: true },
      { name: 'wrong secret', sig: sign('sha256', 'guess'), ok: false },
      { name: 'unknown algorithm', sig: `md5=${'0'.repeat(32)}`, ok: false },
      { name: 'no signature', sig: undefined, ok: false },
    ];
    for (const c of cases) assert.equal((await sub.receive(token, c.sig, { body, contentType: 'application/rss+xml' })).status, 202, c.name);
    await sub.idle();
    assert.equal(pushed.length, 2);
    const row = (await storage.websub.getSourceSubscription(source.id))!;
    assert.deepEqual({ pushes: row.pushes, rejected: row.rejected }, { pushes: 2, rejected: 3 });
    assert.equal((await sub.receive('gone-token', sign('sha256', secret), { body })).status, 410);
  });

  it('a poll that finds stories the hub never pushed means the hub went quiet: back to normal polling', async () => {
    await fetched(sub);
    await verified();
    await fetched(sub, { itemsNew: 0 });
    assert.equal((await storage.websub.getSourceSubscription(source.id))?.state, 'active');
    await fetched(sub, { itemsNew: 2 });
    const row = (await storage.websub.getSourceSubscription(source.id))!;
    assert.equal(row.state, 'failed');
    assert.match(row.lastError ?? '', /had not pushed/);
    assert.equal(await sub.pollFloor(source, clock.now), undefined);
    // Six hours on, the next fetch that names the hub tries again.
    clock.now = new Date(clock.now.getTime() + 6 * 3_600_000);
    await fetched(sub, { itemsNew: 0 });
    assert.equal(forms().length, 2);
  });

  it('renews before the lease ends with a fresh secret on the same callback; pushes signed with either count until verified', async () => {
    await fetched(sub);
    const first = forms()[0]!;
    const token = await verified();
    clock.now = new Date('2026-01-01T22:00:00Z');
    await sub.maintain();
    assert.equal(forms().length, 1, 'not yet: 2 h before the end of the lease (renewal comes in the last hour)');
    clock.now = new Date('2026-01-01T23:30:00Z');
    await sub.maintain();
    await sub.maintain();
    assert.equal(forms().length, 2, 'renewed once');
    const second = forms()[1]!;
    assert.equal(second['hub.callback'], first['hub.callback']);
    assert.notEqual(second['hub.secret'], first['hub.secret']);
    const body = Buffer.from('x');
    const sig = (k: string) => `sha256=${createHmac('sha256', k).update(body).digest('hex')}`;
    await sub.receive(token, sig(first['hub.secret']!), { body });
    await sub.receive(token, sig(second['hub.secret']!), { body });
    await verified();
    await sub.receive(token, sig(first['hub.secret']!), { body });
    await sub.idle();
    const row = (await storage.websub.getSourceSubscription(source.id))!;
    assert.deepEqual({ pushes: row.pushes, rejected: row.rejected, state: row.state }, { pushes: 2, rejected: 1, state: 'active' });
    assert.equal(row.leaseUntil, '2026-01-02T23:30:00.000Z');
  });

  it('a request never verified fails after the timeout; a lease that ends unrenewed falls back to polling', async () => {
    await fetched(sub);
    clock.now = new Date(clock.now.getTime() + 601_000);
    await sub.maintain();
    assert.match((await storage.websub.getSourceSubscription(source.id))?.lastError ?? '', /did not verify/);
    clock.now = new Date(clock.now.getTime() + 6 * 3_600_000);
    hub.routes.set('/hub', { status: 202 });
    await fetched(sub, { itemsNew: 0 });
    await verified();
    clock.now = new Date(clock.now.getTime() + 86_400_000 + 1);
    await sub.maintain();
    const row = (await storage.websub.getSourceSubscription(source.id))!;
    assert.deepEqual({ state: row.state, lastError: row.lastError }, { state: 'failed', lastError: 'the lease ended before it was renewed' });
  });
});

interface ScriptedHub {
  origin: string;
  /** How each path answers (default 202). */
  routes: Map<string, { status: number; body?: string }>;
  /** Bodies of the subscription requests received, in order. */
  bodies: string[];
  close(): Promise<void>;
}

/** A hub that records subscription requests and answers as scripted. */
async function scriptedHub(): Promise<ScriptedHub> {
  const routes = new Map<string, { status: number; body?: string }>();
  const bodies: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST') bodies.push(Buffer.concat(chunks).toString());
      const c = routes.get(req.url ?? '') ?? { status: 202 };
      res.writeHead(c.status).end(c.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    routes,
    bodies,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
