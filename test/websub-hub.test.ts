// The WebSub hub over real HTTP on loopback: requests, verification of intent, fan-out on commit,
// signatures, retries, leases and limits. The cases follow the hub conformance criteria of the
// W3C WebSub Recommendation (2018), the ones websub.rocks checks for hubs; each names its section.
import assert from 'node:assert/strict';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCallbackClient, type CallbackClient } from '../src/ingest/fetch.js';
import { silentLogger } from '../src/log.js';
import { CONTENT_TYPES, serializers } from '../src/publish/index.js';
import { createArticleService } from '../src/services/articles.js';
import { createChannelService } from '../src/services/channels.js';
import { createFeedService } from '../src/services/feeds.js';
import { createConsoleService } from '../src/services/console.js';
import { createLifecycleService, type LifecycleService } from '../src/services/lifecycle.js';
import { createPartnerService, type PartnerService } from '../src/services/partners.js';
import { createWebSubHub, retryDelayS, type HubLimits, type WebSubHub } from '../src/services/push.js';
import { createSourceService } from '../src/services/sources.js';
import type { RefreshService } from '../src/services/types.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import type { Storage } from '../src/storage/repos.js';
import { createHttpServer } from '../src/http/app.js';
import { createMetrics } from '../src/http/metrics.js';
import { ADMIN_TOKEN, addSource, articleInput, ingest, testConfig } from './http-fixtures.js';
import { consoleSession } from './support/console-session.js';
import { hubRequest, signatureValid, startSubscriber, type TestSubscriber } from './support/websub-subscriber.js';
import { validateJsonFeed11, xmllintOk, jingAtom, skipIfMissing } from './support/validators.js';
import { describeBackends } from './support/backends.js';

interface Harness {
  url: string;
  hubUrl: string;
  storage: Storage;
  hub: WebSubHub;
  partners: PartnerService;
  lifecycle: LifecycleService;
  sourceId: number;
  clock: { now: Date };
  close(): Promise<void>;
}

const noRefresh: RefreshService = {
  refreshSource: async () => {
    throw new Error('no refresh in these tests');
  },
  refreshDue: async () => [],
};

async function startHub(opts: { limits?: Partial<HubLimits>; allowPrivate?: boolean; allowlist?: string[]; storage?: Storage } = {}): Promise<Harness> {
  // A given storage is the test harness's: it closes it.
  const storage = opts.storage ?? openSqliteStorage({ path: ':memory:' });
  const src = await addSource(storage, 'wire');
  await ingest(storage, src.id, [articleInput('a1')]);
  const feeds = createFeedService({ storage, serializers, contentTypes: CONTENT_TYPES, cacheEntries: 100, version: '9.9.9' });
  const policy = { allowPrivateNetworks: opts.allowPrivate ?? true, allowlist: opts.allowlist ?? [] };
  const client: CallbackClient = createCallbackClient({ timeoutMs: 2_000, userAgent: 'wirefeed-test', allowPrivateNetworks: policy.allowPrivateNetworks, privateNetworkAllowlist: policy.allowlist });
  const clock = { now: new Date() };
  const partners = createPartnerService({ storage });
  const hub = createWebSubHub({ storage, feeds, partners, client, policy, log: silentLogger(), limits: opts.limits, now: () => clock.now, watchMs: 20, random: () => 0.5 });
  const lifecycle = createLifecycleService({ storage, now: () => new Date() });
  const server: http.Server = createHttpServer({
    config: testConfig(),
    log: silentLogger(),
    adminToken: ADMIN_TOKEN,
    feeds,
    sources: createSourceService({ storage, allowPrivateNetworks: false, privateNetworkAllowlist: [], fetchFeed: async () => Promise.reject(new Error('offline')) }),
    channels: createChannelService({ storage }),
    refresh: noRefresh,
    articles: createArticleService({ storage, now: () => new Date() }),
    partners,
    hub,
    lifecycle,
    console: createConsoleService({ storage, now: () => new Date() }),
    version: '9.9.9',
    health: async () => ({ ok: true }),
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    hubUrl: `${url}/websub`,
    storage,
    hub,
    partners,
    lifecycle,
    sourceId: src.id,
    clock,
    async close() {
      await hub.stop();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await client.close();
      await partners.close();
      if (!opts.storage) await storage.close();
    },
  };
}

async function subscribe(h: Harness, s: TestSubscriber, topic: string, extra: Record<string, string> = {}, callback = s.callback()): Promise<string> {
  s.intend('subscribe', topic);
  const res = await hubRequest(h.hubUrl, { 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': callback, ...extra });
  assert.equal(res.status, 202, res.text);
  await h.hub.idle();
  return callback;
}

describeBackends('WebSub hub', function (backend) {
  this.timeout(20_000);
  let h: Harness;
  let sub: TestSubscriber;
  const SECRET = 'a-subscriber-secret-0123456789';

  beforeEach(async () => {
    h = await startHub({ storage: await backend.open() });
    sub = await startSubscriber({ secret: SECRET });
  });
  afterEach(async () => {
    await h.close();
    await sub.close();
  });

  describe('discovery (§4)', () => {
    it('every feed format advertises the hub and its self URL in Link headers and in the document', async () => {
      const cases = [
        { name: 'rss', re: /<atom:link href="([^"]+)\/websub" rel="hub"\/>/ },
        { name: 'atom', re: /<link rel="hub" href="([^"]+)\/websub"\/>/ },
        { name: 'json', re: /"hubs": \[\s*\{\s*"type": "WebSub",\s*"url": "([^"]+)\/websub"/ },
      ];
      for (const c of cases) {
        for (const lane of ['render', 'cache']) {
          const res = await fetch(`${h.url}/feeds/sources/wire.${c.name}`);
          assert.equal(res.status, 200);
          assert.equal(res.headers.get('link'), `<${h.hubUrl}>; rel="hub", <${h.url}/feeds/sources/wire.${c.name}>; rel="self"`, `${c.name} ${lane}`);
          const body = await res.text();
          assert.equal(c.re.exec(body)?.[1], h.url, `${c.name} ${lane}`);
          if (c.name === 'json') assert.equal(validateJsonFeed11(JSON.parse(body)).status, 'ok');
        }
      }
      const notModified = await fetch(`${h.url}/feeds/all.atom`, { headers: { 'if-none-match': '*' } });
      assert.equal(notModified.status, 304);
      assert.match(notModified.headers.get('link') ?? '', /rel="hub"/);
    });

    it('the outputs with hub links stay valid (xmllint, Atom RELAX NG)', async function () {
      const atom = await (await fetch(`${h.url}/feeds/all.atom`)).text();
      const rss = await (await fetch(`${h.url}/feeds/all.rss`)).text();
      for (const check of [xmllintOk(atom), xmllintOk(rss), jingAtom(atom)]) {
        skipIfMissing(this, check);
        assert.equal(check.status, 'ok', 'message' in check ? check.message : '');
      }
    });
  });

  describe('subscription requests (§5.1, §5.1.2): refused at once with a 4xx and a plain-text reason, nothing verified', () => {
    const long = 'x'.repeat(200);
    const cases: { name: string; form: (h: Harness, s: TestSubscriber) => Record<string, string>; status: number; says: RegExp; contentType?: string }[] = [
      { name: 'no hub.mode', form: (h, s) => ({ 'hub.topic': `${h.url}/feeds/all.json`, 'hub.callback': s.callback() }), status: 400, says: /hub\.mode is required/ },
      { name: 'unknown hub.mode', form: (h, s) => ({ 'hub.mode': 'publish', 'hub.topic': `${h.url}/feeds/all.json`, 'hub.callback': s.callback() }), status: 400, says: /subscribe" or "unsubscribe/ },
      { name: 'no hub.callback', form: (h) => ({ 'hub.mode': 'subscribe', 'hub.topic': `${h.url}/feeds/all.json` }), status: 400, says: /hub\.callback is required/ },
      { name: 'callback not http(s)', form: (h) => ({ 'hub.mode': 'subscribe', 'hub.topic': `${h.url}/feeds/all.json`, 'hub.callback': 'ftp://127.0.0.1/x' }), status: 400, says: /scheme ftp/ },
      { name: 'callback with credentials', form: (h, s) => ({ 'hub.mode': 'subscribe', 'hub.topic': `${h.url}/feeds/all.json`, 'hub.callback': s.callback().replace('http://', 'http://u:p@') }), status: 400, says: /user name or password/ },
      { name: 'no hub.topic', form: (_h, s) => ({ 'hub.mode': 'subscribe', 'hub.callback': s.callback() }), status: 400, says: /hub\.topic is required/ },
      { name: 'topic of another site', form: (_h, s) => ({ 'hub.mode': 'subscribe', 'hub.topic': 'http://other.example/feeds/all.json', 'hub.callback': s.callback() }), status: 400, says: /must be a feed of this hub, under http:\/\/127\.0\.0\.1:\d+\/feeds\//  },
      { name: 'topic that is not a feed', form: (h, s) => ({ 'hub.mode': 'subscribe', 'hub.topic': `${h.url}/api/sources`, 'hub.callback': s.callback() }), status: 400, says: /feed URL of this hub/ },
      { name: 'topic not in its rel=self form', form: (h, s) => ({ 'hub.mode': 'subscribe', 'hub.topic': `${h.url}/feeds/all.json?q=x&limit=5`, 'hub.callback': s.callback() }), status: 400, says: /all\.json\?limit=5&q=x/ },
      { name: 'topic with a bad query', form: (h, s) => ({ 'hub.mode': 'subscribe', 'hub.topic': `${h.url}/feeds/all.json?limt=5`, 'hub.callback': s.callback() }), status: 400, says: /unknown parameter/ },
      { name: 'unknown channel', form: (h, s) => ({ 'hub.mode': 'subscribe', 'hub.topic': `${h.url}/feeds/nope.json`, 'hub.callback': s.callback() }), status: 404, says: /no channel "nope"/ },
      { name: 'secret of 200 bytes', form: (h, s) => ({ 'hub.mode': 'subscribe', 'hub.topic': `${h.url}/feeds/all.json`, 'hub.callback': s.callback(), 'hub.secret': long }), status: 400, says: /less than 200 bytes/ },
      { name: 'secret of 100 two-byte characters', form: (h, s) => ({ 'hub.mode': 'subscribe', 'hub.topic': `${h.url}/feeds/all.json`, 'hub.callback': s.callback(), 'hub.secret': 'é'.repeat(100) }), status: 400, says: /less than 200 bytes/ },
      { name: 'empty secret', form: (h, s) => ({ 'hub.mode': 'subscribe', 'hub.topic': `${h.url}/feeds/all.json`, 'hub.callback': s.callback(), 'hub.secret': '' }), status: 400, says: /must not be empty/ },
      { name: 'lease not a number', form: (h, s) => ({ 'hub.mode': 'subscribe', 'hub.topic': `${h.url}/feeds/all.json`, 'hub.callback': s.callback(), 'hub.lease_seconds': '1e5' }), status: 400, says: /positive whole number/ },
      { name: 'lease of zero', form: (h, s) => ({ 'hub.mode': 'subscribe', 'hub.topic': `${h.url}/feeds/all.json`, 'hub.callback': s.callback(), 'hub.lease_seconds': '0' }), status: 400, says: /positive whole number/ },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const form = c.form(h, sub);
        if (form['hub.topic']) sub.intend('subscribe', form['hub.topic']);
        const res = await hubRequest(h.hubUrl, form);
        assert.equal(res.status, c.status, res.text);
        assert.match(res.text, c.says);
        await h.hub.idle();
        assert.deepEqual(sub.verifications, []);
        assert.equal((await h.storage.websub.listSubscriptions()).length, 0);
      });
    }

    it('a body that is not form-encoded is a 415', async () => {
      const res = await fetch(h.hubUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"hub.mode":"subscribe"}' });
      assert.equal(res.status, 415);
    });

    it('a loopback callback is refused unless private networks are allowed or the host is allowlisted (the sources guard)', async () => {
      await h.close();
      for (const c of [
        { name: 'guard on', allowPrivate: false, allowlist: [] as string[], status: 400 },
        { name: 'allowlisted', allowPrivate: false, allowlist: [new URL(sub.origin).host], status: 202 },
      ]) {
        h = await startHub({ allowPrivate: c.allowPrivate, allowlist: c.allowlist, storage: await backend.open() });
        sub.intend('subscribe', `${h.url}/feeds/all.json`);
        const res = await hubRequest(h.hubUrl, { 'hub.mode': 'subscribe', 'hub.topic': `${h.url}/feeds/all.json`, 'hub.callback': sub.callback() });
        assert.equal(res.status, c.status, c.name);
        if (c.status === 400) assert.match(res.text, /WIREFEED_ALLOW_PRIVATE_NETWORKS/);
        await h.hub.idle();
        assert.equal((await h.storage.websub.listSubscriptions()).length, c.status === 202 ? 1 : 0, c.name);
        if (c.name !== 'allowlisted') await h.close();
      }
    });
  });

  describe('verification of intent (§5.3, §5.3.1)', () => {
    it('answers 202, then GETs the callback with mode, topic, challenge and the default lease of 10 days', async () => {
      const topic = `${h.url}/feeds/all.json`;
      const cb = await subscribe(h, sub, topic);
      assert.equal(sub.verifications.length, 1);
      const v = sub.verifications[0]!;
      assert.deepEqual({ mode: v.mode, topic: v.topic, lease: v.leaseSeconds, path: v.path }, { mode: 'subscribe', topic, lease: '864000', path: new URL(cb).pathname });
      assert.ok(v.challenge.length >= 16);
      const [s] = await h.storage.websub.listSubscriptions();
      assert.equal(s?.callback, cb);
      assert.equal(s?.leaseSeconds, 864000);
    });

    it('keeps a query string the callback already has', async () => {
      const topic = `${h.url}/feeds/all.json`;
      await subscribe(h, sub, topic, {}, `${sub.origin}/cb/with?token=abc`);
      const [s] = await h.storage.websub.listSubscriptions();
      assert.equal(s?.callback, `${sub.origin}/cb/with?token=abc`);
    });

    const leases = [
      { name: 'a short lease is raised to 5 minutes', asked: '10', got: 300 },
      { name: 'a lease within bounds is kept', asked: '3600', got: 3600 },
      { name: 'a lease over 30 days is cut to 30 days', asked: '999999999', got: 30 * 86400 },
    ];
    for (const c of leases) {
      it(`lease: ${c.name}`, async () => {
        await subscribe(h, sub, `${h.url}/feeds/all.json`, { 'hub.lease_seconds': c.asked });
        assert.equal(sub.verifications[0]?.leaseSeconds, String(c.got));
        const [s] = await h.storage.websub.listSubscriptions();
        assert.equal(s?.leaseSeconds, c.got);
        assert.equal(Date.parse(s!.expiresAt) - h.clock.now.getTime(), c.got * 1000);
      });
    }

    const failures: { name: string; setup: (s: TestSubscriber) => void }[] = [
      { name: 'the subscriber answers 404 (it did not ask)', setup: (s) => s.forget('subscribe', `${h.url}/feeds/all.json`) },
      { name: 'the body is not the challenge', setup: (s) => (s.verifyAnswer = 'wrong-echo') },
      { name: 'a 500', setup: (s) => (s.verifyAnswer = 500) },
      { name: 'a redirect', setup: (s) => (s.verifyAnswer = 302) },
    ];
    for (const f of failures) {
      it(`no subscription when ${f.name}`, async () => {
        const topic = `${h.url}/feeds/all.json`;
        sub.intend('subscribe', topic);
        f.setup(sub);
        const res = await hubRequest(h.hubUrl, { 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': sub.callback() });
        assert.equal(res.status, 202);
        await h.hub.idle();
        assert.equal(sub.verifications.length, 1);
        assert.equal((await h.storage.websub.listSubscriptions()).length, 0);
      });
    }

    it('a renewal is verified again: refused, the running subscription stays as it was; confirmed, its lease and secret are replaced', async () => {
      const topic = `${h.url}/feeds/all.json`;
      const cb = await subscribe(h, sub, topic, { 'hub.secret': 'old-secret', 'hub.lease_seconds': '3600' });
      const before = (await h.storage.websub.listSubscriptions())[0]!;
      sub.forget('subscribe', topic);
      await hubRequest(h.hubUrl, { 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': cb, 'hub.secret': 'new-secret', 'hub.lease_seconds': '7200' });
      await h.hub.idle();
      assert.equal(sub.verifications.length, 2);
      assert.deepEqual(await h.storage.websub.listSubscriptions(), [before]);
      h.clock.now = new Date(h.clock.now.getTime() + 60_000);
      await subscribe(h, sub, topic, { 'hub.secret': 'new-secret', 'hub.lease_seconds': '7200' }, cb);
      const after = await h.storage.websub.listSubscriptions();
      assert.equal(after.length, 1);
      assert.equal(after[0]!.id, before.id);
      assert.equal(after[0]!.secret, 'new-secret');
      assert.equal(after[0]!.leaseSeconds, 7200);
      assert.equal(after[0]!.expiresAt, new Date(h.clock.now.getTime() + 7200_000).toISOString());
    });

    it('unsubscribe is verified too: refused, nothing changes; confirmed, the subscription ends and nothing more is pushed', async () => {
      const topic = `${h.url}/feeds/sources/wire.json`;
      const cb = await subscribe(h, sub, topic);
      await hubRequest(h.hubUrl, { 'hub.mode': 'unsubscribe', 'hub.topic': topic, 'hub.callback': cb });
      await h.hub.idle();
      assert.equal(sub.verifications.at(-1)?.status, 404);
      assert.equal((await h.storage.websub.listSubscriptions()).length, 1);
      sub.intend('unsubscribe', topic);
      const res = await hubRequest(h.hubUrl, { 'hub.mode': 'unsubscribe', 'hub.topic': topic, 'hub.callback': cb });
      assert.equal(res.status, 202);
      await h.hub.idle();
      assert.deepEqual({ mode: sub.verifications.at(-1)?.mode, status: sub.verifications.at(-1)?.status }, { mode: 'unsubscribe', status: 200 });
      assert.equal((await h.storage.websub.listSubscriptions()).length, 0);
      await ingest(h.storage, h.sourceId, [articleInput('a2')]);
      await h.hub.checkTopics();
      await h.hub.deliverDue();
      assert.equal(sub.pushes.length, 0);
    });
  });

  describe('content distribution (§7, §8)', () => {
    it('a commit is pushed to each subscriber of a changed topic: full feed, its content type, Link headers, a valid signature', async () => {
      const topic = `${h.url}/feeds/sources/wire.atom`;
      const other = `${h.url}/feeds/nope-not-subscribed.json`;
      const cb = await subscribe(h, sub, topic, { 'hub.secret': SECRET });
      const plain = await startSubscriber();
      try {
        await subscribe(h, plain, topic);
        h.hub.start();
        await ingest(h.storage, h.sourceId, [articleInput('a2', { title: 'Fresh story' })]);
        const signed = await sub.waitFor(() => sub.pushes[0], 'signed push');
        const unsigned = await plain.waitFor(() => plain.pushes[0], 'unsigned push');
        assert.equal(signed.path, new URL(cb).pathname);
        assert.equal(signed.contentType, 'application/atom+xml; charset=utf-8');
        assert.equal(signed.link, `<${h.hubUrl}>; rel="hub", <${topic}>; rel="self"`);
        assert.match(signed.signature ?? '', /^sha256=[0-9a-f]{64}$/);
        assert.equal(signed.valid, true);
        // The full feed: the same bytes a GET of the topic returns now.
        assert.deepEqual(signed.body, Buffer.from(await (await fetch(topic)).arrayBuffer()));
        assert.match(signed.body.toString(), /Fresh story/);
        assert.equal(unsigned.signature, undefined);
        assert.deepEqual(unsigned.body, signed.body);
        assert.ok(!sub.pushes.some((p) => p.link?.includes(other)));
      } finally {
        await plain.close();
      }
    });

    it('a cursor topic (after=) receives only the items changed since the last push', async () => {
      const topic = `${h.url}/feeds/all.json?after=0`;
      await subscribe(h, sub, topic, { 'hub.secret': SECRET });
      await ingest(h.storage, h.sourceId, [articleInput('a2'), articleInput('a3')]);
      await h.hub.checkTopics();
      await h.hub.deliverDue();
      await ingest(h.storage, h.sourceId, [articleInput('a4')]);
      await h.hub.checkTopics();
      await h.hub.deliverDue();
      const titles = sub.pushes.map((p) => (JSON.parse(p.body.toString()) as { items: { title: string }[] }).items.map((i) => i.title));
      assert.deepEqual(titles, [['Story a2', 'Story a3'], ['Story a4']]);
      assert.ok(sub.pushes.every((p) => p.valid === true && p.link?.endsWith(`<${topic}>; rel="self"`)));
    });

    it('kills and corrections are pushed like new stories: the plain feed without the killed story, the cursor topic its tombstone', async () => {
      const plain = `${h.url}/feeds/sources/wire.json`;
      const cursor = `${h.url}/feeds/sources/wire.json?after=0`;
      await subscribe(h, sub, plain, { 'hub.secret': SECRET });
      await subscribe(h, sub, cursor, { 'hub.secret': SECRET });
      await ingest(h.storage, h.sourceId, [articleInput('a2')]);
      await h.hub.checkTopics();
      await h.hub.deliverDue();
      assert.equal(sub.pushes.length, 2);
      const [a1] = await h.storage.articles.query({ limit: 1, sourceIds: [h.sourceId], q: 'a1' });
      await h.lifecycle.act(a1!.id, 'correct', { reason: 'Spelling', correction: { title: 'Story a1, corrected' } });
      await h.hub.checkTopics();
      await h.hub.deliverDue();
      const corrected = sub.pushes.slice(2).map((p) => p.body.toString());
      assert.equal(corrected.length, 2);
      assert.ok(corrected.every((b) => b.includes('Story a1, corrected')));
      await h.lifecycle.act(a1!.id, 'kill', { reason: 'Legal' });
      await h.hub.checkTopics();
      await h.hub.deliverDue();
      const killed = sub.pushes.slice(4);
      assert.equal(killed.length, 2);
      const byTopic = new Map(killed.map((p) => [/<([^>]+)>; rel="self"/.exec(p.link ?? '')![1], JSON.parse(p.body.toString()) as { items: { id: string; title?: string; _deleted?: unknown }[] }]));
      assert.deepEqual(byTopic.get(plain)!.items.map((i) => i.title), ['Story a2']);
      const tomb = byTopic.get(cursor)!.items;
      assert.equal(tomb.length, 1);
      assert.ok(JSON.stringify(tomb[0]).includes('Legal'), JSON.stringify(tomb[0]));
    });

    it('a write that changes no topic pushes nothing', async () => {
      await subscribe(h, sub, `${h.url}/feeds/sources/wire.json`);
      const other = await addSource(h.storage, 'other');
      await ingest(h.storage, other.id, [articleInput('b1')]);
      await h.hub.checkTopics();
      await h.hub.deliverDue();
      assert.equal(sub.pushes.length, 0);
    });

    it('a forged push is told apart by its signature (what the subscriber checks, §8)', () => {
      const body = Buffer.from('<feed/>');
      assert.equal(signatureValid(SECRET, `sha256=${'0'.repeat(64)}`, body), false);
      assert.equal(signatureValid('other', `sha256=${'0'.repeat(64)}`, body), false);
    });

    it('a failing callback is retried with backoff until it answers 2xx, and counted', async () => {
      const topic = `${h.url}/feeds/sources/wire.json`;
      await subscribe(h, sub, topic, { 'hub.secret': SECRET });
      sub.failNext = [500, 503];
      await ingest(h.storage, h.sourceId, [articleInput('a2')]);
      await h.hub.checkTopics();
      await h.hub.deliverDue();
      await h.hub.deliverDue(); // not due yet: nothing is sent
      assert.equal(sub.pushes.length, 1);
      h.clock.now = new Date(h.clock.now.getTime() + retryDelayS(1, () => 0.5) * 1000);
      await h.hub.deliverDue();
      assert.equal(sub.pushes.length, 2);
      h.clock.now = new Date(h.clock.now.getTime() + retryDelayS(2, () => 0.5) * 1000);
      await h.hub.deliverDue();
      assert.equal(sub.pushes.length, 3);
      assert.ok(sub.pushes.every((p) => p.valid === true));
      const [s] = (await h.hub.list()).subscriptions;
      assert.deepEqual({ delivered: s?.delivered, failedAttempts: s?.failedAttempts, dropped: s?.dropped, pending: await h.storage.websub.pendingDeliveries() }, { delivered: 1, failedAttempts: 2, dropped: 0, pending: 0 });
    });

    it('retries stop after the retry window (hours), counted as dropped', async () => {
      const topic = `${h.url}/feeds/sources/wire.json`;
      await subscribe(h, sub, topic);
      sub.failNext = Array(100).fill(500);
      await ingest(h.storage, h.sourceId, [articleInput('a2')]);
      await h.hub.checkTopics();
      const start = h.clock.now.getTime();
      for (let i = 0; i < 40 && (await h.storage.websub.pendingDeliveries()) > 0; i++) {
        await h.hub.deliverDue();
        const next = await h.storage.websub.nextDeliveryAt();
        if (next) h.clock.now = new Date(next);
      }
      const [s] = (await h.hub.list()).subscriptions;
      assert.equal(s?.dropped, 1);
      assert.equal(s?.delivered, 0);
      const hours = (h.clock.now.getTime() - start) / 3_600_000;
      assert.ok(hours > 6 && hours <= 12, `gave up after ${hours.toFixed(1)} h`);
      assert.ok(sub.pushes.length >= 8 && sub.pushes.length <= 15, `${sub.pushes.length} attempts`);
    });
  });

  describe('partner topics', () => {
    async function premium(): Promise<{ topic: string; key: string; otherKey: string }> {
      await h.storage.channels.create({ slug: 'premium', title: 'Premium', filter: { sourceIds: [h.sourceId] }, visibility: 'partners', now: new Date().toISOString() });
      await h.partners.create({ slug: 'planet', name: 'Daily Planet', channels: ['premium'] });
      await h.partners.create({ slug: 'bugle', name: 'Daily Bugle', channels: [] });
      return { topic: `${h.url}/feeds/premium.json`, key: (await h.partners.createKey('planet')).key, otherKey: (await h.partners.createKey('bugle')).key };
    }

    async function ask(topic: string, key: string | undefined, how: 'header' | 'query' = 'header') {
      sub.intend('subscribe', topic);
      const url = key && how === 'query' ? `${h.hubUrl}?key=${encodeURIComponent(key)}` : h.hubUrl;
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(key && how === 'header' ? { authorization: `Bearer ${key}` } : {}) },
        body: new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': sub.callback(), 'hub.secret': SECRET }).toString(),
      });
      const text = await res.text();
      await h.hub.idle();
      return { status: res.status, text };
    }

    it('a partners-only topic needs the partner key of an entitled partner to subscribe', async () => {
      const { topic, key, otherKey } = await premium();
      const cases = [
        { name: 'no key', key: undefined, status: 401, says: /partner key/ },
        { name: 'unknown key', key: 'wf_live_' + 'A'.repeat(32), status: 401, says: /not valid/ },
        { name: 'key of a partner not entitled', key: otherKey, status: 403, says: /not entitled/ },
        { name: 'entitled key in the header', key, status: 202, says: /accepted/ },
      ];
      for (const c of cases) {
        const res = await ask(topic, c.key);
        assert.equal(res.status, c.status, c.name);
        assert.match(res.text, c.says, c.name);
        assert.ok(!res.text.includes(key) && !res.text.includes(otherKey), 'no key in the answer');
      }
      assert.equal(sub.verifications.length, 1);
      const subs = await h.storage.websub.listSubscriptions();
      assert.equal(subs.length, 1);
      assert.match(subs[0]!.keyId ?? '', /^key_/);
      assert.ok(!JSON.stringify(subs).includes(key), 'the key itself is not stored');
      assert.equal((await ask(topic, key, 'query')).status, 202, 'entitled key as ?key=');
    });

    it('pushes go out while the key is valid and stop when it is revoked (the subscription ends)', async () => {
      const { topic, key } = await premium();
      assert.equal((await ask(topic, key)).status, 202);
      await ingest(h.storage, h.sourceId, [articleInput('p1', { title: 'Partner story' })]);
      await h.hub.checkTopics();
      await h.hub.deliverDue();
      assert.equal(sub.pushes.length, 1);
      assert.equal(sub.pushes[0]!.valid, true);
      assert.match(sub.pushes[0]!.body.toString(), /Partner story/);
      const [k] = await h.partners.listKeys('planet');
      await h.partners.revokeKey('planet', k!.keyId);
      await ingest(h.storage, h.sourceId, [articleInput('p2')]);
      await h.hub.checkTopics();
      await h.hub.deliverDue();
      assert.equal(sub.pushes.length, 1);
      assert.equal((await h.storage.websub.listSubscriptions()).length, 0);
    });

    it('a public topic made partners-only stops reaching anonymous subscribers', async () => {
      await h.storage.channels.create({ slug: 'open', title: 'Open', filter: { sourceIds: [h.sourceId] }, now: new Date().toISOString() });
      const topic = `${h.url}/feeds/open.json`;
      await subscribe(h, sub, topic);
      await h.storage.channels.update('open', { visibility: 'partners' });
      await ingest(h.storage, h.sourceId, [articleInput('p3')]);
      await h.hub.checkTopics();
      await h.hub.deliverDue();
      assert.equal(sub.pushes.length, 0);
      assert.equal((await h.storage.websub.listSubscriptions()).length, 0);
    });
  });

  describe('leases', () => {
    it('a subscription ends with its lease: dropped, nothing pushed after it (injected clock)', async () => {
      const topic = `${h.url}/feeds/sources/wire.json`;
      await subscribe(h, sub, topic, { 'hub.lease_seconds': '3600' });
      h.clock.now = new Date(h.clock.now.getTime() + 3599_000);
      await ingest(h.storage, h.sourceId, [articleInput('a2')]);
      await h.hub.checkTopics();
      await h.hub.deliverDue();
      assert.equal(sub.pushes.length, 1);
      h.clock.now = new Date(h.clock.now.getTime() + 1_000);
      await ingest(h.storage, h.sourceId, [articleInput('a3')]);
      await h.hub.checkTopics();
      await h.hub.deliverDue();
      assert.equal(sub.pushes.length, 1);
      assert.equal((await h.storage.websub.listSubscriptions()).length, 0);
    });

    it('a delivery still queued when the lease ends is dropped, not sent', async () => {
      await subscribe(h, sub, `${h.url}/feeds/sources/wire.json`, { 'hub.lease_seconds': '600' });
      sub.failNext = [500];
      await ingest(h.storage, h.sourceId, [articleInput('a2')]);
      await h.hub.checkTopics();
      await h.hub.deliverDue();
      h.clock.now = new Date(h.clock.now.getTime() + 601_000);
      await h.hub.deliverDue();
      assert.equal(sub.pushes.length, 1);
      assert.equal(await h.storage.websub.pendingDeliveries(), 0);
    });
  });

  describe('operations', () => {
    it('limits subscriptions per topic and per callback host with a 429; a renewal is never refused', async () => {
      await h.close();
      h = await startHub({ limits: { perTopic: 1, perCallbackHost: 2 }, storage: await backend.open() });
      const topic = `${h.url}/feeds/all.json`;
      const cb = await subscribe(h, sub, topic);
      const second = await hubRequest(h.hubUrl, { 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': sub.callback() });
      assert.equal(second.status, 429);
      assert.match(second.text, /this topic/);
      const renewal = await hubRequest(h.hubUrl, { 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': cb });
      assert.equal(renewal.status, 202);
      await subscribe(h, sub, `${h.url}/feeds/all.rss`);
      const third = await hubRequest(h.hubUrl, { 'hub.mode': 'subscribe', 'hub.topic': `${h.url}/feeds/all.atom`, 'hub.callback': sub.callback() });
      assert.equal(third.status, 429);
      assert.match(third.text, /callbacks on 127\.0\.0\.1:\d+/);
    });

    it('/metrics counts subscriptions, queued pushes and delivery outcomes', async () => {
      await subscribe(h, sub, `${h.url}/feeds/sources/wire.json`, { 'hub.secret': SECRET });
      sub.failNext = [500];
      await ingest(h.storage, h.sourceId, [articleInput('m1')]);
      await h.hub.checkTopics();
      await h.hub.deliverDue();
      const metrics = createMetrics({ storage: h.storage, feeds: () => undefined });
      const text = (await metrics.scrape()).body;
      for (const line of [
        'wirefeed_websub_subscriptions 1',
        'wirefeed_websub_pending_deliveries 1',
        'wirefeed_websub_deliveries{result="delivered"} 0',
        'wirefeed_websub_deliveries{result="failed_attempt"} 1',
        'wirefeed_websub_source_subscriptions{state="active"} 0',
      ])
        assert.ok(text.includes(line), line);
      assert.ok(!text.includes(SECRET));
    });

    it('the admin API lists subscriptions with their counters and never the secret', async () => {
      await subscribe(h, sub, `${h.url}/feeds/all.json`, { 'hub.secret': SECRET });
      const unauth = await fetch(`${h.url}/api/websub`);
      assert.equal(unauth.status, 401);
      const res = await fetch(`${h.url}/api/websub`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      const text = await res.text();
      assert.ok(!text.includes(SECRET));
      const body = JSON.parse(text) as { subscriptions: { topic: string; signed: boolean; delivered: number }[]; pendingDeliveries: number };
      assert.deepEqual(
        body.subscriptions.map((s) => ({ topic: s.topic, signed: s.signed, delivered: s.delivered })),
        [{ topic: `${h.url}/feeds/all.json`, signed: true, delivered: 0 }],
      );
      assert.equal(body.pendingDeliveries, 0);
    });

    it('the console lists subscriptions with their callback host only, never the secret or the callback path', async () => {
      const callback = await subscribe(h, sub, `${h.url}/feeds/all.json`, { 'hub.secret': SECRET });
      const cookie = await consoleSession(h.url, ADMIN_TOKEN);
      const res = await fetch(`${h.url}/admin/push`, { headers: { cookie } });
      assert.equal(res.status, 200);
      const page = await res.text();
      assert.match(page, /<title>Push \(WebSub\)/);
      assert.ok(page.includes(`${h.url}/feeds/all.json`), 'topic');
      assert.ok(page.includes(new URL(callback).host), 'callback host');
      assert.match(page, />signed</);
      assert.ok(!page.includes(SECRET), 'no secret');
      assert.ok(!page.includes(new URL(callback).pathname), 'no callback path');
      assert.match(page, /Off: subscribing to sources' hubs needs/);
    });
  });
});
