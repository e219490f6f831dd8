// storage/open.ts with a postgres:// URL: the whole Storage on PostgreSQL, its data version across
// instances, and what it refuses.
import assert from 'node:assert/strict';
import net from 'node:net';
import { StorageError } from '../src/errors.js';
import { createPartnerService } from '../src/services/partners.js';
import { openStorage } from '../src/storage/open.js';
import type { Storage } from '../src/storage/repos.js';
import { describePg, dropSchema, freshSchemaName, PG_TEST_URL, schemaUrl } from './support/pg-schema.js';

const T0 = '2025-01-01T00:00:00.000Z';

async function until(cond: () => Promise<boolean>, what: string, ms = 1000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describePg('storage on PostgreSQL through openStorage', () => {
  let schema: string;
  let opened: Storage[];
  beforeEach(() => {
    schema = freshSchemaName();
    opened = [];
  });
  afterEach(async () => {
    for (const s of opened) await s.close();
    await dropSchema(schema);
  });
  const open = async (instanceId: string) => {
    const s = await openStorage({ url: PG_TEST_URL!, schema, poolSize: 3, instanceId });
    opened.push(s);
    return s;
  };

  it('opens every repository on one schema; another instance sees its writes within a second', async () => {
    const a = await open('a');
    const b = await open('b');
    assert.equal(a.backend, 'postgres');
    const before = await b.dataVersion();
    const src = await a.sources.create({ url: 'https://feeds.example.com/rss', slug: 'src', nextFetchAt: T0, now: T0 });
    await until(async () => (await b.dataVersion()) !== before, "b's data version to move");
    assert.deepEqual(await b.sources.get(src.id), src);
    // Bookkeeping no feed shows moves nobody's data version.
    const settled = await b.dataVersion();
    await a.websub.setTopicState('t', '', { etag: '"x"' });
    await a.partners.create({ slug: 'p', name: 'P', channels: [], now: T0 });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await b.dataVersion(), settled);
    assert.equal((await b.partners.list()).length, 1);
  });

  it('the schema named in the URL (search_path) is the commit channel: it hears instances given the schema, and not another schema of the database', async () => {
    const viaUrl = (name: string) => schemaUrl(name);
    const other = freshSchemaName();
    const pg = await import('pg');
    const c = new pg.default.Client({ connectionString: PG_TEST_URL });
    await c.connect();
    await c.query(`CREATE SCHEMA ${schema}; CREATE SCHEMA ${other}`).finally(() => c.end());
    try {
      const given = await open('given');
      const named = await openStorage({ url: viaUrl(schema), poolSize: 2, instanceId: 'named' });
      opened.push(named);
      const elsewhere = await openStorage({ url: viaUrl(other), poolSize: 2, instanceId: 'elsewhere' });
      opened.push(elsewhere);

      const quiet = await named.dataVersion();
      await elsewhere.sources.create({ url: 'https://feeds.example.com/other', slug: 'other', nextFetchAt: T0, now: T0 });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(await named.dataVersion(), quiet, "another schema's commit is not heard");
      assert.deepEqual(await named.sources.list(), []);

      const before = await given.dataVersion();
      await named.sources.create({ url: 'https://feeds.example.com/rss', slug: 'src', nextFetchAt: T0, now: T0 });
      await until(async () => (await given.dataVersion()) !== before, "the given-schema instance's data version to move");
      const heard = await named.dataVersion();
      await given.sources.create({ url: 'https://feeds.example.com/atom', slug: 'src2', nextFetchAt: T0, now: T0 });
      await until(async () => (await named.dataVersion()) !== heard, "the URL-named instance's data version to move");
    } finally {
      await dropSchema(other);
    }
  });

  it('a key revoked through another instance stops working on this one as soon as the notice arrives, cached path included', async () => {
    const a = await open('a');
    const b = await open('b');
    const onA = createPartnerService({ storage: a });
    const onB = createPartnerService({ storage: b });
    try {
      await b.channels.create({ slug: 'c', title: 'C', now: T0 });
      await onB.create({ slug: 'p', name: 'P', channels: ['c'] });
      const key = await onB.createKey('p');
      await until(async () => (await onA.authenticate(key.key)).kind === 'partner', "b's new key to work on a");
      assert.equal((await onA.authenticateCached(key.key))?.kind, 'partner');
      await onB.revokeKey('p', key.keyId);
      await until(async () => (await onA.authenticateCached(key.key)) === undefined, "a's key snapshot to go stale");
      assert.equal((await onA.authenticate(key.key)).kind, 'invalid');
    } finally {
      await onA.close();
      await onB.close();
    }
  });

  it('reports its size, refuses a file backup, closes idempotently and then rejects', async () => {
    const s = await open('a');
    const files = await s.files();
    assert.ok(files.databaseBytes > 0);
    assert.equal(files.walBytes, 0);
    await assert.rejects(s.backup('/nonexistent/backup.db'), (err: unknown) => err instanceof StorageError && err.code === 'backup_unsupported' && /pg_dump/.test(err.message));
    await s.maintenance();
    await s.close();
    await s.close();
    await assert.rejects(s.dataVersion(), StorageError);
    await assert.rejects(s.sources.list(), StorageError);
  });

  it('an unreachable server is a StorageError that does not show the password', async () => {
    // A loopback port nobody listens on.
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((r) => server.close(r));
    await assert.rejects(openStorage({ url: `postgres://wf:s3cret@127.0.0.1:${port}/test`, schema, instanceId: 'x' }), (err: unknown) => {
      assert.ok(err instanceof StorageError, String(err));
      assert.ok(!err.message.includes('s3cret'), err.message);
      return true;
    });
  });
});
