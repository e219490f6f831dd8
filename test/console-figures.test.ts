// The figures behind the console and /metrics: source health, the 24 h chart (zero-filled),
// overdue sources, and the kills a partner cursor has not reached. Real in-memory storage.
import assert from 'node:assert/strict';
import { createConsoleService, sourceHealth, OVERDUE_GRACE_MS } from '../src/services/console.js';
import { createLifecycleService } from '../src/services/lifecycle.js';
import type { Source } from '../src/model/types.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import type { Storage } from '../src/storage/repos.js';
import { addSource, articleInput, ingest } from './http-fixtures.js';

describe('console figures: source health in one word', () => {
  const base = { status: 'active', errorCount: 0, lastFetchedAt: '2026-01-01T00:00:00.000Z' } as Source;
  const cases: [string, Partial<Source>, string][] = [
    ['fetched, no errors', {}, 'ok'],
    ['never fetched', { lastFetchedAt: undefined }, 'new'],
    ['an error streak', { errorCount: 3 }, 'failing'],
    ['paused, even while failing', { status: 'paused', errorCount: 5 }, 'paused'],
    ['gone (HTTP 410)', { status: 'gone' }, 'gone'],
  ];
  for (const [name, over, health] of cases) it(`${name} → ${health}`, () => assert.equal(sourceHealth({ ...base, ...over }), health));
});

describe('console figures: overview, states and kills over real storage', () => {
  const NOW = new Date('2026-12-07T15:30:00.000Z');
  let storage: Storage;
  before(async () => {
    storage = openSqliteStorage({ path: ':memory:' });
    const ok = await addSource(storage, 'ok');
    const failing = await addSource(storage, 'failing');
    await addSource(storage, 'late');
    const paused = await addSource(storage, 'paused');
    await ingest(storage, ok.id, [articleInput('a'), articleInput('b')], '2026-12-07T13:10:00.000Z');
    await ingest(storage, ok.id, [articleInput('c')], '2026-12-07T15:05:00.000Z');
    await storage.ingest.recordFetch({
      sourceId: failing.id,
      startedAt: '2026-12-07T15:06:00.000Z',
      ms: 900,
      outcome: 'error',
      error: 'fetch: HTTP 500',
      warnings: [],
      now: '2026-12-07T15:06:00.000Z',
      source: { lastFetchedAt: '2026-12-07T15:06:00.000Z', errorCount: 2, nextFetchAt: '2026-12-07T16:00:00.000Z' },
    });
    // ok: next fetch soon; late: due an hour ago (never fetched); paused: late but paused.
    await storage.sources.update(ok.id, { nextFetchAt: '2026-12-07T15:40:00.000Z' });
    await storage.sources.update(paused.id, { status: 'paused', nextFetchAt: '2026-12-07T10:00:00.000Z' });
    const late = (await storage.sources.getBySlug('late'))!;
    await storage.sources.update(late.id, { nextFetchAt: '2026-12-07T14:30:00.000Z' });
  });
  after(() => storage.close());

  it('the overview: counts by health, 24 zero-filled hours, errors, slowest and overdue', async () => {
    const o = await createConsoleService({ storage, now: () => NOW }).overview();
    assert.deepEqual(o.byHealth, { ok: 1, failing: 1, paused: 1, gone: 0, new: 1 });
    assert.equal(o.hourly.length, 24);
    assert.equal(o.hourly[0]!.hour, '2026-12-06T16:00:00.000Z');
    assert.equal(o.hourly[23]!.hour, '2026-12-07T15:00:00.000Z');
    assert.deepEqual(
      o.hourly.filter((h) => h.fetches).map((h) => [h.hour.slice(11, 13), h.itemsNew, h.errors]),
      [
        ['13', 2, 0],
        ['15', 1, 1],
      ],
    );
    assert.equal(o.errors24h, 1);
    assert.equal(o.fetches24h, 3);
    assert.deepEqual(o.slowest.map((s) => s.slug), ['failing', 'ok']);
    assert.deepEqual(o.overdue.map((s) => [s.slug, s.overdueMs]), [['late', 3_600_000]]);
    assert.deepEqual(o.failing.map((s) => s.slug), ['failing']);
  });

  it('source states for metrics agree with the console', async () => {
    const s = await storage.stats.sourceStates(new Date(NOW.getTime() - OVERDUE_GRACE_MS).toISOString());
    assert.deepEqual(s, { ok: 1, failing: 1, paused: 1, gone: 0, new: 1, overdue: 1, oldestDueAt: '2026-12-07T14:30:00.000Z' });
  });

  it('kills after a cursor: only those with a higher seq, oldest first', async () => {
    const lifecycle = createLifecycleService({ storage, now: () => NOW });
    const [c, b] = (await storage.articles.query({ limit: 10 })).filter((a) => a.guid === 'c' || a.guid === 'b').sort((x, y) => y.seq - x.seq);
    const killedB = await lifecycle.act(b!.id, 'kill', { reason: 'legal' });
    const killedC = await lifecycle.act(c!.id, 'kill', { reason: 'wrong photo' });
    const all = await storage.stats.killsAfter(0, 10);
    assert.deepEqual(all.map((k) => [k.id, k.seq, k.reason]), [
      [b!.id, killedB.seq, 'legal'],
      [c!.id, killedC.seq, 'wrong photo'],
    ]);
    assert.deepEqual((await storage.stats.killsAfter(killedB.seq, 10)).map((k) => k.id), [c!.id]);
    assert.deepEqual(await storage.stats.killsAfter(killedC.seq, 10), []);
  });
});
