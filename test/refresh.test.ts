// The refresh service against real loopback feeds: each fetch outcome lands in the source's
// state and fetch log, and one broken or hung source never stops the others.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createFetcher } from '../src/ingest/fetch.js';
import { createFeedProcessor } from '../src/ingest/process.js';
import { silentLogger } from '../src/log.js';
import type { Source } from '../src/model/types.js';
import { createRefreshService } from '../src/services/refresh.js';
import { createSourceService } from '../src/services/sources.js';
import { PAUSE_AFTER_ERRORS } from '../src/services/schedule-policy.js';
import type { Storage } from '../src/storage/repos.js';
import { describeBackends } from './support/backends.js';
import { startFixtureServer, type FixtureServer } from './support/fixture-server.js';

const WIRE_RSS = readFileSync(new URL('./fixtures/wire/seed-story.rss.xml', import.meta.url));
const rss = (n: number) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>Feed ${n}</title><link>https://example.org/${n}</link><ttl>60</ttl>` +
  [1, 2].map((i) => `<item><title>Story ${n}.${i}</title><link>https://example.org/${n}/${i}</link><guid>s-${n}-${i}</guid><pubDate>Sat, 10 Jan 2026 1${i}:00:00 GMT</pubDate></item>`).join('') +
  `</channel></rss>`;
const XML = { 'content-type': 'application/rss+xml' };

describeBackends('refresh service', function (backend) {
  this.timeout(20_000);
  let storage: Storage;
  let fixture: FixtureServer;
  let fetcher: ReturnType<typeof createFetcher>;
  let processor: ReturnType<typeof createFeedProcessor>;
  let clock: Date;
  let refresh: ReturnType<typeof createRefreshService>;
  let sources: ReturnType<typeof createSourceService>;

  beforeEach(async () => {
    storage = await backend.open();
    fixture = await startFixtureServer();
    // Well under the hung route's 5 s, well over a cold first fetch on a loaded machine (the first
    // fetches of a run took 390–440 ms at load 12 on 2 cores, and 500 ms timed some out).
    fetcher = createFetcher({ timeoutMs: 2_000, maxBytes: 1 << 20, userAgent: 'wirefeed-test', allowPrivateNetworks: true, privateNetworkAllowlist: [] });
    processor = createFeedProcessor({ workerThresholdBytes: 1 << 20 });
    clock = new Date('2026-01-10T12:00:00Z');
    refresh = createRefreshService({
      storage,
      fetchFeed: fetcher.fetchFeed,
      processFeed: processor.process,
      log: silentLogger(),
      now: () => clock,
      random: () => 0.5,
      fetchConcurrency: 4,
      perHostConcurrency: 4,
      instanceId: 'test-refresh',
    });
    sources = createSourceService({ storage, allowPrivateNetworks: true, privateNetworkAllowlist: [], fetchFeed: fetcher.fetchFeed, now: () => clock });
  });
  afterEach(async () => {
    await fixture.close();
    await fetcher.close();
    await processor.close();
  });

  const add = (path: string, slug: string) => sources.add({ url: `${fixture.origin}${path}`, slug }, { discover: false });

  it('one broken, hung or hostile source never stops the others', async () => {
    for (let n = 1; n <= 6; n++) fixture.routes.set(`/ok${n}`, { headers: XML, body: rss(n) });
    fixture.routes.set('/500', { status: 500, body: 'oops' });
    fixture.routes.set('/malformed', { headers: XML, body: '<rss version="2.0"><channel><item><title>x</title></channel>' });
    fixture.routes.set('/hung', { headers: XML, body: rss(99), delayMs: 5_000 });
    fixture.routes.set('/html', { headers: { 'content-type': 'text/html' }, body: '<!doctype html><html><body>hi</body></html>' });
    const ok = [];
    for (let n = 1; n <= 6; n++) ok.push(await add(`/ok${n}`, `ok${n}`));
    for (const p of ['500', 'malformed', 'hung', 'html']) await add(`/${p}`, p);

    const outcomes = await refresh.refreshDue();
    assert.equal(outcomes.length, 10);
    assert.equal(await storage.articles.count(), 12, 'every healthy source stored its two stories');
    const bySlug = new Map(outcomes.map((o) => [o.slug, o]));
    const errors: [string, RegExp][] = [
      ['500', /HTTP 500/],
      ['malformed', /parse: malformed XML/],
      ['hung', /timed out/],
      ['html', /not a feed/],
    ];
    for (const [slug, re] of errors) {
      assert.equal(bySlug.get(slug)?.outcome, 'error', slug);
      assert.match(bySlug.get(slug)?.log.error ?? '', re, slug);
      const s = (await storage.sources.getBySlug(slug))!;
      assert.equal(s.errorCount, 1);
      assert.match(s.lastError ?? '', re);
      // Backoff from the 300 s minimum, with the ±10 % jitter at its midpoint.
      assert.equal(s.nextFetchAt, new Date(clock.getTime() + 300_000).toISOString());
    }
    const healthy = (await storage.sources.getBySlug('ok1'))!;
    assert.equal(healthy.errorCount, 0);
    assert.equal(healthy.title, 'Feed 1', 'title taken from the feed');
    // ttl 60 min beats the adaptive interval (half the hourly posting gap) and the minimum.
    assert.equal(healthy.nextFetchAt, new Date(clock.getTime() + 3600_000).toISOString());
  });

  it('a document whose parse outgrows the parse-worker heap fails that source alone, with the reason; the sources after it are stored', async function () {
    this.timeout(120_000);
    const item = (i: number) => `<item><guid>h-${i}</guid><title>Item ${i}</title><link>https://example.org/h/${i}</link><description>${'lorem ipsum '.repeat(20)}</description></item>`;
    const huge = `<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>${Array.from({ length: 20_000 }, (_, i) => item(i)).join('')}</channel></rss>`;
    fixture.routes.set('/huge', { headers: XML, body: huge });
    for (let n = 1; n <= 3; n++) fixture.routes.set(`/ok${n}`, { headers: XML, body: rss(n) });
    const big = createFetcher({ timeoutMs: 30_000, maxBytes: 16 << 20, userAgent: 'wirefeed-test', allowPrivateNetworks: true, privateNetworkAllowlist: [] });
    const small = createFeedProcessor({ workerThresholdBytes: 0, heapMb: 16 });
    try {
      // One at a time, the huge document first: each later source gets the replaced worker.
      const serial = createRefreshService({ storage, fetchFeed: big.fetchFeed, processFeed: small.process, log: silentLogger(), now: () => clock, random: () => 0.5, fetchConcurrency: 1, perHostConcurrency: 1, instanceId: 'test-heap' });
      const outcomes = [];
      for (const [path, slug] of [['/huge', 'huge'], ['/ok1', 'ok1'], ['/ok2', 'ok2'], ['/ok3', 'ok3']] as const) outcomes.push(await serial.refreshSource(await add(path, slug)));
      assert.deepEqual(outcomes.map((o) => o.outcome), ['error', 'modified', 'modified', 'modified']);
      assert.match(outcomes[0]!.log.error ?? '', /^parse: document too large to parse in 16 MiB \(\d+\.\d MiB body/);
      assert.match((await storage.sources.getBySlug('huge'))!.lastError ?? '', /too large to parse/);
      assert.equal(await storage.articles.count(), 6, 'the three sources after it stored their two stories each');
    } finally {
      await big.close();
      await small.close();
    }
  });

  it('stores validators, sends them back and treats 304 as success without writes', async () => {
    fixture.routes.set('/feed', { headers: { ...XML, etag: '"v1"', 'last-modified': 'Tue, 02 Dec 2025 10:00:00 GMT' }, body: rss(1) });
    const s = await add('/feed', 'feed');
    const first = await refresh.refreshSource(s);
    assert.equal(first.log.itemsNew, 2);
    fixture.routes.set('/feed', { status: 304, headers: { etag: '"v1"' } });
    const second = await refresh.refreshSource((await storage.sources.get(s.id))!);
    assert.equal(second.outcome, 'not-modified');
    assert.equal((await storage.sources.get(s.id))!.etag, '"v1"');
    assert.equal(await storage.articles.count(), 2);
  });

  it('an identical body is not parsed again; an unchanged item writes nothing; a corrected story is an update with a new seq', async () => {
    fixture.routes.set('/feed', { headers: XML, body: rss(1) });
    const s = await add('/feed', 'feed');
    await refresh.refreshSource(s);
    const before = await storage.articles.maxSeq();
    const same = await refresh.refreshSource((await storage.sources.get(s.id))!);
    assert.equal(same.outcome, 'not-modified');
    assert.ok(same.log.warnings.some((w) => w.startsWith('body unchanged')));
    assert.equal(await storage.articles.maxSeq(), before);
    // A different body whose items are the same: parsed, compared, nothing written.
    fixture.routes.set('/feed', { headers: XML, body: rss(1).replace('<ttl>60</ttl>', '<ttl>61</ttl>') });
    const reparsed = await refresh.refreshSource((await storage.sources.get(s.id))!);
    assert.deepEqual([reparsed.outcome, reparsed.log.itemsNew, reparsed.log.itemsUpdated, reparsed.log.itemsUnchanged], ['modified', 0, 0, 2]);
    assert.equal(await storage.articles.maxSeq(), before);
    fixture.routes.set('/feed', { headers: XML, body: rss(1).replace('Story 1.1', 'Story 1.1 (corrected)') });
    const upd = await refresh.refreshSource((await storage.sources.get(s.id))!);
    assert.deepEqual([upd.log.itemsNew, upd.log.itemsUpdated], [0, 1]);
    const page = await storage.articles.query({ after: before, limit: 10 });
    assert.deepEqual(page.map((a) => a.title), ['Story 1.1 (corrected)']);
  });

  it('follows status codes: 410 retires, 429 waits, 301 moves, 302 does not', async () => {
    fixture.routes.set('/gone', { status: 410 });
    fixture.routes.set('/busy', { status: 429, headers: { 'retry-after': '120' } });
    fixture.routes.set('/old', { status: 301, headers: { location: '/new' } });
    fixture.routes.set('/temp', { status: 302, headers: { location: '/new' } });
    fixture.routes.set('/new', { headers: XML, body: rss(2) });
    const gone = await refresh.refreshSource(await add('/gone', 'gone'));
    assert.equal(gone.outcome, 'gone');
    assert.equal((await storage.sources.getBySlug('gone'))!.status, 'gone');
    const busy = await refresh.refreshSource(await add('/busy', 'busy'));
    assert.equal(busy.outcome, 'retry-later');
    // Retry-After 120 s is honoured whatever the wall clock (the fetcher measures from its own now).
    assert.ok(Date.parse((await storage.sources.getBySlug('busy'))!.nextFetchAt) > Date.now() + 100_000);
    const moved = await refresh.refreshSource(await add('/old', 'old'));
    assert.equal(moved.outcome, 'modified');
    assert.equal((await storage.sources.getBySlug('old'))!.url, `${fixture.origin}/new`);
    assert.ok(moved.log.warnings.some((w) => w.includes('moved permanently')));
    await refresh.refreshSource(await add('/temp', 'temp'));
    assert.equal((await storage.sources.getBySlug('temp'))!.url, `${fixture.origin}/temp`);
    const due = await refresh.refreshDue();
    assert.ok(!due.some((o) => o.slug === 'gone'), 'a gone source is never fetched again');
  });

  it('pauses a source after a long failure streak, visibly, and resumes it on request', async () => {
    fixture.routes.set('/broken', { status: 500 });
    const s = await add('/broken', 'broken');
    await storage.sources.update(s.id, { errorCount: PAUSE_AFTER_ERRORS - 1 });
    await refresh.refreshSource((await storage.sources.get(s.id))!);
    const paused = (await storage.sources.get(s.id))!;
    assert.equal(paused.status, 'paused');
    assert.match(paused.statusReason ?? '', /paused after 20 consecutive failures/);
    assert.equal((await refresh.refreshDue()).length, 0);
    const resumed = await sources.update(s.id, { status: 'active' });
    assert.deepEqual([resumed.status, resumed.errorCount], ['active', 0]);
  });

  it('adding a web page subscribes to the best feed it links', async () => {
    fixture.routes.set('/page', {
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: '<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="/wire.rss"><link rel="alternate" type="application/feed+json" href="/wire.json"></head></html>',
    });
    fixture.routes.set('/wire.rss', { headers: XML, body: WIRE_RSS });
    const s = await sources.add({ url: `${fixture.origin}/page` });
    assert.equal(s.url, `${fixture.origin}/wire.json`);
    fixture.routes.set('/nofeed', { headers: { 'content-type': 'text/html' }, body: '<!doctype html><html><head></head></html>' });
    await assert.rejects(sources.add({ url: `${fixture.origin}/nofeed` }), /links no feed/);
  });

  it('a due-run larger than one batch refreshes every due source exactly once', async function () {
    this.timeout(60_000);
    const n = 1100; // more than two batches of 500
    fixture.routes.set('/tiny', { status: 304 });
    const t = clock.toISOString();
    for (let i = 0; i < n; i++) await storage.sources.create({ url: `${fixture.origin}/tiny?${i}`, slug: `t${i}`, nextFetchAt: t, now: t });
    for (let i = 0; i < n; i++) fixture.routes.set(`/tiny?${i}`, { status: 304 });
    const outcomes = await refresh.refreshDue();
    assert.equal(outcomes.length, n);
    assert.equal(new Set(outcomes.map((o) => o.sourceId)).size, n);
    assert.ok(outcomes.every((o) => o.outcome === 'not-modified'));
    assert.equal((await refresh.refreshDue()).length, 0, 'nothing is due any more');
  });

  it('a fetch slot is free again once its request is over: the next fetch does not wait for the processing', async () => {
    for (const n of [1, 2]) fixture.routes.set(`/slot${n}`, { headers: XML, body: rss(n) });
    const list = [await add('/slot1', 'slot1'), await add('/slot2', 'slot2')];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const requested: string[] = [];
    let processed = 0;
    // A deadline that a loaded machine cannot miss: this test is about order, not time.
    const patient = createFetcher({ timeoutMs: 10_000, maxBytes: 1 << 20, userAgent: 'wirefeed-test', allowPrivateNetworks: true, privateNetworkAllowlist: [] });
    const oneSlot = createRefreshService({
      storage,
      fetchFeed: (req, signal) => (requested.push(req.url), patient.fetchFeed(req, signal)),
      processFeed: async (body, opts) => {
        if (++processed === 1) await held;
        return processor.process(body, opts);
      },
      log: silentLogger(),
      now: () => clock,
      random: () => 0.5,
      fetchConcurrency: 1,
      perHostConcurrency: 1,
      instanceId: 'test-one-slot',
    });
    const run = oneSlot.refreshMany(list);
    for (let i = 0; i < 500 && requested.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(requested, list.map((s) => s.url), 'the second source was fetched while the first was held in processing');
    release();
    const outcomes = await run;
    await patient.close();
    assert.deepEqual(outcomes.map((o) => [o.slug, o.outcome]), [['slot1', 'modified'], ['slot2', 'modified']]);
    assert.equal(await storage.articles.count(), 4);
  });

  it('caps concurrency per host while refreshing many sources', async () => {
    let active = 0;
    let peak = 0;
    const http = await import('node:http');
    const server = http.createServer((req, res) => {
      active++;
      peak = Math.max(peak, active);
      setTimeout(() => {
        active--;
        res.writeHead(200, XML).end(rss(Number(req.url!.slice(1))));
      }, 30);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const limited = createRefreshService({ storage, fetchFeed: fetcher.fetchFeed, processFeed: processor.process, log: silentLogger(), fetchConcurrency: 8, perHostConcurrency: 2, instanceId: 'test-limited' });
    const list: Source[] = [];
    for (let n = 1; n <= 10; n++) list.push(await sources.add({ url: `http://127.0.0.1:${port}/${n}`, slug: `h${n}` }, { discover: false }));
    await limited.refreshMany(list);
    server.close();
    assert.equal(peak, 2);
    assert.equal(await storage.articles.count(), 20);
  });
});
