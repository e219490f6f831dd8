// The lifecycle's "done" test: simulated partners follow cursor pages in every format, with and
// without long polling, while a writer inserts, corrects, embargoes, releases, withholds and
// kills stories at random (seeded) and moves the clock so embargoes end. Afterwards each
// partner's replayed state equals the server's live set exactly (ids and current headlines),
// and each partner saw the kill of every story it had received exactly once.
import assert from 'node:assert/strict';
import type { OutputFormat } from '../src/model/types.js';
import { addSource, ADMIN_TOKEN, articleInput, ingest, startServer, T0, type TestServer } from './http-fixtures.js';
import { describeBackends } from './support/backends.js';
import { cursorReaders } from './support/cursor-reader.js';
import { prng } from './support/prng.js';

const FORMATS: OutputFormat[] = ['atom', 'rss', 'json', 'ninjs'];
const STEPS = 160;
const MINUTE = 60_000;

interface Partner {
  name: string;
  format: OutputFormat;
  wait: boolean;
  url: string;
  /** id → headline of every story it holds now. */
  state: Map<string, string | undefined>;
  /** Every id it ever received as a story. */
  received: Set<string>;
  /** id → canceled tombstones seen. */
  kills: Map<string, number>;
  pages: number;
}

describeBackends('lifecycle under random writes: partners replay the live set exactly', function (backend) {
  this.timeout(120_000);
  const seed = Number(process.env.WIREFEED_RANDOM_SEED ?? 20251203);
  let srv: TestServer;
  let clock = Date.parse(T0);

  beforeEach(async () => {
    clock = Date.parse(T0);
    srv = await startServer({ now: () => new Date(clock), storage: await backend.open() });
  });
  afterEach(() => srv.close());

  async function poll(p: Partner): Promise<number> {
    const r = await fetch(srv.url + p.url);
    assert.equal(r.status, 200, `${p.name} ${p.url}`);
    const page = cursorReaders[p.format](await r.text());
    for (const e of page.events) {
      if (e.deleted) {
        p.state.delete(e.id);
        if (e.deleted.status === 'canceled') p.kills.set(e.id, (p.kills.get(e.id) ?? 0) + 1);
      } else {
        p.state.set(e.id, e.title);
        p.received.add(e.id);
      }
    }
    const next = new URL(page.next!);
    p.url = next.pathname + next.search + (p.wait ? '&wait=1' : '');
    p.pages++;
    return page.events.length;
  }

  it(`seed ${seed}: ${STEPS} random writes, ${FORMATS.length * 2} partners`, async () => {
    const rnd = prng(seed);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const source = await addSource(srv.storage, 'wire');
    const partners: Partner[] = FORMATS.flatMap((format) =>
      [false, true].map((wait) => ({
        name: `${format}${wait ? '+wait' : ''}`,
        format,
        wait,
        url: `/feeds/all.${format}?limit=4&after=0${wait ? '&wait=1' : ''}`,
        state: new Map(),
        received: new Set<string>(),
        kills: new Map(),
        pages: 0,
      })),
    );

    let writing = true;
    const pollers = partners.map(async (p) => {
      while (writing) {
        await poll(p);
        if (!p.wait) await new Promise((r) => setTimeout(r, 5 + rnd() * 20));
      }
    });

    const act = async (id: number, action: string, body: unknown = {}) => {
      const r = await fetch(`${srv.url}/api/articles/${id}/${action}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      // A refused transition (a kill is final) is part of the game; anything else is not.
      assert.ok(r.status === 200 || r.status === 409, `${action} ${id}: ${r.status}`);
    };
    const counts: Record<string, number> = {};
    let n = 0;
    for (let step = 0; step < STEPS; step++) {
      const all = await srv.storage.articles.query({ limit: 500, includeWithdrawn: true });
      const op = all.length < 3 ? 'insert' : pick(['insert', 'insert', 'correct', 'embargo', 'release', 'withhold', 'kill', 'clock', 'update']);
      counts[op] = (counts[op] ?? 0) + 1;
      const a = all.length ? pick(all) : undefined;
      switch (op) {
        case 'insert':
          await ingest(srv.storage, source.id, [articleInput(`s${n++}`)], new Date(clock).toISOString());
          break;
        case 'update': // the source sends a new version of one of its stories
          await ingest(srv.storage, source.id, [articleInput(a!.identityKey, { title: `${a!.identityKey} v${step}`, contentHash: `h${step}` })], new Date(clock).toISOString());
          break;
        case 'correct':
          await act(a!.id, 'correct', { title: `${a!.identityKey} corrected at ${step}`, reason: 'Correction' });
          break;
        case 'embargo':
          await act(a!.id, 'embargo', { until: new Date(clock + (1 + Math.floor(rnd() * 30)) * MINUTE).toISOString() });
          break;
        case 'clock': // time passes: embargoes end without any write
          clock += Math.floor(rnd() * 20) * MINUTE;
          break;
        default:
          await act(a!.id, op, { reason: `${op} at step ${step}` });
      }
      if (rnd() < 0.3) await new Promise((r) => setTimeout(r, rnd() * 15));
    }
    writing = false;
    await Promise.all(pollers);

    // Drain: every partner follows its cursor (without waiting) to an empty page.
    for (const p of partners) {
      p.url = p.url.replace('&wait=1', '');
      p.wait = false;
      while ((await poll(p)) > 0);
    }

    const live = cursorReaders.json(await (await fetch(`${srv.url}/feeds/all.json?limit=500`)).text()).events;
    const expected = new Map(live.map((e) => [e.id, e.title]));
    const all = await srv.storage.articles.query({ limit: 500, includeWithdrawn: true });
    assert.equal(expected.size, all.filter((a) => a.status === 'usable').length, 'the plain feed is the usable set');
    const killed = all.filter((a) => a.status === 'canceled').map((a) => `urn:wirefeed:wire:${a.identityKey}`);
    for (const op of ['insert', 'correct', 'embargo', 'release', 'withhold', 'kill', 'clock', 'update']) assert.ok((counts[op] ?? 0) > 0, `the writer did ${op}`);
    assert.ok(killed.length > 0 && expected.size > 0);

    for (const p of partners) {
      assert.deepEqual(new Map([...p.state].sort()), new Map([...expected].sort()), `${p.name}: replayed state = live set`);
      for (const id of killed) {
        if (p.received.has(id)) assert.equal(p.kills.get(id), 1, `${p.name}: saw the kill of ${id} once`);
      }
      for (const [id, k] of p.kills) assert.equal(k, 1, `${p.name}: no kill twice (${id})`);
      assert.ok(p.pages > 3, `${p.name} polled`);
    }
  });
});
