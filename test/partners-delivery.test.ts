// Partners, part two, over real HTTP: quotas with the IETF RateLimit headers and 429, rights
// policy and editor's notes on the seed wire story in all three formats (parsed back and
// validated), and the delivery log with its JSON and CSV reports.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createFeedProcessor } from '../src/ingest/process.js';
import type { ArticleInput, FeedFormat } from '../src/model/types.js';
import type { Storage } from '../src/storage/repos.js';
import { readers } from './fixtures/publish/read-back.js';
import { ADMIN_TOKEN, addSource, articleInput, ingest, photo, startServer, type TestServer } from './http-fixtures.js';
import { feedparserRead, jingAtom, skipIfMissing, validateJsonFeed11, xmllintOk } from './support/validators.js';
import { describeBackends } from './support/backends.js';

const FORMATS: FeedFormat[] = ['rss', 'atom', 'json'];
const WIRE = new URL('./fixtures/wire/', import.meta.url);
const EDNOTE = 'CREDIT MANDATORY, NO ARCHIVE';
/** A fixed clock, mid-minute, for quotas (windows are aligned to the epoch). */
const NOW = Date.parse('2025-12-04T10:00:20.000Z');

async function admin(srv: TestServer, method: string, p: string, body?: unknown) {
  const r = await fetch(srv.url + p, {
    method,
    headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  return { status: r.status, headers: r.headers, text, json: text && r.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
}

async function get(srv: TestServer, p: string, key?: string, headers: Record<string, string> = {}) {
  const r = await fetch(srv.url + p, { headers: { ...headers, ...(key ? { Authorization: `Bearer ${key}` } : {}) } });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

async function partner(srv: TestServer, body: Record<string, unknown>): Promise<string> {
  const p = await admin(srv, 'POST', '/api/partners', { name: `Partner ${String(body.slug)}`, channels: [], ...body });
  assert.equal(p.status, 201, p.text);
  return (await admin(srv, 'POST', `/api/partners/${String(body.slug)}/keys`)).json.key as string;
}

/** The seed story as the JSON Feed reader stores it, plus an editor's note in `_ednote`. */
async function seedStory(): Promise<ArticleInput> {
  const doc = JSON.parse(readFileSync(new URL('seed-story.feed.json', WIRE), 'utf8')) as { items: Record<string, unknown>[] };
  doc.items[0]!._ednote = { text: EDNOTE };
  const processor = createFeedProcessor({ workerThresholdBytes: 1 << 30 });
  try {
    const feed = await processor.process(Buffer.from(JSON.stringify(doc)), {
      documentUrl: 'https://wire.example.com/world/feed.json',
      now: '2025-12-04T00:00:00.000Z',
      contentType: 'application/feed+json',
    });
    return feed.items[0]!;
  } finally {
    await processor.close();
  }
}

function validate(ctx: Mocha.Context, format: FeedFormat, body: string): void {
  if (format === 'json') {
    const c = validateJsonFeed11(JSON.parse(body));
    assert.equal(c.status === 'invalid' ? c.message : c.status, c.status === 'missing' ? 'missing' : 'ok');
    return;
  }
  const lint = xmllintOk(body);
  skipIfMissing(ctx, lint);
  assert.equal(lint.status, 'ok', lint.status === 'invalid' ? lint.message : '');
  if (format === 'atom') {
    const jing = jingAtom(body);
    if (jing.status !== 'missing') assert.equal(jing.status, 'ok', jing.status === 'invalid' ? jing.message : '');
  }
  const fp = feedparserRead(body);
  if (fp.status === 'ok') assert.equal(fp.summary.bozo, 0, fp.summary.bozo_exception ?? '');
}

describeBackends('partners: quotas', function (backend) {
  this.timeout(20_000);
  let srv: TestServer;
  let clock = NOW;
  beforeEach(async () => {
    clock = NOW;
    srv = await startServer({ storage: await backend.open(), overrides: { now: () => clock } });
    const s = await addSource(srv.storage, 'wire');
    await ingest(srv.storage, s.id, [articleInput('a'), articleInput('b'), articleInput('c')]);
  });
  afterEach(() => srv.close());

  it('announces the policy, counts every request (304s too) and answers 429 with Retry-After past it', async () => {
    const key = await partner(srv, { slug: 'p1', rateLimit: { requests: 3, perSeconds: 60 } });
    const first = await get(srv, '/feeds/all.json', key);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('ratelimit-policy'), '"requests";q=3;w=60');
    assert.equal(first.headers.get('ratelimit'), '"requests";r=2;t=40');
    assert.match(first.headers.get('access-control-expose-headers') ?? '', /RateLimit/);
    const etag = first.headers.get('etag')!;
    const notModified = await get(srv, '/feeds/all.json', key, { 'If-None-Match': etag });
    assert.equal(notModified.status, 304, 'cached path');
    assert.equal(notModified.headers.get('ratelimit'), '"requests";r=1;t=40', 'a 304 counts');
    clock += 5000;
    assert.equal((await get(srv, '/feeds/all.rss', key)).headers.get('ratelimit'), '"requests";r=0;t=35');
    const over = await get(srv, '/feeds/all.json', key);
    assert.equal(over.status, 429);
    assert.equal(over.headers.get('retry-after'), '35');
    assert.equal(over.headers.get('ratelimit'), '"requests";r=0;t=35');
    assert.equal(JSON.parse(over.text).error.code, 'rate_limited');
    assert.equal((await get(srv, '/feeds/all.json')).status, 200, 'anonymous readers are not limited by a partner');
    const otherKey = await partner(srv, { slug: 'p2', rateLimit: { requests: 3, perSeconds: 60 } });
    assert.equal((await get(srv, '/feeds/all.json', otherKey)).status, 200, 'quotas are per partner');
    clock += 35_000;
    const next = await get(srv, '/feeds/all.json', key);
    assert.equal(next.status, 200, 'a new window');
    assert.equal(next.headers.get('ratelimit'), '"requests";r=2;t=60');
  });

  it('the default policy applies without a rateLimit, and anonymous responses carry no RateLimit headers', async () => {
    const key = await partner(srv, { slug: 'p1' });
    assert.equal((await get(srv, '/feeds/all.json', key)).headers.get('ratelimit-policy'), '"requests";q=600;w=60');
    assert.equal((await get(srv, '/feeds/all.json')).headers.get('ratelimit-policy'), null);
  });

  it('items per day: 429 until UTC midnight once used up, and the count survives a restart (rebuilt from the delivery log)', async () => {
    const key = await partner(srv, { slug: 'p1', rateLimit: { requests: 100, perSeconds: 60, itemsPerDay: 4 } });
    const first = await get(srv, '/feeds/all.json', key);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('ratelimit-policy'), '"requests";q=100;w=60, "items";q=4;w=86400;qu="items"');
    assert.equal((await get(srv, '/feeds/all.json?limit=1', key)).status, 200, '3 of 4 used: one more response may go');
    const over = await get(srv, '/feeds/all.json?limit=1', key);
    assert.equal(over.status, 429);
    const midnight = Math.ceil((Date.parse('2025-12-05T00:00:00Z') - clock) / 1000);
    assert.equal(over.headers.get('retry-after'), String(midnight));
    assert.match(over.headers.get('ratelimit') ?? '', /"items";r=0;t=\d+/);

    // A restart: a new server over the same database knows today's deliveries.
    await srv.deliveries!.flush();
    const again = await startServer({ storage: srv.storage, overrides: { now: () => clock } });
    try {
      assert.equal((await get(again, '/feeds/all.json?limit=1', key)).status, 429);
    } finally {
      await again.close();
    }
    clock = Date.parse('2025-12-05T00:00:01Z');
    assert.equal((await get(srv, '/feeds/all.json?limit=1', key)).status, 200, 'a new day');
  });

  it('403s count too and carry the headers', async () => {
    await admin(srv, 'POST', '/api/channels', { slug: 'premium', title: 'Premium', visibility: 'partners' });
    const key = await partner(srv, { slug: 'p1', rateLimit: { requests: 2, perSeconds: 60 } });
    const refused = await get(srv, '/feeds/premium.json', key);
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('ratelimit'), '"requests";r=1;t=40');
  });
});

describe('partners: rights policy and editor’s notes on the seed wire story', function () {
  this.timeout(30_000);
  let srv: TestServer;
  let story: ArticleInput;
  const keys: Record<string, string> = {};
  const photoUrl = 'https://images.wire.example.com/2025/08/06/putin-witkoff-kremlin.jpg';

  before(async () => {
    story = await seedStory();
    assert.equal(story.ednote, EDNOTE, 'the _ednote extension is read');
    srv = await startServer();
    const wire = await addSource(srv.storage, 'wire');
    await ingest(srv.storage, wire.id, [
      story,
      // A photo without any credit: held back where credit is required.
      articleInput('uncredited', { title: 'Uncredited photo story', assets: [photo('https://img.example.com/x.jpg', { credit: undefined, rights: 'Free to use' })] }),
    ]);
    keys.strict = await partner(srv, { slug: 'strict', rightsPolicy: { excludeAssetsMatching: ['NO MARKETING'], requireCredit: true, creditLine: 'prepend' } });
    keys.plain = await partner(srv, { slug: 'plain' });
  });
  after(() => srv.close());

  for (const format of FORMATS) {
    it(`${format}: public output keeps the photo and never carries the note`, async function () {
      const r = await get(srv, `/feeds/sources/wire.${format}`);
      validate(this, format, r.text);
      assert.ok(!r.text.includes('NO ARCHIVE'));
      const item = readers[format](r.text).items.find((i) => i.title?.startsWith('US Envoy'))!;
      assert.ok(item.assets.some((a) => a.url === photoUrl));
      assert.ok(item.contentHtml?.includes(photoUrl));
    });

    it(`${format}: a partner without a policy gets the story whole, with the editor's note`, async function () {
      const r = await get(srv, `/feeds/sources/wire.${format}`, keys.plain);
      validate(this, format, r.text);
      const item = readers[format](r.text).items.find((i) => i.title?.startsWith('US Envoy'))!;
      assert.ok(item.assets.some((a) => a.url === photoUrl && a.credit === 'Kremlin Press Office / Handout/Anadolu via Getty Images'));
      if (format === 'json') assert.deepEqual(JSON.parse(r.text).items.find((i: { title: string }) => i.title.startsWith('US Envoy'))._ednote, { text: EDNOTE });
      else assert.ok(r.text.includes(`<nar:edNote xmlns:nar="http://iptc.org/std/nar/2006-10-01/">${EDNOTE}</nar:edNote>`));
      assert.ok(r.text.includes('Uncredited photo story'), 'no policy, nothing held back');
    });

    it(`${format}: "NO MARKETING" drops the photo (and its figure in the body), the credit line is written, uncredited items are held back`, async function () {
      const r = await get(srv, `/feeds/sources/wire.${format}`, keys.strict);
      assert.equal(r.status, 200);
      validate(this, format, r.text);
      const feed = readers[format](r.text);
      assert.deepEqual(feed.items.map((i) => i.title?.slice(0, 9)), ['US Envoy '], 'the uncredited story is held back');
      const item = feed.items[0]!;
      assert.deepEqual(item.assets, [], 'the photo is gone');
      assert.deepEqual(item.enclosureUrls, []);
      assert.equal(item.image, undefined);
      assert.ok(!r.text.includes(photoUrl), 'not even in the body');
      assert.ok(!item.contentHtml!.includes('<figure'));
      assert.ok(item.contentHtml!.startsWith('<p class="credit">Credit: Wire Staff</p>'));
      assert.ok(item.contentHtml!.includes('Witkoff spoke with Ukrainian national security adviser'), 'the story still goes');
      assert.equal(item.rights, story.rights, 'the story keeps its rights line');
      assert.ok(r.text.includes('NO ARCHIVE'), 'partners get the note');
    });
  }

  it('the delivery log records the omitted photo and the held-back story', async () => {
    await get(srv, '/feeds/sources/wire.json', keys.strict);
    const r = await admin(srv, 'GET', '/api/partners/strict/deliveries');
    assert.equal(r.status, 200);
    const last = r.json.deliveries.at(-1);
    const [storyRow] = await srv.storage.articles.query({ limit: 1, q: 'Witkoff' });
    const [held] = await srv.storage.articles.query({ limit: 1, q: 'Uncredited' });
    assert.deepEqual(last.items, [{ id: storyRow!.id, seq: storyRow!.seq, omittedAssets: [photoUrl] }]);
    assert.deepEqual(last.heldBack, [{ id: held!.id, seq: held!.seq, reason: 'no_credit' }]);
    assert.equal(last.channel, 'sources/wire');
    assert.equal(last.format, 'json');
  });

  it('the human page never shows the note', async () => {
    const r = await get(srv, '/feeds/sources/wire', undefined, { Accept: 'text/html' });
    assert.equal(r.status, 200);
    assert.ok(r.text.includes('US Envoy') && !r.text.includes('NO ARCHIVE'));
  });
});

describeBackends('partners: the delivery log', function (backend) {
  this.timeout(20_000);
  let srv: TestServer;
  let key: string;
  let clock = NOW;
  beforeEach(async () => {
    clock = NOW;
    srv = await startServer({ storage: await backend.open(), overrides: { now: () => clock } });
    const s = await addSource(srv.storage, 'wire');
    await ingest(srv.storage, s.id, [articleInput('a'), articleInput('b'), articleInput('c')]);
    key = await partner(srv, { slug: 'p1' });
  });
  afterEach(() => srv.close());

  it('records each 200 GET (not 304s, HEADs or refusals) with its items, and answers JSON and CSV by date range', async () => {
    const first = await get(srv, '/feeds/all.json?after=0&limit=2', key);
    const etag = first.headers.get('etag')!;
    clock += 60_000;
    await get(srv, '/feeds/all.json?after=0&limit=2', key, { 'If-None-Match': etag });
    await fetch(`${srv.url}/feeds/all.rss`, { method: 'HEAD', headers: { Authorization: `Bearer ${key}` } });
    await get(srv, '/feeds/all.rss', key);
    await get(srv, '/feeds/all.json'); // anonymous
    const rows = await srv.storage.articles.query({ limit: 10, after: 0 });
    const r = await admin(srv, 'GET', '/api/partners/p1/deliveries');
    assert.deepEqual(r.json.deliveries, [
      { at: new Date(NOW).toISOString(), channel: 'all', format: 'json', items: rows.slice(0, 2).map((a) => ({ id: a.id, seq: a.seq })) },
      { at: new Date(NOW + 60_000).toISOString(), channel: 'all', format: 'rss', items: [...rows].reverse().map((a) => ({ id: a.id, seq: a.seq })) },
    ]);
    assert.deepEqual(r.json.cursor, { cursor: 3, newestSeq: 3, lag: 0, lastDeliveryAt: new Date(NOW + 60_000).toISOString() });
    const ranged = await admin(srv, 'GET', `/api/partners/p1/deliveries?from=${new Date(NOW + 1000).toISOString()}&to=2026-01-01`);
    assert.equal(ranged.json.deliveries.length, 1);
    const csv = await admin(srv, 'GET', '/api/partners/p1/deliveries?format=csv&to=2025-12-04T10:00:21Z');
    assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.deepEqual(csv.text.trimEnd().split('\r\n'), [
      'at,channel,format,id,seq,delivered,count,last_at,note',
      ...rows.slice(0, 2).map((a) => `${new Date(NOW).toISOString()},all,json,${a.id},${a.seq},yes,1,,`),
    ]);
    const p = await admin(srv, 'GET', '/api/partners/p1');
    assert.equal(p.json.partner.delivery.cursor, 3);
  });

  it('identical deliveries within one batch are one entry with their count and last time', async () => {
    for (let i = 0; i < 5; i++) {
      await get(srv, '/feeds/all.json', key);
      clock += 100;
    }
    await get(srv, '/feeds/all.json?limit=1', key);
    const r = await admin(srv, 'GET', '/api/partners/p1/deliveries');
    assert.deepEqual(
      r.json.deliveries.map((d: { count?: number; lastAt?: string; items: unknown[] }) => [d.items.length, d.count, d.lastAt]),
      [
        [3, 5, new Date(NOW + 400).toISOString()],
        [1, undefined, undefined],
      ],
    );
    const csv = await admin(srv, 'GET', '/api/partners/p1/deliveries?format=csv');
    assert.equal(csv.text.trimEnd().split('\r\n')[1]!.split(',').slice(6, 8).join(','), `5,${new Date(NOW + 400).toISOString()}`);
  });

  it('reports the lag behind the newest article', async () => {
    await get(srv, '/feeds/all.json?after=0&limit=1', key);
    const s = await srv.storage.sources.getBySlug('wire');
    await ingest(srv.storage, s!.id, [articleInput('d')]);
    const p = await admin(srv, 'GET', '/api/partners/p1');
    assert.deepEqual({ ...p.json.partner.delivery, lastDeliveryAt: undefined }, { cursor: 1, newestSeq: 4, lag: 3, lastDeliveryAt: undefined });
  });

  const bad: [string, string][] = [
    ['from', '/api/partners/p1/deliveries?from=yesterday'],
    ['format', '/api/partners/p1/deliveries?format=xml'],
  ];
  for (const [name, p] of bad) {
    it(`a bad ${name} is a 400`, async () => {
      const r = await admin(srv, 'GET', p);
      assert.equal(r.status, 400);
      assert.equal(r.json.error.code, 'invalid_query');
    });
  }

  it('retention prunes old rows and keeps the cursor', async () => {
    await get(srv, '/feeds/all.json', key);
    await srv.deliveries!.flush();
    assert.equal(await srv.deliveries!.prune(new Date(NOW + 1)), 1);
    const r = await admin(srv, 'GET', '/api/partners/p1/deliveries');
    assert.deepEqual(r.json.deliveries, []);
    assert.equal(r.json.cursor.cursor, 3);
  });

  it('a database keeps what was flushed when the server closes', async () => {
    const storage: Storage = await backend.open();
    const local = await startServer({ storage });
    try {
      const s = await addSource(storage, 'w');
      await ingest(storage, s.id, [articleInput('x')]);
      const k = await partner(local, { slug: 'px' });
      await get(local, '/feeds/all.atom', k);
    } finally {
      await local.close();
    }
    const p = await storage.partners.get('px');
    assert.equal((await storage.deliveries.list(p!.id, { limit: 10 })).length, 1, 'close() flushed the pending batch');
    await storage.close();
  });
});
