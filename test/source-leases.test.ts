// Fetch leases (issue 13 §2): two instances on one database, each a Storage of its own, claim
// due sources; a source is never leased twice at once, an expired lease is taken over with a
// higher token, a write under a lost lease changes nothing, and no host passes its limit.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ArticleInput } from '../src/model/types.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import type { ClaimedSource, FetchRecord, Storage } from '../src/storage/repos.js';
import { createArticleReads } from '../src/storage/postgres/article-repo.js';
import { createPgContext, notifyChannel } from '../src/storage/postgres/context.js';
import { createFetchLogRepo, createIngestRepo, type IngestLifecycle } from '../src/storage/postgres/ingest-repo.js';
import { createLeaseRepo } from '../src/storage/postgres/lease-repo.js';
import { migratePostgres } from '../src/storage/postgres/migrations.js';
import { createPool } from '../src/storage/postgres/pool.js';
import { createSourceRepo } from '../src/storage/postgres/source-repo.js';
import { describePg, dropSchema, freshSchemaName, PG_TEST_URL } from './support/pg-schema.js';
import { prng } from './support/prng.js';

const T0 = '2026-03-01T10:00:00.000Z';
const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();
const LEASE_S = 60;

/** What these tests use of a Storage (the PostgreSQL side is assembled from its repositories). */
type LeaseCore = Pick<Storage, 'sources' | 'leases' | 'ingest' | 'fetchLog'> & { articles: Pick<Storage['articles'], 'count'> };

interface Pair {
  a: LeaseCore;
  b: LeaseCore;
  close(): Promise<void>;
}

/** Two handles on one SQLite file: two processes' worth of connections (and writer threads). */
/** The fetches here add articles only: no revision or event is ever needed. */
const noLifecycle: IngestLifecycle = {
  storeRevision: () => Promise.reject(new Error('no lifecycle in this test')),
  applyArticleEvent: () => Promise.reject(new Error('no lifecycle in this test')),
};

/** Two instances on one fresh PostgreSQL schema: a pool and context each. */
async function pgPair(): Promise<Pair> {
  const schema = freshSchemaName();
  const pools = [createPool({ url: PG_TEST_URL!, schema, size: 3 }), createPool({ url: PG_TEST_URL!, schema, size: 3 })];
  await migratePostgres(pools[0]!, { schema });
  const [a, b] = pools.map((pool, i): LeaseCore => {
    const ctx = createPgContext({ pool, channel: notifyChannel(schema), origin: `lease-test-${i}` });
    return {
      sources: createSourceRepo(ctx),
      leases: createLeaseRepo(ctx),
      ingest: createIngestRepo(ctx, noLifecycle),
      fetchLog: createFetchLogRepo(ctx),
      articles: createArticleReads(ctx),
    };
  });
  return {
    a: a!,
    b: b!,
    async close() {
      await Promise.all(pools.map((p) => p.end()));
      await dropSchema(schema);
    },
  };
}

function sqlitePair(): Pair {
  const dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-leases-'));
  const file = path.join(dir, 'w.db');
  const a = openSqliteStorage({ path: file });
  const b = openSqliteStorage({ path: file });
  return {
    a,
    b,
    async close() {
      a.close();
      b.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function addSources(s: LeaseCore, hosts: string[], perHost: number): Promise<number[]> {
  const ids: number[] = [];
  for (const [h, host] of hosts.entries()) {
    for (let i = 0; i < perHost; i++) {
      const src = await s.sources.create({ url: `http://${host}/feed-${i}.xml`, slug: `h${h}-s${i}`, nextFetchAt: at(-60 + i), now: at(-120) });
      ids.push(src.id);
    }
  }
  return ids;
}

function claim(s: LeaseCore, owner: string, now: string, limit: number, perHostLimit = 100): Promise<ClaimedSource[]> {
  return s.leases.claimDue({ owner, now, leaseUntil: new Date(Date.parse(now) + LEASE_S * 1000).toISOString(), limit, perHostLimit });
}

const item = (key: string): ArticleInput => ({ identityKey: key, identityKind: 'guid', guid: key, title: `T ${key}`, authors: [], categories: [], assets: [], contentHash: `h-${key}`, publishedAt: T0 });

function record(sourceId: number, now: string, items: ArticleInput[], etag: string): FetchRecord {
  return { sourceId, startedAt: now, ms: 5, outcome: 'modified', httpStatus: 200, warnings: [], items, now, source: { lastFetchedAt: now, etag, nextFetchAt: at(3600) } };
}

function suite(name: string, open: () => Pair | Promise<Pair>, describeIt: (title: string, fn: (this: Mocha.Suite) => void) => void = describe): void {
  describeIt(`source leases (${name})`, function () {
    this.timeout(30_000);
    let pair: Pair;
    beforeEach(async () => {
      pair = await open();
    });
    afterEach(async () => {
      await pair.close();
    });

    it('two claimers never get the same source, and together get every due one once', async () => {
      const ids = await addSources(pair.a, ['a.test', 'b.test', 'c.test', 'd.test'], 25);
      const seen = new Map<number, string>();
      // Interleaved concurrent claims by two instances until nothing is left.
      for (;;) {
        const [x, y] = await Promise.all([claim(pair.a, 'one', at(0), 7), claim(pair.b, 'two', at(0), 5)]);
        for (const [owner, got] of [['one', x], ['two', y]] as const) {
          for (const c of got) {
            assert.equal(seen.get(c.source.id), undefined, `source ${c.source.id} claimed by ${seen.get(c.source.id)} and ${owner}`);
            seen.set(c.source.id, owner);
            assert.equal(c.lease.owner, owner);
            assert.equal(c.lease.token, 1);
          }
        }
        if (!x.length && !y.length) break;
      }
      assert.deepEqual([...seen.keys()].sort((p, q) => p - q), ids);
      assert.ok([...seen.values()].includes('one') && [...seen.values()].includes('two'));
    });

    it('claims earliest due first and leaves sources not yet due alone', async () => {
      await addSources(pair.a, ['a.test'], 5); // due at -60 … -56
      const later = await pair.a.sources.create({ url: 'http://a.test/later.xml', slug: 'later', nextFetchAt: at(30), now: at(-120) });
      const got = await claim(pair.a, 'one', at(0), 3);
      assert.deepEqual(got.map((c) => c.source.slug), ['h0-s0', 'h0-s1', 'h0-s2']);
      const rest = await claim(pair.b, 'two', at(0), 10);
      assert.deepEqual(rest.map((c) => c.source.slug), ['h0-s3', 'h0-s4']);
      assert.ok(!rest.some((c) => c.source.id === later.id));
    });

    it('an expired lease is claimable again, with a higher token; a live one is not', async () => {
      const [id] = await addSources(pair.a, ['a.test'], 1);
      const [first] = await claim(pair.a, 'one', at(0), 1);
      assert.equal(first!.lease.token, 1);
      assert.deepEqual(await claim(pair.b, 'two', at(LEASE_S - 1), 1), []);
      const [second] = await claim(pair.b, 'two', at(LEASE_S), 1);
      assert.equal(second!.source.id, id);
      assert.equal(second!.lease.owner, 'two');
      assert.equal(second!.lease.token, 2);
      // The first holder can no longer renew or release it.
      assert.deepEqual(await pair.a.leases.renewLeases('one', [first!.lease], at(LEASE_S + 100)), []);
      await pair.a.leases.releaseLeases('one', [first!.lease]);
      assert.deepEqual(await pair.a.leases.liveLeases(at(LEASE_S + 1)), [{ host: 'a.test', leases: 1 }]);
      // Renewal by the holder keeps it past the original end.
      assert.deepEqual(await pair.b.leases.renewLeases('two', [second!.lease], at(3 * LEASE_S)), [id]);
      assert.deepEqual(await claim(pair.a, 'one', at(2 * LEASE_S + 1), 1), []);
    });

    it('a claimed source reports the time it was due, and a released one is due again at that time', async () => {
      const [id] = await addSources(pair.a, ['a.test'], 1); // due at -60
      const [first] = await claim(pair.a, 'one', at(0), 1);
      assert.equal(first!.source.nextFetchAt, at(-60));
      assert.deepEqual(await claim(pair.b, 'two', at(1), 1), []);
      await pair.a.leases.releaseLeases('one', [first!.lease]);
      const [again] = await claim(pair.b, 'two', at(1), 1);
      assert.equal(again!.source.id, id);
      assert.equal(again!.source.nextFetchAt, at(-60));
      assert.equal(again!.lease.token, 2);
      // Released without a fetch, a source keeps its place in the due order.
      await pair.b.leases.releaseLeases('two', [again!.lease]);
      const later = await pair.a.sources.create({ url: 'http://a.test/later.xml', slug: 'later', nextFetchAt: at(-30), now: at(-120) });
      assert.deepEqual((await claim(pair.a, 'one', at(2), 2)).map((c) => c.source.id), [id, later.id]);
    });

    it('a fenced write changes nothing; the current holder writes and frees the lease', async () => {
      const [id] = await addSources(pair.a, ['a.test'], 1);
      const [old] = await claim(pair.a, 'one', at(0), 1);
      const [cur] = await claim(pair.b, 'two', at(LEASE_S + 1), 1); // one paused past its lease
      const before = await pair.a.sources.get(id!);
      const fenced = await pair.a.ingest.recordFetch({ ...record(id!, at(LEASE_S + 2), [item('stale')], '"old"'), lease: old!.lease });
      assert.equal(fenced.fenced, true);
      assert.ok(fenced.fenced && fenced.current.owner === 'two' && fenced.current.token === 2);
      assert.deepEqual(await pair.b.sources.get(id!), before);
      assert.equal(await pair.b.articles.count(), 0);
      assert.deepEqual(await pair.b.fetchLog.list(id!, 10), []);

      const ok = await pair.b.ingest.recordFetch({ ...record(id!, at(LEASE_S + 3), [item('fresh')], '"new"'), lease: cur!.lease });
      assert.ok(!ok.fenced);
      assert.equal(ok.itemsNew, 1);
      assert.equal((await pair.a.sources.get(id!))!.etag, '"new"');
      assert.deepEqual(await pair.a.leases.liveLeases(at(LEASE_S + 4)), []);
      // The same lease cannot write twice, and an unleased write (a manual refresh) is not fenced.
      assert.equal((await pair.b.ingest.recordFetch({ ...record(id!, at(LEASE_S + 5), [item('again')], '"x"'), lease: cur!.lease })).fenced, true);
      assert.equal((await pair.a.ingest.recordFetch(record(id!, at(LEASE_S + 6), [item('manual')], '"m"'))).itemsNew, 1);
    });

    it('no host ever has more live leases than the limit, with concurrent claimers', async () => {
      const hosts = ['a.test', 'b.test', 'c.test:8080', 'c.test:8081'];
      const n = (await addSources(pair.a, hosts, 12)).length;
      const rnd = prng(13);
      const storages = [pair.a, pair.b];
      const held: ClaimedSource[] = [];
      let claimedTotal = 0;
      for (let round = 0; claimedTotal < n && round < 500; round++) {
        const got = await Promise.all(storages.map((s, i) => claim(s, `i${i}`, at(round), 1 + Math.floor(rnd() * 4), 2)));
        for (const g of got) held.push(...g);
        claimedTotal += got.flat().length;
        const live = await pair.a.leases.liveLeases(at(round));
        for (const l of live) assert.ok(l.leases <= 2, `${l.host} has ${l.leases} live leases`);
        assert.equal(
          live.reduce((n, l) => n + l.leases, 0),
          held.length,
        );
        // Finish a random part of what is held (the write frees the lease).
        for (const c of held.splice(0, Math.floor(rnd() * (held.length + 1)))) {
          const out = await storages[Number(c.lease.owner.slice(1))]!.ingest.recordFetch({ ...record(c.source.id, at(round), [], '"e"'), lease: c.lease });
          assert.ok(!out.fenced);
        }
      }
      assert.equal(claimedTotal, n, 'every source claimed exactly once');
    });
  });
}

suite('sqlite', sqlitePair);
suite('postgres', pgPair, describePg);
