// The PostgreSQL twins of the partner, delivery, WebSub and stats repositories answer exactly as
// the SQLite ones: each scenario runs on both backends and the two transcripts must be equal
// (plus a few checks of the transcript itself, so a mistake shared by both still fails).
import assert from 'node:assert/strict';
import { NotFoundError, StorageError, ValidationError } from '../src/errors.js';
import type { Storage } from '../src/storage/repos.js';
import { migrate } from '../src/storage/sqlite/migrations.js';
import { openSqliteConnection } from '../src/storage/sqlite/connection.js';
import { createSqliteContext } from '../src/storage/sqlite/context.js';
import { createDeliveryRepo as sqliteDeliveries } from '../src/storage/sqlite/delivery-repo.js';
import { createPartnerRepo as sqlitePartners } from '../src/storage/sqlite/partner-repo.js';
import { createStatsRepo as sqliteStats } from '../src/storage/sqlite/stats-repo.js';
import { createWebSubRepo as sqliteWebSub } from '../src/storage/sqlite/websub-repo.js';
import { startCommitListener } from '../src/storage/postgres/commit-listener.js';
import { createPgContext, notifyChannel } from '../src/storage/postgres/context.js';
import { createDeliveryRepo as pgDeliveries } from '../src/storage/postgres/delivery-repo.js';
import { refuseBackup, schemaFiles } from '../src/storage/postgres/files.js';
import { migratePostgres } from '../src/storage/postgres/migrations.js';
import { createPartnerRepo as pgPartners } from '../src/storage/postgres/partner-repo.js';
import { createPool } from '../src/storage/postgres/pool.js';
import { createStatsRepo as pgStats } from '../src/storage/postgres/stats-repo.js';
import { versionOf } from '../src/storage/postgres/storage-ops.js';
import { createWebSubRepo as pgWebSub } from '../src/storage/postgres/websub-repo.js';
import { describePg, dropSchema, freshSchemaName, PG_TEST_URL } from './support/pg-schema.js';

type Repos = Pick<Storage, 'partners' | 'deliveries' | 'websub' | 'stats'>;

interface Backend {
  repos: Repos;
  /** Seeds rows with SQL both backends accept. */
  sql(text: string): Promise<void>;
  close(): Promise<void>;
}

function sqliteBackend(): Backend {
  const db = openSqliteConnection(':memory:');
  migrate(db);
  const ctx = createSqliteContext(db);
  return {
    repos: { partners: sqlitePartners(ctx, () => 0), deliveries: sqliteDeliveries(ctx), websub: sqliteWebSub(ctx), stats: sqliteStats(ctx) },
    async sql(text) {
      db.exec(text);
    },
    async close() {
      db.close();
    },
  };
}

async function pgBackend(schema: string): Promise<Backend> {
  const pool = createPool({ url: PG_TEST_URL!, schema, size: 2 });
  await migratePostgres(pool, { schema });
  const ctx = createPgContext({ pool, channel: notifyChannel(schema), origin: 'twin-test' });
  return {
    repos: { partners: pgPartners(ctx, () => ctx.commits.partners), deliveries: pgDeliveries(ctx), websub: pgWebSub(ctx), stats: pgStats(ctx) },
    async sql(text) {
      await pool.query(text);
    },
    async close() {
      await pool.end();
    },
  };
}

/** A step's outcome as data: its value, or the error's class and code. */
async function outcome(p: Promise<unknown>): Promise<unknown> {
  try {
    return { ok: await p };
  } catch (err) {
    const e = err as Error & { code?: string; status?: number };
    return { error: e.constructor.name, code: e.code, status: e.status };
  }
}

type Scenario = (s: Repos, sql: Backend['sql']) => Promise<unknown[]>;

const T = (m: number) => new Date(Date.UTC(2025, 0, 1, 10, m)).toISOString();

const partnersScenario: Scenario = async (s) => {
  const out: unknown[] = [];
  const versions = [await s.partners.version()];
  const moved = async () => versions.push(await s.partners.version());
  const a = await s.partners.create({ slug: 'acme', name: 'Acme', contact: 'ops@acme.example', channels: ['world', 'sport'], rateLimit: { requests: 10, perSeconds: 1 }, now: T(0) });
  await moved();
  // A refused duplicate spends no id: the next partner gets the same id on both backends.
  out.push(a, await outcome(s.partners.create({ slug: 'acme', name: 'Again', channels: [], now: T(1) })));
  out.push(await s.partners.create({ slug: 'beta', name: 'Beta', channels: [], active: false, rightsPolicy: { stripCredits: true } as never, now: T(1) }));
  await moved();
  out.push(await s.partners.update('acme', { contact: undefined, channels: ['world'], now: T(2) }));
  out.push(await s.partners.update('acme', { active: false, rateLimit: undefined, now: T(3) }));
  out.push(await outcome(s.partners.update('nobody', { name: 'x', now: T(3) })));
  await moved();
  out.push(await s.partners.addKey({ partnerId: a.id, keyId: 'k2', prefix: 'wf_live_bbbb', keyHash: 'h2', now: T(4) }));
  out.push(await s.partners.addKey({ partnerId: a.id, keyId: 'k1', prefix: 'wf_live_aaaa', keyHash: 'h1', now: T(4) }));
  await moved();
  out.push(await s.partners.revokeKey(a.id, 'k2', T(5)), await s.partners.revokeKey(a.id, 'k2', T(6)), await s.partners.revokeKey(a.id, 'nope', T(6)));
  await moved();
  const beforeTouch = await s.partners.version();
  await s.partners.touchKeys(new Map([['k1', T(7)]]));
  await s.partners.touchKeys(new Map([['k1', T(6)], ['k2', T(8)]]));
  await s.partners.touchKeys(new Map());
  out.push({ touchMovedVersion: (await s.partners.version()) !== beforeTouch });
  out.push(await s.partners.listKeys(a.id), await s.partners.liveKeys(), await s.partners.list(), await s.partners.get('beta'), await s.partners.get('nobody'));
  out.push(await s.partners.remove('beta'), await s.partners.remove('beta'));
  await moved();
  out.push(await s.partners.list());
  out.push({ versionMovedEachTime: versions.every((v, i) => i === 0 || v !== versions[i - 1]) });
  return out;
};

const deliveriesScenario: Scenario = async (s) => {
  const out: unknown[] = [];
  const p1 = await s.partners.create({ slug: 'p1', name: 'P1', channels: [], now: T(0) });
  const p2 = await s.partners.create({ slug: 'p2', name: 'P2', channels: [], now: T(0) });
  const payload = (n: number, maxSeq?: number, heldBack = false) => ({
    hash: `hash-${n}`,
    itemsJson: JSON.stringify([{ id: n, seq: maxSeq ?? 0, revision: 1 }]),
    ...(heldBack ? { heldBackJson: JSON.stringify([{ id: n + 100, reason: 'rights' }]) } : {}),
    itemCount: n,
    ...(maxSeq !== undefined ? { maxSeq } : {}),
  });
  await s.deliveries.append([]);
  await s.deliveries.append([
    { partnerId: p1.id, at: T(1), count: 1, channel: 'world', format: 'rss', payload: payload(1, 10) },
    { partnerId: p1.id, at: T(1), count: 3, lastAt: T(2), channel: 'world', format: 'json', payload: payload(2, 7, true) },
    { partnerId: p2.id, at: T(1), count: 1, channel: 'sources/a', format: 'atom', payload: payload(1, 10) },
    { partnerId: 9999, at: T(1), count: 1, channel: 'world', format: 'rss', payload: payload(3, 50) },
    { partnerId: p2.id, at: T(3), count: 1, channel: 'world', format: 'rss', payload: payload(4) },
  ]);
  await s.deliveries.append([{ partnerId: p1.id, at: T(4), count: 2, channel: 'world', format: 'rss', payload: payload(1, 10) }]);
  await s.deliveries.append([{ partnerId: p1.id, at: T(0), count: 1, channel: 'world', format: 'rss', payload: payload(5, 3) }]);
  out.push(await s.deliveries.list(p1.id, { limit: 100 }), await s.deliveries.list(p1.id, { from: T(1), to: T(4), limit: 100 }), await s.deliveries.list(p1.id, { limit: 2 }));
  out.push(await s.deliveries.list(p2.id, { from: T(2), limit: 10 }), await s.deliveries.list(9999, { limit: 10 }));
  out.push(await s.deliveries.cursor(p1.id), await s.deliveries.cursor(p2.id), await s.deliveries.cursor(9999));
  out.push(await s.deliveries.itemsSince(p1.id, T(0)), await s.deliveries.itemsSince(p1.id, T(2)), await s.deliveries.itemsSince(p2.id, T(9)));
  out.push(await s.deliveries.prune(T(0)), await s.deliveries.prune(T(2)), await s.deliveries.prune(T(2)));
  out.push(await s.deliveries.list(p1.id, { limit: 100 }), await s.deliveries.cursor(p1.id));
  // A payload whose deliveries were all pruned is stored again when delivered again.
  await s.deliveries.append([{ partnerId: p1.id, at: T(5), count: 1, channel: 'world', format: 'rss', payload: payload(5, 3) }]);
  out.push(await s.deliveries.list(p1.id, { from: T(5), limit: 10 }));
  await s.partners.remove('p2');
  await s.deliveries.append([{ partnerId: p2.id, at: T(6), count: 1, channel: 'world', format: 'rss', payload: payload(6, 60) }]);
  out.push(await s.deliveries.cursor(p2.id));
  return out;
};

const websubScenario: Scenario = async (s, sql) => {
  const out: unknown[] = [];
  const sub = (topic: string, callback: string, over: object = {}) => ({
    topic,
    callback,
    callbackHost: new URL(callback).host,
    variant: '',
    leaseSeconds: 3600,
    expiresAt: T(30),
    now: T(0),
    ...over,
  });
  const s1 = await s.websub.saveSubscription(sub('https://w.example/feeds/all.rss', 'http://127.0.0.1:9/a', { secret: 'sekrit' }));
  const s2 = await s.websub.saveSubscription(sub('https://w.example/feeds/all.rss', 'http://127.0.0.1:9/b', { keyId: 'k1', variant: 'p:acme' }));
  await s.websub.saveSubscription(sub('https://w.example/feeds/all.rss', 'http://127.0.0.1:9/c', { keyId: 'k2', variant: 'p:acme' }));
  await s.websub.saveSubscription(sub('https://w.example/feeds/sport.rss', 'http://127.0.0.2:9/a', { expiresAt: T(5) }));
  out.push(s1, s2);
  out.push(await s.websub.countSubscriptions({ topic: 'https://w.example/feeds/all.rss' }), await s.websub.countSubscriptions({ callbackHost: '127.0.0.1:9' }), await s.websub.countSubscriptions({}));
  out.push(await s.websub.activeStreams(T(1)), await s.websub.activeStreams(T(10)));
  out.push(await s.websub.getTopicState('t', ''), await s.websub.setTopicState('t', '', { etag: '"e1"' }), await s.websub.getTopicState('t', ''));
  await s.websub.setTopicState('t', '', { lastSeq: 42 });
  out.push(await s.websub.getTopicState('t', ''));

  const body = (text: string) => Buffer.from(text);
  out.push(await s.websub.enqueue({ topic: 'https://w.example/feeds/all.rss', variant: '', contentType: 'application/rss+xml', body: body('one'), fullFeed: true }, T(1)));
  out.push(await s.websub.enqueue({ topic: 'https://w.example/feeds/all.rss', variant: '', contentType: 'application/rss+xml', body: body('two'), fullFeed: true }, T(2)));
  out.push(await s.websub.enqueue({ topic: 'https://w.example/feeds/all.rss', variant: 'p:acme', contentType: 'application/json', body: body('three'), fullFeed: false }, T(2)));
  out.push(await s.websub.enqueue({ topic: 'https://w.example/feeds/none.rss', variant: '', contentType: 'text/plain', body: body('x'), fullFeed: false }, T(2)));
  const due = await s.websub.dueDeliveries(T(3), 10);
  // Delivery ids are handles: SQLite hands out a deleted highest id again, PostgreSQL never does.
  const handles = (ds: typeof due) => ds.map(({ id: _, ...d }) => d);
  out.push(handles(due), await s.websub.pendingDeliveries(), await s.websub.nextDeliveryAt());
  out.push(...(await Promise.all([...new Set(due.map((d) => d.contentId))].map(async (id) => (await s.websub.contentBody(id))?.toString()))), await s.websub.contentBody(987654));
  await s.websub.deliveriesSucceeded([due[0]!, due[1]!], T(4));
  await s.websub.deliveriesSucceeded([], T(4));
  await s.websub.deliveryFailed(due[2]!, 'HTTP 500', T(9));
  out.push(handles(await s.websub.dueDeliveries(T(4), 10)), handles(await s.websub.dueDeliveries(T(9), 10)), await s.websub.nextDeliveryAt());
  await s.websub.deliveryFailed(due[2]!, 'HTTP 410', undefined);
  out.push(await s.websub.stats(), await s.websub.listSubscriptions(), await s.websub.listSubscriptions({ topic: 'https://w.example/feeds/sport.rss' }));
  // A renewal replaces lease and secret and keeps the counters.
  out.push(await s.websub.saveSubscription(sub('https://w.example/feeds/all.rss', 'http://127.0.0.1:9/a', { expiresAt: T(40), now: T(5) })));
  await s.websub.pruneContents();
  out.push(await s.websub.expireSubscriptions(T(1)), await s.websub.expireSubscriptions(T(6)), await s.websub.listSubscriptions());
  out.push(await s.websub.removeSubscriptionsByKey('k2'), await s.websub.removeSubscription('https://w.example/feeds/all.rss', 'http://127.0.0.1:9/b'));
  out.push(await s.websub.removeSubscription('https://w.example/feeds/all.rss', 'http://127.0.0.1:9/b'), await s.websub.getSubscription('https://w.example/feeds/all.rss', 'http://127.0.0.1:9/a'));
  await s.websub.pruneContents();
  out.push(await s.websub.stats());

  // Our subscriptions at source hubs.
  await sql(`INSERT INTO sources (id, slug, url, min_interval_s, max_interval_s, next_fetch_at, created_at) VALUES
    (7, 'seven', 'https://seven.example/feed', 60, 3600, '${T(0)}', '${T(0)}'), (8, 'eight', 'https://eight.example/feed', 60, 3600, '${T(0)}', '${T(0)}')`);
  const base = { hub: 'https://hub.example/', topic: 'https://seven.example/feed', secret: 's1', state: 'requested' as const, requestedAt: T(0), pushes: 0, rejected: 0 };
  await s.websub.saveSourceSubscription({ sourceId: 7, token: 'tok7', ...base });
  await s.websub.saveSourceSubscription({ sourceId: 8, token: 'tok8', ...base, topic: 'https://eight.example/feed', lastError: 'refused' });
  await s.websub.updateSourceSubscription(7, { state: 'active', leaseUntil: T(50), verifiedAt: T(1) });
  await s.websub.countSourcePush(7, 'pushes', T(2));
  await s.websub.countSourcePush(7, 'pushes', T(3));
  await s.websub.countSourcePush(7, 'rejected', T(4));
  out.push(await s.websub.getSourceSubscription(7), await s.websub.findSourceSubscription('tok8'), await s.websub.findSourceSubscription('nope'));
  // Re-requested: new token and secret, counters kept.
  await s.websub.saveSourceSubscription({ sourceId: 7, token: 'tok7b', ...base, pendingSecret: 's2', pushes: 0, rejected: 0 });
  await s.websub.updateSourceSubscription(8, { lastError: undefined, state: 'failed' });
  await s.websub.updateSourceSubscription(8, {});
  out.push(await s.websub.listSourceSubscriptions(), (await s.websub.stats()).sources);
  await s.websub.removeSourceSubscription(8);
  out.push(await s.websub.listSourceSubscriptions(), await s.websub.getSourceSubscription(8));
  return out;
};

const statsScenario: Scenario = async (s, sql) => {
  const src = (id: number, status: string, errors: number, fetched: string | null, next: string) =>
    `(${id}, 's${id}', 'https://s${id}.example/feed', 60, 3600, '${next}', ${fetched === null ? 'NULL' : `'${fetched}'`}, ${errors}, '${status}', '${T(0)}')`;
  await sql(`INSERT INTO sources (id, slug, url, min_interval_s, max_interval_s, next_fetch_at, last_fetched_at, error_count, status, created_at) VALUES
    ${[src(1, 'active', 0, T(1), T(5)), src(2, 'active', 2, T(1), T(3)), src(3, 'paused', 0, null, T(1)), src(4, 'gone', 0, T(1), T(1)), src(5, 'active', 0, null, T(2)), src(6, 'active', 0, T(1), T(50))].join(',\n')}`);
  const log = (id: number, source: number, at: string, ms: number, outcome: string, n: number, u: number) =>
    `(${id}, ${source}, '${at}', ${ms}, '${outcome}', ${n}, ${u})`;
  await sql(`INSERT INTO fetch_log (id, source_id, started_at, ms, outcome, items_new, items_updated) VALUES
    ${[
      log(1, 1, '2025-01-01T08:59:59.999Z', 10, 'modified', 1, 0),
      log(2, 1, '2025-01-01T09:00:00.000Z', 11, 'modified', 3, 1),
      log(3, 2, '2025-01-01T09:30:00.000Z', 20, 'error', 0, 0),
      log(4, 2, '2025-01-01T09:59:59.999Z', 25, 'error', 0, 0),
      log(5, 1, '2025-01-01T11:00:00.000Z', 12, 'not-modified', 0, 0),
      log(6, 6, '2025-01-02T00:00:00.000Z', 3, 'modified', 2, 2),
    ].join(',\n')}`);
  const art = (id: number, source: number, seq: number, pub: string, reason: string | null) =>
    `(${id}, ${source}, 'k${id}', 'guid', ${id === 3 ? 'NULL' : `'Title ${id}'`}, 'h${id}', ${seq}, '${T(0)}', '${T(0)}', '${T(0)}', '${pub}', '${pub === 'usable' ? 'live' : 'withdrawn'}', ${reason === null ? 'NULL' : `'${reason}'`}, ${pub === 'canceled' ? `'${T(seq)}'` : 'NULL'})`;
  await sql(`INSERT INTO articles (id, source_id, identity_key, identity_kind, title, content_hash, seq, first_seen_at, changed_at, sort_at, pub_status, status, status_reason, status_at) VALUES
    ${[art(1, 1, 5, 'usable', null), art(2, 1, 9, 'canceled', 'legal'), art(3, 2, 12, 'canceled', null), art(4, 2, 3, 'canceled', 'dup'), art(5, 6, 20, 'withheld', 'check')].join(',\n')}`);
  return [
    await s.stats.ingestByHour('2025-01-01T09:00:00.000Z'),
    await s.stats.ingestByHour('2030-01-01T00:00:00.000Z'),
    await s.stats.sourceFigures('2025-01-01T09:00:00.000Z'),
    await s.stats.sourceStates(T(4)),
    await s.stats.sourceStates(T(0)),
    await s.stats.killsAfter(0, 10),
    await s.stats.killsAfter(3, 1),
    await s.stats.killsAfter(12, 10),
  ];
};

const SCENARIOS: Record<string, Scenario> = { partners: partnersScenario, deliveries: deliveriesScenario, websub: websubScenario, stats: statsScenario };

describePg('PostgreSQL twins answer as the SQLite repositories (partners, deliveries, WebSub, stats)', () => {
  let schema: string;
  let backends: Backend[];
  beforeEach(() => {
    schema = freshSchemaName();
    backends = [];
  });
  afterEach(async () => {
    await Promise.all(backends.map((b) => b.close()));
    await dropSchema(schema);
  });

  const run = async (name: string) => {
    const lite = sqliteBackend();
    const pg = await pgBackend(schema);
    backends.push(lite, pg);
    const expected = await SCENARIOS[name]!(lite.repos, lite.sql);
    const actual = await SCENARIOS[name]!(pg.repos, pg.sql);
    assert.deepStrictEqual(actual, expected);
    return expected;
  };

  it('partners: accounts, keys, revocation, key use and the change version', async () => {
    const t = await run('partners');
    assert.deepEqual(t[1], { error: ValidationError.name, code: 'partner_exists', status: 409 });
    assert.deepEqual(t[5], { error: NotFoundError.name, code: 'not_found', status: undefined });
    assert.deepEqual(t.at(-1), { versionMovedEachTime: true });
    assert.ok(t.some((x) => JSON.stringify(x) === '{"touchMovedVersion":false}'));
  });

  it('deliveries: batches with shared payloads and removed partners, ranges, cursors, item counts, pruning', async () => {
    const t = await run('deliveries');
    assert.equal((t[0] as unknown[]).length, 4);
    assert.deepEqual(t[5], { maxSeq: 10, lastDeliveryAt: T(4) });
    assert.equal(t[8], 1 * 1 + 2 * 3 + 1 * 2 + 5 * 1);
  });

  it('websub: subscriptions, topic state, the delivery queue, counters, expiry and source subscriptions', async () => {
    const t = await run('websub');
    assert.ok(t.length > 20);
  });

  it('stats: ingest by hour, per-source figures, source states and kills after a cursor', async () => {
    const [byHour, , figures, states] = await run('stats');
    assert.deepEqual(
      (byHour as { hour: string }[]).map((h) => h.hour),
      ['2025-01-01T09:00:00.000Z', '2025-01-01T11:00:00.000Z', '2025-01-02T00:00:00.000Z'],
    );
    assert.equal((figures as unknown[]).length, 3);
    assert.deepEqual(states, { ok: 2, failing: 1, paused: 1, gone: 1, new: 1, overdue: 2, oldestDueAt: T(2) });
  });
});

describePg('PostgreSQL twins across instances, and what only PostgreSQL does', () => {
  let schema: string;
  let closers: (() => Promise<void>)[];
  beforeEach(() => {
    schema = freshSchemaName();
    closers = [];
  });
  afterEach(async () => {
    for (const close of closers.reverse()) await close();
    await dropSchema(schema);
  });

  /** One instance: its own pool, context and commit listener on the shared schema. */
  const instance = async (origin: string) => {
    const pool = createPool({ url: PG_TEST_URL!, schema, size: 3 });
    closers.push(() => pool.end());
    await migratePostgres(pool, { schema });
    const ctx = createPgContext({ pool, channel: notifyChannel(schema), origin });
    const listener = await startCommitListener({ connection: { url: PG_TEST_URL!, schema }, channel: notifyChannel(schema), origin });
    closers.push(() => listener.close());
    return { ctx, pool, partners: pgPartners(ctx, versionOf(ctx, listener, 'partners', () => false)), deliveries: pgDeliveries(ctx) };
  };

  it("partners.version() moves on every instance at another's partner or key change, not at a key use", async () => {
    const a = await instance('a');
    const b = await instance('b');
    const seen = () => b.partners.version();
    let v = await seen();
    const p = await a.partners.create({ slug: 'acme', name: 'Acme', channels: [], now: T(0) });
    await until(async () => (await seen()) !== v, "b to see a's new partner");
    v = await seen();
    await a.partners.addKey({ partnerId: p.id, keyId: 'k1', prefix: 'wf_live_aaaa', keyHash: 'h1', now: T(1) });
    await until(async () => (await seen()) !== v, "b to see a's new key");
    v = await seen();
    await a.partners.touchKeys(new Map([['k1', T(2)]]));
    await a.deliveries.append([{ partnerId: p.id, at: T(2), count: 1, channel: 'c', format: 'rss', payload: { hash: 'x', itemsJson: '[]', itemCount: 0 } }]);
    await a.partners.revokeKey(p.id, 'k1', T(3));
    await until(async () => (await seen()) !== v, "b to see a's revoke");
    // Only the revoke moved it: the key use and the delivery told nobody.
    assert.equal(await seen(), v + 1);
    assert.deepEqual(await b.partners.liveKeys(), []);
  });

  it('appends delivery batches from several instances at once without losing a row or moving a cursor back', async () => {
    const a = await instance('a');
    const b = await instance('b');
    const p1 = await a.partners.create({ slug: 'p1', name: 'P1', channels: [], now: T(0) });
    const p2 = await a.partners.create({ slug: 'p2', name: 'P2', channels: [], now: T(0) });
    const batch = (n: number) =>
      [p2.id, p1.id].map((partnerId, i) => ({
        partnerId,
        at: T(n),
        count: 1,
        channel: 'c',
        format: 'rss',
        payload: { hash: `h${(n + i) % 3}`, itemsJson: `[${(n + i) % 3}]`, itemCount: 1, maxSeq: n },
      }));
    await Promise.all(Array.from({ length: 40 }, (_, n) => (n % 2 ? a : b).deliveries.append(batch(n))));
    assert.equal(await a.deliveries.itemsSince(p1.id, T(0)), 40);
    assert.deepEqual(await b.deliveries.cursor(p2.id), { maxSeq: 39, lastDeliveryAt: T(39) });
    assert.equal((await a.pool.query('SELECT count(*)::int AS n FROM delivery_payloads')).rows[0].n, 3);
  });

  it('files() reports the bytes of this schema only; backup() is refused naming pg_dump and `wirefeed db copy`', async () => {
    const a = await instance('a');
    const before = await schemaFiles(a.ctx);
    assert.ok(before.databaseBytes > 0);
    assert.equal(before.walBytes, 0);
    const p = await a.partners.create({ slug: 'big', name: 'Big', channels: [], now: T(0) });
    await a.deliveries.append(
      Array.from({ length: 200 }, (_, i) => ({ partnerId: p.id, at: T(1), count: 1, channel: 'c', format: 'rss', payload: { hash: `h${i}`, itemsJson: JSON.stringify('x'.repeat(2000)), itemCount: 1 } })),
    );
    assert.ok((await schemaFiles(a.ctx)).databaseBytes > before.databaseBytes);
    assert.throws(refuseBackup, (err: unknown) => err instanceof StorageError && err.code === 'backup_unsupported' && /pg_dump/.test(err.message) && /wirefeed db copy/.test(err.message));
  });
});

async function until(cond: () => Promise<boolean>, what: string, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
