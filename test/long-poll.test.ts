// Long polling (`?after=N&wait=S`) through the real HTTP server: held until a commit brings
// something for the page, an empty page (or 304) when the time is up, nothing held after a
// client leaves.
import assert from 'node:assert/strict';
import { addSource, ADMIN_TOKEN, articleInput, ingest, startServer, type TestServer } from './http-fixtures.js';
import { cursorReaders } from './support/cursor-reader.js';
import { CONTENT_TYPES, serializers } from '../src/publish/index.js';
import { createFeedService } from '../src/services/feeds.js';
import { describeBackends } from './support/backends.js';

describeBackends('long polling (wait=)', function (backend) {
  this.timeout(20_000);
  let srv: TestServer;
  let wire: number;
  let other: number;
  let cursor: number;
  beforeEach(async () => {
    srv = await startServer({ storage: await backend.open() });
    wire = (await addSource(srv.storage, 'wire')).id;
    other = (await addSource(srv.storage, 'other')).id;
    await ingest(srv.storage, wire, [articleInput('a')]);
    cursor = await srv.storage.articles.maxSeq();
  });
  afterEach(() => srv.close());

  const later = (ms: number, fn: () => Promise<unknown>) => new Promise((r) => setTimeout(r, ms)).then(fn);

  const bad: { name: string; query: string }[] = [
    { name: 'wait without after', query: 'wait=5' },
    { name: 'wait over 30 s', query: 'after=0&wait=31' },
    { name: 'wait not a number', query: 'after=0&wait=soon' },
  ];
  for (const c of bad) {
    it(`refuses ${c.name} with 400`, async () => {
      const r = await fetch(`${srv.url}/feeds/all.json?${c.query}`);
      assert.equal(r.status, 400);
      assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'invalid_query');
    });
  }

  it('answers at once when the page already has items', async () => {
    // wait=30 outlasts the test's timeout: a page with items must not be held at all.
    const r = await fetch(`${srv.url}/feeds/all.json?after=0&wait=30`);
    assert.equal(cursorReaders.json(await r.text()).events.length, 1);
  });

  for (const format of ['json', 'atom', 'rss', 'ninjs'] as const) {
    it(`${format}: a held request is answered when a story is committed, and a commit elsewhere does not end it`, async () => {
      const t = Date.now();
      // wait=30 outlasts the test's timeout: only the commit can end it in time.
      let answered = false;
      const held = fetch(`${srv.url}/feeds/sources/wire.${format}?after=${cursor}&wait=30`).then(async (r) => {
        answered = true;
        return { at: Date.now(), status: r.status, body: await r.text() };
      });
      await later(300, async () => assert.equal(srv.feeds.held, 1));
      await ingest(srv.storage, other, [articleInput('elsewhere')]); // another source: not on this page
      // Woken by that commit, the request renders its (still empty) page and waits again: not
      // answered. (The held count dips while it renders, longer on a loaded machine.)
      await later(300, async () => assert.equal(answered, false, 'still held'));
      await ingest(srv.storage, wire, [articleInput('b')]);
      const res = await held;
      assert.equal(res.status, 200);
      assert.deepEqual(cursorReaders[format](res.body).events.map((e) => e.title), ['Story b']);
      assert.ok(res.at - t >= 600, 'it was held');
      assert.equal(srv.feeds.held, 0);
    });
  }

  it('a kill reaches a held request as a tombstone', async () => {
    const [a] = await srv.storage.articles.query({ limit: 1 });
    const held = fetch(`${srv.url}/feeds/all.atom?after=${cursor}&wait=30`).then((r) => r.text());
    await later(200, () => fetch(`${srv.url}/api/articles/${a!.id}/kill`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } }));
    assert.deepEqual(cursorReaders.atom(await held).events.map((e) => e.deleted?.status), ['canceled']);
  });

  it('answers the empty page when the time is up, or 304 to its ETag', async () => {
    const t = Date.now();
    const r = await fetch(`${srv.url}/feeds/all.json?after=${cursor}&wait=1`);
    assert.equal(r.status, 200);
    assert.ok(Date.now() - t >= 950, 'held for the wait');
    const page = cursorReaders.json(await r.text());
    assert.deepEqual(page.events, []);
    assert.equal(new URL(page.next!).search, `?after=${cursor}`, 'the next link is the same cursor, without wait');
    const again = await fetch(`${srv.url}/feeds/all.json?after=${cursor}&wait=1`, { headers: { 'If-None-Match': r.headers.get('etag')! } });
    assert.equal(again.status, 304);
  });

  it('a client that leaves is no longer held', async () => {
    const gone = new AbortController();
    const req = fetch(`${srv.url}/feeds/all.json?after=${cursor}&wait=20`, { signal: gone.signal }).catch(() => 'aborted');
    await later(200, async () => assert.equal(srv.feeds.held, 1));
    gone.abort();
    assert.equal(await req, 'aborted');
    await later(200, async () => assert.equal(srv.feeds.held, 0));
  });

  it('a commit wakes a held request even while the render interval would serve the previous page', async () => {
    const storage = await backend.open();
    const feeds = createFeedService({ storage, serializers, contentTypes: CONTENT_TYPES, cacheEntries: 10, version: '1', renderIntervalMs: 60_000 });
    const src = await addSource(storage, 'wire');
    const target = { kind: 'channel' as const, slug: 'all' };
    assert.equal((await feeds.getFeed(target, 'json', { after: 0 })).items.length, 0, 'an empty page is cached');
    // wait=30 outlasts the test's timeout: only the commit can end it in time.
    const held = feeds.waitFeed(target, 'json', { after: 0, wait: 30 });
    await later(200, () => ingest(storage, src.id, [articleInput('x')]));
    assert.equal((await held).items.length, 1);
  });
});
