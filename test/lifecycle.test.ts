// Story lifecycle through the real HTTP server: kills, withholds, releases, corrections and
// embargoes as cursor events, tombstones in every format, validators, revisions.
import assert from 'node:assert/strict';
import type { Article, OutputFormat } from '../src/model/types.js';
import { decideEvent, diffSummary, type ActionInput, type LifecycleAction } from '../src/services/lifecycle.js';
import { cursorReaders } from './support/cursor-reader.js';
import { describeBackends } from './support/backends.js';
import { ADMIN_TOKEN, addSource, articleInput, ingest, photo, startServer, T0, type TestServer } from './http-fixtures.js';
import { feedparserReadAll, jingAtom, skipIfMissing, validateJsonFeed11, xmllintOk } from './support/validators.js';

const FORMATS: OutputFormat[] = ['atom', 'rss', 'json', 'ninjs'];
const HOUR = 3_600_000;

// Response bodies are checked field by field against literals.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function post(srv: TestServer, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { Authorization: `Bearer ${ADMIN_TOKEN}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(srv.url + path, { method: 'POST', headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
}

async function get(srv: TestServer, path: string, headers: Record<string, string> = {}) {
  const r = await fetch(srv.url + path, { headers });
  return { status: r.status, headers: r.headers, body: await r.text() };
}

function article(status: Article['status'], over: Partial<Article> = {}): Article {
  return {
    id: 1, sourceId: 1, seq: 5, identityKey: 'k', identityKind: 'guid', title: 'T', authors: [], categories: [], assets: [{ url: 'https://x.example/p.jpg' }],
    contentHash: 'h', firstSeenAt: T0, changedAt: T0, status, source: { sourceId: 1, slug: 's', title: 'S', feedUrl: 'https://s.example/feed' }, ...over,
  };
}

describe('lifecycle rules (pure)', () => {
  const now = new Date(T0);
  const later = new Date(Date.parse(T0) + HOUR).toISOString();
  const cases: { name: string; from: Article['status']; action: LifecycleAction; input?: ActionInput; to?: Article['status'] | 'no-op'; error?: number }[] = [
    { name: 'kill a usable story', from: 'usable', action: 'kill', to: 'canceled' },
    { name: 'kill a withheld story', from: 'withheld', action: 'kill', to: 'canceled' },
    { name: 'kill an embargoed story', from: 'embargoed', action: 'kill', to: 'canceled' },
    { name: 'kill twice is nothing', from: 'canceled', action: 'kill', to: 'no-op' },
    { name: 'withhold a usable story', from: 'usable', action: 'withhold', to: 'withheld' },
    { name: 'withhold twice is nothing', from: 'withheld', action: 'withhold', to: 'no-op' },
    { name: 'release a withheld story', from: 'withheld', action: 'release', to: 'usable' },
    { name: 'release an embargoed story early', from: 'embargoed', action: 'release', to: 'usable' },
    { name: 'release a usable story is nothing', from: 'usable', action: 'release', to: 'no-op' },
    { name: 'a kill is final: no release', from: 'canceled', action: 'release', error: 409 },
    { name: 'a kill is final: no withhold', from: 'canceled', action: 'withhold', error: 409 },
    { name: 'a kill is final: no correction', from: 'canceled', action: 'correct', input: { correction: { title: 'x' } }, error: 409 },
    { name: 'embargo until a future time', from: 'usable', action: 'embargo', input: { until: later }, to: 'embargoed' },
    { name: 'embargo in the past', from: 'usable', action: 'embargo', input: { until: T0 }, error: 422 },
    { name: 'embargo without a time', from: 'usable', action: 'embargo', error: 422 },
    { name: 'correct the title', from: 'usable', action: 'correct', input: { correction: { title: 'New' } }, to: 'usable' },
    { name: 'correct a withheld story keeps it withheld', from: 'withheld', action: 'correct', input: { correction: { summary: 's' } }, to: 'withheld' },
    { name: 'a correction that changes nothing', from: 'usable', action: 'correct', input: { correction: {} }, error: 422 },
    { name: 'a caption of an asset it does not have', from: 'usable', action: 'correct', input: { correction: { assets: [null, { caption: 'c' }] } }, error: 422 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const run = () => decideEvent(article(c.from), c.action, c.input ?? {}, now);
      if (c.error !== undefined) {
        assert.throws(run, (e: { status?: number }) => e.status === c.error);
        return;
      }
      const ev = run();
      if (c.to === 'no-op') assert.equal(ev, undefined);
      else assert.equal(ev?.status, c.to);
    });
  }

  it('diff summary names what changed', () => {
    const base = { number: 1, at: T0, status: 'usable' as const, title: 'A', assets: [{ url: 'u', caption: 'c1' }] };
    assert.deepEqual(diffSummary(undefined, base), ['created']);
    assert.deepEqual(diffSummary(base, { ...base, number: 2, title: 'B', assets: [{ url: 'u', caption: 'c2' }] }), ['title', 'assets[0].caption']);
    assert.deepEqual(diffSummary(base, { ...base, number: 2, status: 'canceled', statusReason: 'legal' }), ['status: usable → canceled', 'statusReason']);
  });
});

describeBackends('lifecycle over HTTP', (backend) => {
  let srv: TestServer;
  let clock = Date.parse(T0);
  let ids: Record<string, number>;
  beforeEach(async () => {
    clock = Date.parse(T0);
    srv = await startServer({ now: () => new Date(clock), storage: await backend.open() });
    const wire = await addSource(srv.storage, 'wire');
    await ingest(srv.storage, wire.id, [articleInput('a', { assets: [photo('https://img.example.com/a.jpg')] }), articleInput('b')]);
    const list = await srv.storage.articles.query({ limit: 10 });
    ids = Object.fromEntries(list.map((a) => [a.identityKey, a.id]));
  });
  afterEach(() => srv.close());

  /** Every event of the cursor from `after`, following next links to an empty page, per format. */
  async function follow(format: OutputFormat, after: number) {
    const events = [];
    let url = `/feeds/all.${format}?after=${after}&limit=2`;
    for (let i = 0; i < 20; i++) {
      const res = await get(srv, url);
      assert.equal(res.status, 200);
      const page = cursorReaders[format](res.body);
      events.push(...page.events);
      if (page.events.length === 0) return { events, next: url };
      url = new URL(page.next!).pathname + new URL(page.next!).search;
    }
    throw new Error('cursor does not end');
  }

  it('a kill: plain feeds drop the story, cursor pages carry exactly one tombstone in every format', async () => {
    const cursor = await srv.storage.articles.maxSeq();
    clock += HOUR;
    const res = await post(srv, `/api/articles/${ids.a}/kill`, { reason: 'Legal: do not use' });
    assert.equal(res.status, 200);
    assert.equal(res.json.article.status, 'canceled');
    assert.ok(res.json.article.seq > cursor);
    const again = await post(srv, `/api/articles/${ids.a}/kill`, { reason: 'again' });
    assert.equal(again.json.article.seq, res.json.article.seq, 'a second kill is no event');
    for (const format of FORMATS) {
      const { events } = await follow(format, cursor);
      assert.equal(events.length, 1, format);
      assert.equal(events[0]!.id, 'urn:wirefeed:wire:a', `${format}: the id the story was delivered with`);
      assert.deepEqual(events[0]!.deleted, { status: 'canceled', reason: 'Legal: do not use', when: new Date(clock).toISOString().replace('.000Z', 'Z') }, format);
      const plain = cursorReaders[format]((await get(srv, `/feeds/all.${format}`)).body);
      assert.deepEqual(plain.events.map((e) => e.title), ['Story b'], `${format} plain feed`);
    }
    // From the start, the cursor shows each story's current state once, in event order.
    assert.deepEqual((await follow('json', 0)).events.map((e) => [e.id, !!e.deleted]), [['urn:wirefeed:wire:b', false], ['urn:wirefeed:wire:a', true]]);
  });

  it('withhold, then release: a withheld tombstone, then the story again with a new seq', async () => {
    const cursor = await srv.storage.articles.maxSeq();
    await post(srv, `/api/articles/${ids.b}/withhold`, { reason: 'Checking a name' });
    const released = await post(srv, `/api/articles/${ids.b}/release`);
    assert.equal(released.json.article.status, 'usable');
    for (const format of FORMATS) {
      const { events } = await follow(format, cursor);
      // The cursor shows the current state of each story touched since `after`: released.
      assert.deepEqual(events.map((e) => [e.title, e.deleted?.status]), [['Story b', undefined]], format);
    }
    const mid = released.json.article.seq as number;
    await post(srv, `/api/articles/${ids.b}/withhold`, { reason: 'Checking a name' });
    const { events } = await follow('rss', mid);
    assert.deepEqual(events.map((e) => e.deleted), [{ status: 'withheld', reason: 'Checking a name', when: '2025-03-01T10:00:00Z' }]);
    assert.equal((await post(srv, `/api/articles/${ids.a}/kill`)).status, 200);
    assert.equal((await post(srv, `/api/articles/${ids.a}/release`)).status, 409, 'a kill is final');
  });

  it('validators move on a kill: new ETag and Last-Modified, and If-Modified-Since no longer answers 304', async () => {
    const before = await Promise.all(FORMATS.map((f) => get(srv, `/feeds/all.${f}`)));
    for (const [i, f] of FORMATS.entries()) {
      assert.equal((await get(srv, `/feeds/all.${f}`, { 'If-Modified-Since': before[i]!.headers.get('last-modified')! })).status, 304, f);
    }
    clock += HOUR;
    await post(srv, `/api/articles/${ids.a}/kill`);
    for (const [i, f] of FORMATS.entries()) {
      const lm = before[i]!.headers.get('last-modified')!;
      const after = await get(srv, `/feeds/all.${f}`);
      assert.notEqual(after.headers.get('etag'), before[i]!.headers.get('etag'), f);
      assert.equal(after.headers.get('last-modified'), new Date(clock).toUTCString(), `${f}: Last-Modified is the kill`);
      assert.equal((await get(srv, `/feeds/all.${f}`, { 'If-Modified-Since': lm })).status, 200, `${f}: a changed document after If-Modified-Since`);
    }
  });

  it('a correction is a new revision: new seq, revision number and reason in JSON Feed, date_modified, diff summary', async () => {
    clock += HOUR;
    const res = await post(srv, `/api/articles/${ids.a}/correct`, { reason: 'Corrects the caption', title: 'Story a, corrected', assets: [{ caption: 'Cranes at dusk' }] });
    assert.equal(res.status, 200);
    const a = res.json.article;
    assert.equal(a.revision, 2);
    assert.equal(a.assets[0].caption, 'Cranes at dusk');
    assert.equal(a.assets[0].credit, 'Jo Lens', 'other asset fields stay');
    const feed = JSON.parse((await get(srv, '/feeds/all.json')).body) as { items: Record<string, any>[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
    const item = feed.items.find((i) => i.title === 'Story a, corrected')!;
    assert.deepEqual(item._revision, { number: 2, reason: 'Corrects the caption' });
    assert.equal(item.date_modified, new Date(clock).toISOString().replace('.000Z', 'Z'));
    assert.equal(item.attachments[0]._media.caption, 'Cranes at dusk');
    const found = await srv.storage.articles.query({ limit: 5, q: 'corrected' });
    assert.equal(found.length, 1, 'the full-text index follows the correction');
    clock += HOUR;
    await post(srv, `/api/articles/${ids.a}/kill`, { reason: 'Rights' });
    const revs = await fetch(`${srv.url}/api/articles/${ids.a}/revisions`, { headers: { Authorization: `Bearer ${ADMIN_TOKEN}` } }).then((r) => r.json());
    assert.deepEqual(
      revs.revisions.map((r: { number: number; reason?: string; changes: string[]; title: string }) => [r.number, r.reason, r.title, r.changes]),
      [
        [1, undefined, 'Story a', ['created']],
        [2, 'Corrects the caption', 'Story a, corrected', ['title', 'assets[0].caption']],
        [3, 'Rights', 'Story a, corrected', ['status: usable → canceled', 'statusReason']],
      ],
    );
    assert.equal(revs.revisions[0].assets[0].caption, 'Harbour cranes at dawn', 'the old caption is kept');
  });

  const bad: { name: string; path: string; body?: unknown; status: number }[] = [
    { name: 'embargo without until', path: 'a/embargo', body: {}, status: 422 },
    { name: 'embargo with a date that is not RFC 3339', path: 'a/embargo', body: { until: 'tomorrow' }, status: 422 },
    { name: 'embargo in the past', path: 'a/embargo', body: { until: '2020-01-01T00:00:00Z' }, status: 422 },
    { name: 'an unknown field', path: 'a/kill', body: { reason: 'x', colour: 'red' }, status: 422 },
    { name: 'a correction with nothing to change', path: 'a/correct', body: { reason: 'x' }, status: 422 },
    { name: 'an unknown article', path: '99999/kill', status: 404 },
    { name: 'a non-numeric id', path: 'abc/kill', status: 404 },
  ];
  for (const c of bad) {
    it(`refuses ${c.name} (${c.status}) and changes nothing`, async () => {
      const before = await srv.storage.articles.maxSeq();
      const path = c.path.replace(/^a\//, `${ids.a}/`);
      assert.equal((await post(srv, `/api/articles/${path}`, c.body)).status, c.status);
      assert.equal(await srv.storage.articles.maxSeq(), before);
    });
  }

  it('an embargoed story is in no output until its time, then appears without another write', async () => {
    const cursor = await srv.storage.articles.maxSeq();
    const until = new Date(clock + 2 * HOUR).toISOString();
    const res = await post(srv, `/api/articles/${ids.b}/embargo`, { until });
    assert.equal(res.json.article.status, 'embargoed');
    for (const format of FORMATS) {
      const plain = cursorReaders[format]((await get(srv, `/feeds/all.${format}`)).body);
      assert.deepEqual(plain.events.map((e) => e.title), ['Story a'], `${format}: embargoed story hidden`);
      // A partner that already had it is told to hold it back.
      assert.deepEqual((await follow(format, cursor)).events.map((e) => e.deleted?.status), ['withheld']);
    }
    const lastSeq = await srv.storage.articles.maxSeq();
    clock += 2 * HOUR; // no write: only the clock moves
    for (const format of FORMATS) {
      const plain = cursorReaders[format]((await get(srv, `/feeds/all.${format}`)).body);
      assert.deepEqual(plain.events.map((e) => e.title).sort(), ['Story a', 'Story b'], `${format}: released at its time`);
      assert.deepEqual((await follow(format, lastSeq)).events.map((e) => [e.title, e.deleted]), [['Story b', undefined]], `${format}: lifting is a cursor event`);
    }
    const lifted = (await srv.storage.articles.get(ids.b!))!;
    assert.equal(lifted.revisionReason, 'embargo lifted');
    assert.equal(lifted.embargoedUntil, until);
  });

  it('tombstone pages are valid: xmllint, the Atom schema with RFC 6721, feedparser (bozo 0), JSON Feed 1.1', async function () {
    const cursor = 0;
    await post(srv, `/api/articles/${ids.a}/kill`, { reason: 'Legal <review> & “quotes”' });
    await post(srv, `/api/articles/${ids.b}/withhold`);
    const pages = Object.fromEntries(await Promise.all(FORMATS.map(async (f) => [f, (await get(srv, `/feeds/all.${f}?after=${cursor}`)).body] as const)));
    const lint = xmllintOk(pages.atom!);
    skipIfMissing(this, lint);
    assert.deepEqual(lint, { status: 'ok' });
    assert.deepEqual(xmllintOk(pages.rss!), { status: 'ok' });
    const jing = jingAtom(pages.atom!);
    skipIfMissing(this, jing);
    assert.deepEqual(jing, { status: 'ok' });
    // The schema checks the tombstone's structure: one without its `when` fails.
    assert.equal(jingAtom(pages.atom!.replace(/ when="[^"]*"/, '')).status, 'invalid');
    const fp = feedparserReadAll([pages.atom!, pages.rss!]);
    skipIfMissing(this, fp);
    assert.equal(fp.status, 'ok');
    if (fp.status === 'ok') for (const s of fp.summary) assert.equal(s.bozo, 0, s.bozo_exception);
    assert.deepEqual(validateJsonFeed11(JSON.parse(pages.json!)), { status: 'ok' });
    assert.deepEqual(cursorReaders.json(pages.json!).events.map((e) => e.deleted), [
      { status: 'canceled', reason: 'Legal <review> & “quotes”', when: '2025-03-01T10:00:00Z' },
      { status: 'withheld', reason: 'This story has been withheld: do not use it until it is released.', when: '2025-03-01T10:00:00Z' },
    ]);
  });
});
