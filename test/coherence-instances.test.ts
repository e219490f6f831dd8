// Two real server processes on one PostgreSQL schema (issue 13 §4): behind a load balancer a
// reader must get the same bytes and the same strong ETag from either instance, and a change
// committed through one must be served by the other within a second (its commit notice, not a
// cache expiry), long-polled cursor requests held on the other included.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { cursorReaders } from './support/cursor-reader.js';
import { ensureBuilt, startServerProcess, type ServerProcess } from './support/binary.js';
import { describePg, dropSchema, freshSchemaName, PG_TEST_URL, schemaUrl } from './support/pg-schema.js';

const ADMIN_TOKEN = 'coherence-admin-token-0123456789';
const FEEDS = ['/feeds/all.rss', '/feeds/all.atom', '/feeds/all.json'];

interface Served {
  status: number;
  etag: string | null;
  encoding: string | null;
  body: Buffer;
}

/** node:http, not fetch: fetch would decode gzip, and the bytes on the wire are what must match. */
function get(base: string, p: string, gzip: boolean): Promise<Served> {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}${p}`, { headers: { 'accept-encoding': gzip ? 'gzip' : 'identity' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, etag: (res.headers.etag as string | undefined) ?? null, encoding: (res.headers['content-encoding'] as string | undefined) ?? null, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

async function pgQuery<T>(schema: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: PG_TEST_URL });
  await c.connect();
  try {
    await c.query(`SET search_path TO ${schema}`);
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

async function until(what: string, ok: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describePg('two server processes on one PostgreSQL schema', function () {
  this.timeout(60_000);
  let schema: string;
  let dirs: string[];
  let servers: ServerProcess[];

  before(() => ensureBuilt());
  beforeEach(async function () {
    schema = freshSchemaName();
    dirs = [];
    servers = [];
    await pgQuery('public', `CREATE SCHEMA ${schema}`);
    // The server takes its schema from the URL: libpq's `options` sets search_path per session.
    const url = schemaUrl(schema);
    for (const id of ['web-1', 'web-2']) {
      const dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-coherence-'));
      dirs.push(dir);
      servers.push(
        await startServerProcess({
          cwd: dir,
          env: {
            WIREFEED_DATA_DIR: dir,
            WIREFEED_DATABASE_URL: url,
            WIREFEED_BASE_URL: 'https://feeds.example.test',
            WIREFEED_DEMO: '1',
            WIREFEED_ADMIN_TOKEN: ADMIN_TOKEN,
            WIREFEED_INSTANCE_ID: id,
            // No re-render pacing (default: a render under 1 s old is served while writes go
            // on): what is timed here is how fast the other instance hears the commit.
            WIREFEED_RENDER_INTERVAL_MS: '0',
            LOG_LEVEL: 'info',
          },
        }),
      );
    }
    // Each instance refreshes at start-up; the first to claim a demo source stores its stories.
    await until('a start-up refresh', async () => servers.some((s) => /"msg":"refresh run finished"/.test(s.logs())), 30_000);
    await until('both instances serving the demo stories', async () => {
      const tags = await Promise.all(servers.map(async (s) => (await get(s.url, '/feeds/all.json', false)).etag));
      return tags[0] !== null && tags[0] === tags[1];
    }, 5_000);
  });
  afterEach(async function () {
    await Promise.all(servers.map((s) => s.stop()));
    if (this.currentTest?.state === 'failed') for (const s of servers) process.stderr.write(`--- ${s.url}\n${s.logs().slice(-4000)}\n`);
    await dropSchema(schema);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const [one, two] = [() => servers[0]!, () => servers[1]!];

  async function sameOnBoth(): Promise<Map<string, string>> {
    const tags = new Map<string, string>();
    for (const p of FEEDS) {
      for (const gzip of [false, true]) {
        const [a, b] = await Promise.all([get(one().url, p, gzip), get(two().url, p, gzip)]);
        const label = `${p}${gzip ? ' (gzip)' : ''}`;
        assert.equal(a.status, 200, label);
        assert.equal(b.status, 200, label);
        assert.match(a.etag ?? '', /^"[^"]+"$/, `${label}: a strong ETag`);
        assert.equal(b.etag, a.etag, `${label}: same ETag on both`);
        assert.ok(a.body.equals(b.body), `${label}: same bytes on both`);
        assert.equal(a.encoding, gzip ? 'gzip' : null, `${label}: Content-Encoding`);
        assert.equal(b.encoding, a.encoding, label);
        tags.set(label, a.etag!);
      }
    }
    return tags;
  }

  it('report their own instance id and storage on /healthz', async () => {
    for (const [i, s] of servers.entries()) {
      const h = (await (await fetch(`${s.url}/healthz`)).json()) as { status: string; storage: string; instance: string };
      assert.equal(h.status, 'ok');
      assert.equal(h.storage, 'postgres');
      assert.equal(h.instance, `web-${i + 1}`);
    }
  });

  it('serve byte-identical feeds with identical strong ETags; a kill on one is served by the other within a second', async () => {
    const rss = await get(one().url, '/feeds/all.rss', false);
    assert.match(rss.body.toString(), /<item>/, 'the demo stories are in the feed');
    const before = await sameOnBoth();

    const id = (await pgQuery<{ id: string }>(schema, 'SELECT id FROM articles ORDER BY id LIMIT 1'))[0]!.id;
    const cursor = (await pgQuery<{ value: string }>(schema, "SELECT value FROM counters WHERE name = 'seq'"))[0]!.value;
    // A cursor request held on instance 2 until something newer than `cursor` is committed.
    const held = fetch(`${two().url}/feeds/all.atom?after=${cursor}&wait=30`).then(async (r) => ({ at: Date.now(), status: r.status, body: await r.text() }));
    await new Promise((r) => setTimeout(r, 300));

    const oldAtom = await get(two().url, '/feeds/all.atom', false);
    const kill = await fetch(`${one().url}/api/articles/${id}/kill`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    const killedAt = Date.now();
    assert.equal(kill.status, 200, await kill.clone().text());

    const changedAt = async (s: ServerProcess): Promise<number> => {
      let at = 0;
      await until(`${s.url} to serve the kill`, async () => {
        if ((await get(s.url, '/feeds/all.atom', false)).etag === oldAtom.etag) return false;
        at = Date.now();
        return true;
      }, 5_000);
      return at;
    };
    const [oneAt, seenAt] = await Promise.all([changedAt(one()), changedAt(two())]);
    assert.ok(oneAt - killedAt <= 1000, `instance 1 served its own kill ${oneAt - killedAt} ms after it was committed`);
    assert.ok(seenAt - killedAt <= 1000, `instance 2 served the kill ${seenAt - killedAt} ms after it was committed`);

    const after = await sameOnBoth();
    for (const [label, tag] of after) assert.notEqual(tag, before.get(label), `${label}: ETag changed`);

    const page = await held;
    assert.equal(page.status, 200);
    assert.deepEqual(cursorReaders.atom(page.body).events.map((e) => e.deleted?.status), ['canceled']);
    assert.ok(page.at - killedAt <= 1000, `the held request on instance 2 was answered ${page.at - killedAt} ms after the kill`);
  });
});
