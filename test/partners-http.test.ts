// Partners over real HTTP: accounts and keys through the admin API, keys on the usual feed
// URLs (fast lane and Express alike), entitlement per channel, 401/403 with their headers, and
// partners-only sources leaking through no public path. Keys never reach the database or a log.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { runCli } from '../src/cli/main.js';
import { createStreamLogger } from '../src/log.js';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import { createPartnerService } from '../src/services/partners.js';
import { ADMIN_TOKEN, addSource, articleInput, ingest, startServer, type TestServer } from './http-fixtures.js';
import { describeBackends } from './support/backends.js';

interface Res {
  status: number;
  headers: Headers;
  text: string;
  // Bodies are checked field by field.
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function call(srv: TestServer, method: string, p: string, opts: { body?: unknown; bearer?: string | null; headers?: Record<string, string> } = {}): Promise<Res> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.bearer !== null && opts.bearer !== undefined) headers.Authorization = `Bearer ${opts.bearer}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  const r = await fetch(srv.url + p, { method, headers, body });
  const text = await r.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
}

const admin = (srv: TestServer, method: string, p: string, body?: unknown) => call(srv, method, p, { body, bearer: ADMIN_TOKEN });
const feed = (srv: TestServer, p: string, key?: string) => call(srv, 'GET', p, { bearer: key ?? null });

/**
 * A public source and a partners-only one, each with a story whose words are unique, so any
 * output can be searched for a leak; a public channel over everything, one naming the licensed
 * source explicitly, and a partners channel.
 */
async function seed(srv: TestServer) {
  const open = await addSource(srv.storage, 'open-wire');
  const licensed = await addSource(srv.storage, 'licensed-wire', { title: 'Licensed Wire' });
  await ingest(srv.storage, open.id, [articleInput('pub-1', { title: 'Openstory harbour reopens', categories: [{ term: 'world' }] })]);
  await ingest(srv.storage, licensed.id, [articleInput('lic-1', { title: 'Secretstory exclusive interview', categories: [{ term: 'world' }] })]);
  await admin(srv, 'PATCH', '/api/sources/licensed-wire', { visibility: 'partners' });
  const mk = (slug: string, body: object) => admin(srv, 'POST', '/api/channels', { slug, title: slug, ...body });
  assert.equal((await mk('world', { filter: { categories: ['world'] } })).status, 201);
  assert.equal((await mk('named', { filter: { sourceIds: [open.id, licensed.id] } })).status, 201);
  const premium = await mk('premium', { filter: { sourceIds: [open.id, licensed.id] }, visibility: 'partners' });
  assert.equal(premium.status, 201);
  assert.equal(premium.json.visibility, 'partners');
  assert.equal((await mk('other-premium', { visibility: 'partners' })).status, 201);
  return { open, licensed };
}

async function partnerWithKey(srv: TestServer, slug: string, channels: string[]): Promise<string> {
  const p = await admin(srv, 'POST', '/api/partners', { slug, name: `Partner ${slug}`, channels });
  assert.equal(p.status, 201, p.text);
  const k = await admin(srv, 'POST', `/api/partners/${slug}/keys`);
  assert.equal(k.status, 201, k.text);
  return k.json.key as string;
}

describeBackends('partners over HTTP', function (backend) {
  this.timeout(20_000);
  let srv: TestServer;
  beforeEach(async () => {
    srv = await startServer({ storage: await backend.open() });
    await seed(srv);
  });
  afterEach(() => srv.close());

  describe('accounts', () => {
    it('creates, lists, shows, patches and deletes a partner with the documented shapes', async () => {
      const created = await admin(srv, 'POST', '/api/partners', {
        slug: 'daily-planet',
        name: 'Daily Planet',
        contact: 'desk@planet.example',
        channels: ['premium'],
        rateLimit: { requests: 100, perSeconds: 60 },
        rightsPolicy: { excludeAssetsMatching: ['NO MARKETING'], requireCredit: true, creditLine: 'prepend' },
      });
      assert.equal(created.status, 201);
      assert.equal(created.headers.get('location'), '/api/partners/daily-planet');
      assert.deepEqual(
        { ...created.json.partner, id: 0, createdAt: '', updatedAt: '' },
        {
          id: 0,
          slug: 'daily-planet',
          name: 'Daily Planet',
          contact: 'desk@planet.example',
          channels: ['premium'],
          rateLimit: { requests: 100, perSeconds: 60 },
          rightsPolicy: { excludeAssetsMatching: ['NO MARKETING'], requireCredit: true, creditLine: 'prepend' },
          active: true,
          createdAt: '',
          updatedAt: '',
        },
      );
      assert.deepEqual((await admin(srv, 'GET', '/api/partners')).json.partners.map((p: { slug: string }) => p.slug), ['daily-planet']);
      assert.equal((await admin(srv, 'GET', '/api/partners/daily-planet')).json.partner.name, 'Daily Planet');
      const patched = await admin(srv, 'PATCH', '/api/partners/daily-planet', { channels: ['premium', 'other-premium'], rateLimit: null, active: false });
      assert.equal(patched.status, 200);
      assert.deepEqual(patched.json.partner.channels, ['premium', 'other-premium']);
      assert.equal(patched.json.partner.rateLimit, undefined);
      assert.equal(patched.json.partner.active, false);
      assert.equal((await admin(srv, 'DELETE', '/api/partners/daily-planet')).status, 204);
      assert.equal((await admin(srv, 'GET', '/api/partners/daily-planet')).status, 404);
    });

    const invalid: { name: string; body: unknown; status: number; code: string }[] = [
      { name: 'bad slug', body: { slug: 'Bad Slug', name: 'x', channels: [] }, status: 422, code: 'invalid_body' },
      { name: 'unknown channel', body: { slug: 'p1', name: 'x', channels: ['nope'] }, status: 422, code: 'unknown_channel' },
      { name: 'bad rate limit', body: { slug: 'p1', name: 'x', channels: [], rateLimit: { requests: 0, perSeconds: 60 } }, status: 422, code: 'invalid_body' },
      { name: 'bad credit line', body: { slug: 'p1', name: 'x', channels: [], rightsPolicy: { creditLine: 'sideways' } }, status: 422, code: 'invalid_body' },
      { name: 'unknown field', body: { slug: 'p1', name: 'x', channels: [], plan: 'gold' }, status: 422, code: 'invalid_body' },
    ];
    for (const c of invalid) {
      it(`refuses ${c.name} with ${c.status} ${c.code}`, async () => {
        const r = await admin(srv, 'POST', '/api/partners', c.body);
        assert.equal(r.status, c.status, r.text);
        assert.equal(r.json.error.code, c.code);
      });
    }

    it('refuses a duplicate slug with 409 and needs the admin token', async () => {
      await partnerWithKey(srv, 'p1', []);
      assert.equal((await admin(srv, 'POST', '/api/partners', { slug: 'p1', name: 'again', channels: [] })).status, 409);
      assert.equal((await call(srv, 'GET', '/api/partners')).status, 401);
      assert.equal((await call(srv, 'POST', '/api/partners/p1/keys')).status, 401);
    });
  });

  describe('keys', () => {
    it('are shown once, look like wf_live_…, carry ≥128 random bits, and only a hash reaches the database', async () => {
      await admin(srv, 'POST', '/api/partners', { slug: 'p1', name: 'P1', channels: ['premium'] });
      const k = await admin(srv, 'POST', '/api/partners/p1/keys');
      assert.equal(k.status, 201);
      assert.equal(k.headers.get('cache-control'), 'no-store');
      assert.match(k.json.key, /^wf_live_[A-Za-z0-9_-]{32}$/, '24 random bytes = 192 bits');
      assert.ok(k.json.key.startsWith(k.json.prefix) && k.json.prefix.length < 16);
      const listed = await admin(srv, 'GET', '/api/partners/p1/keys');
      assert.deepEqual(Object.keys(listed.json.keys[0]).sort(), ['createdAt', 'keyId', 'partnerId', 'prefix']);
      assert.ok(!listed.text.includes(k.json.key) && !listed.text.includes(k.json.key.slice(12)));
      const other = await admin(srv, 'POST', '/api/partners/p1/keys');
      assert.notEqual(other.json.key, k.json.key);
    });

    // SQLite files: once, not per backend.
    if (backend.name === 'sqlite') it('a file database holds no key, not even its random part', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-keys-'));
      const file = path.join(dir, 'k.db');
      try {
        const storage = openSqliteStorage({ path: file });
        const partners = createPartnerService({ storage });
        await storage.channels.create({ slug: 'c', title: 'c', now: '2025-01-01T00:00:00.000Z' });
        await partners.create({ slug: 'p', name: 'P', channels: ['c'] });
        const keys = [await partners.createKey('p'), await partners.createKey('p')];
        assert.equal((await partners.authenticate(keys[0]!.key)).kind, 'partner');
        await partners.close();
        await storage.close();
        const db = new Database(file, { readonly: true });
        const dump = db
          .prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`)
          .pluck()
          .all()
          .flatMap((t) => db.prepare(`SELECT * FROM "${t as string}"`).raw(true).all())
          .flat()
          .map(String)
          .join('\n');
        db.close();
        const raw = (await import('node:fs')).readFileSync(file).toString('latin1');
        for (const k of keys) {
          const secretPart = k.key.slice(k.prefix.length);
          assert.ok(!dump.includes(secretPart) && !raw.includes(secretPart), 'no key in any table or byte of the file');
          assert.ok(dump.includes(k.keyId));
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('lifecycle: use (header and ?key=), lastUsedAt, rotate with no gap, revoke takes effect at once, also on the cached path', async () => {
      const k1 = await partnerWithKey(srv, 'p1', ['premium']);
      for (let i = 0; i < 2; i++) assert.equal((await feed(srv, '/feeds/premium.json', k1)).status, 200, `request ${i} (render, then fast lane)`);
      assert.equal((await feed(srv, `/feeds/premium.json?key=${k1}`)).status, 200);
      await srv.partners.flush();
      const [used] = (await admin(srv, 'GET', '/api/partners/p1/keys')).json.keys;
      assert.ok(used.lastUsedAt, 'lastUsedAt recorded');

      // Rotation: the second key works before the first is revoked.
      const k2 = (await admin(srv, 'POST', '/api/partners/p1/keys')).json.key as string;
      assert.equal((await feed(srv, '/feeds/premium.json', k2)).status, 200);
      assert.equal((await feed(srv, '/feeds/premium.json', k1)).status, 200);
      assert.equal((await admin(srv, 'DELETE', `/api/partners/p1/keys/${used.keyId}`)).status, 204);
      const revoked = await feed(srv, '/feeds/premium.json', k1);
      assert.equal(revoked.status, 401);
      assert.equal(revoked.json.error.code, 'invalid_key');
      assert.equal((await feed(srv, `/feeds/premium.json?key=${k1}`)).status, 401);
      assert.equal((await feed(srv, '/feeds/premium.json', k2)).status, 200, 'the other key keeps working');
      const keys = (await admin(srv, 'GET', '/api/partners/p1/keys')).json.keys as { keyId: string; revokedAt?: string }[];
      assert.ok(keys.find((k) => k.keyId === used.keyId)!.revokedAt);
      assert.equal((await admin(srv, 'DELETE', '/api/partners/p1/keys/key_nope')).status, 404);
    });

    if (backend.name === 'sqlite') it('a key revoked by another process (the CLI) stops working on the next request', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-revoke-'));
      const env = { WIREFEED_DATA_DIR: dir, LOG_LEVEL: 'silent', WIREFEED_DEMO: '0' };
      const out = { out: '', err: '' };
      const io = { out: (s: string) => (out.out += s), err: (s: string) => (out.err += s) };
      try {
        const storage = openSqliteStorage({ path: path.join(dir, 'wirefeed.db') });
        await storage.channels.create({ slug: 'premium', title: 'Premium', visibility: 'partners', now: '2025-01-01T00:00:00.000Z' });
        const server = createPartnerService({ storage });
        assert.equal(await runCli(['partners', 'add', 'p1', '--name', 'P1', '-c', 'premium', '--rate-limit', '60/60'], env, io), 0, out.err);
        out.out = '';
        assert.equal(await runCli(['partners', 'keys', 'create', 'p1', '--json'], env, io), 0, out.err);
        const created = JSON.parse(out.out) as { key: string; keyId: string };
        assert.equal((await server.authenticate(created.key)).kind, 'partner');
        assert.equal((await server.authenticateCached(created.key))?.kind, 'partner');
        out.out = '';
        assert.equal(await runCli(['partners', 'list'], env, io), 0);
        assert.match(out.out, /^p1\s+active\s+premium\s+60\/60s\s+P1$/m);
        assert.equal(await runCli(['partners', 'keys', 'revoke', 'p1', created.keyId], env, io), 0, out.err);
        assert.equal(await server.authenticateCached(created.key), undefined, 'the fast lane sees its snapshot is out of date');
        assert.equal((await server.authenticate(created.key)).kind, 'invalid');
        out.out = '';
        assert.equal(await runCli(['partners', 'show', 'p1'], env, io), 0);
        const shown = JSON.parse(out.out) as { keys: { revokedAt?: string }[] };
        assert.ok(shown.keys[0]!.revokedAt);
        assert.ok(!out.out.includes(created.key));
        assert.equal(await runCli(['partners', 'keys', 'revoke', 'p1', 'key_missing'], env, io), 2);
        await server.close();
        await storage.close();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('entitlement: 401 and 403 with their headers', () => {
    const cases: { name: string; path: string; key: 'none' | 'entitled' | 'other' | 'garbage' | 'inactive'; status: number; challenge?: RegExp; code?: string }[] = [
      { name: 'no key on a partners channel', path: '/feeds/premium.rss', key: 'none', status: 401, challenge: /^Bearer realm="wirefeed"$/, code: 'unauthorized' },
      { name: 'malformed key', path: '/feeds/premium.rss', key: 'garbage', status: 401, challenge: /error="invalid_token"/, code: 'invalid_key' },
      { name: 'malformed key even on a public feed', path: '/feeds/all.rss', key: 'garbage', status: 401, challenge: /error="invalid_token"/, code: 'invalid_key' },
      { name: 'a key not entitled to the channel', path: '/feeds/premium.atom', key: 'other', status: 403, challenge: /error="insufficient_scope"/, code: 'not_entitled' },
      { name: 'a key of an inactive account', path: '/feeds/premium.json', key: 'inactive', status: 403, code: 'partner_inactive' },
      { name: 'no key on a partners-only source', path: '/feeds/sources/licensed-wire.json', key: 'none', status: 401, challenge: /^Bearer/ },
      { name: 'a key not entitled to a channel naming the source', path: '/feeds/sources/licensed-wire.json', key: 'other', status: 403 },
      { name: 'the entitled key', path: '/feeds/premium.rss', key: 'entitled', status: 200 },
      { name: 'the entitled key on the licensed source', path: '/feeds/sources/licensed-wire.rss', key: 'entitled', status: 200 },
      { name: 'any key on a public feed', path: '/feeds/world.json', key: 'other', status: 200 },
      { name: 'no key on a public feed', path: '/feeds/world.json', key: 'none', status: 200 },
    ];
    let keys: Record<string, string | undefined>;
    beforeEach(async () => {
      keys = {
        none: undefined,
        garbage: 'wf_live_not-a-real-key',
        entitled: await partnerWithKey(srv, 'entitled', ['premium']),
        other: await partnerWithKey(srv, 'other', ['other-premium']),
        inactive: await partnerWithKey(srv, 'sleepy', ['premium']),
      };
      await admin(srv, 'PATCH', '/api/partners/sleepy', { active: false });
    });
    for (const c of cases) {
      it(`${c.name}: ${c.status}, on the render path and the cached path`, async () => {
        // Warm every variant first so the second round is served by the fast lane.
        await feed(srv, c.path, keys.entitled);
        for (const round of ['first', 'cached']) {
          const r = await feed(srv, c.path, keys[c.key]);
          assert.equal(r.status, c.status, `${round}: ${r.text}`);
          if (c.challenge) assert.match(r.headers.get('www-authenticate') ?? '', c.challenge, round);
          if (c.code) assert.equal(r.json.error.code, c.code);
          if (c.status !== 200) {
            assert.equal(r.headers.get('cache-control'), 'no-store');
            assert.ok(!r.text.includes('Secretstory'));
          } else if (c.key !== 'none') {
            assert.match(r.headers.get('cache-control') ?? '', /^private/, 'a partner response is never stored by a shared cache');
            assert.match(r.headers.get('vary') ?? '', /Authorization/);
          } else {
            assert.match(r.headers.get('cache-control') ?? '', /^public/);
          }
        }
      });
    }

    it('the ?key= parameter is never part of the feed query nor of the links in the document', async () => {
      const r = await feed(srv, `/feeds/premium.json?after=0&key=${keys.entitled}`);
      assert.equal(r.status, 200);
      assert.ok(!r.text.includes(keys.entitled!), 'no key echoed in self/next links');
      assert.match(r.json.next_url, /\/feeds\/premium\.json\?after=\d+$/);
      const twice = await feed(srv, `/feeds/premium.json?key=a&key=b`);
      assert.equal(twice.status, 400);
    });
  });

  describe('partners-only content leaks through no public path', () => {
    let key: string;
    beforeEach(async () => {
      key = await partnerWithKey(srv, 'entitled', ['premium']);
    });

    const publicPaths = [
      ...['rss', 'atom', 'json'].flatMap((f) => [`/feeds/all.${f}`, `/feeds/world.${f}`, `/feeds/named.${f}`, `/feeds/all.${f}?after=0`, `/feeds/all.${f}?q=exclusive`, `/feeds/named.${f}?q=exclusive&after=0`]),
      '/feeds/all.json?category=world',
      '/feeds/all',
      '/feeds/world',
      '/feeds/named',
      '/',
    ];
    for (const p of publicPaths) {
      it(`anonymous ${p} carries nothing from the licensed source`, async () => {
        // A partner reading the same feed first must not change what the public gets.
        await feed(srv, p, key);
        for (const round of ['first', 'cached']) {
          const r = await call(srv, 'GET', p, { headers: { Accept: 'text/html' } });
          assert.equal(r.status, 200, `${round} ${r.text.slice(0, 200)}`);
          assert.ok(!/Secretstory|licensed-wire|Licensed Wire|lic-1/.test(r.text), `${round}: leak in ${p}`);
          if (p !== '/' && !p.includes('exclusive')) assert.ok(r.text.includes('Openstory'), `${round}: the public story is there`);
        }
      });
    }

    it('the index lists neither partners channels nor partners sources', async () => {
      const r = await call(srv, 'GET', '/', { headers: { Accept: 'text/html' } });
      assert.ok(!r.text.includes('/feeds/premium') && !r.text.includes('other-premium'));
      assert.ok(r.text.includes('/feeds/world') && r.text.includes('open-wire'));
    });

    const hiddenPages = ['/feeds/premium', '/feeds/sources/licensed-wire'];
    for (const p of hiddenPages) {
      it(`the human page ${p} does not exist publicly (404)`, async () => {
        const r = await call(srv, 'GET', p, { headers: { Accept: 'text/html' } });
        assert.equal(r.status, 404);
        assert.ok(!r.text.includes('Secretstory'));
      });
    }

    it('the entitled partner gets the licensed story in its channel and in the source feed, in all three formats', async () => {
      for (const f of ['rss', 'atom', 'json']) {
        for (const p of [`/feeds/premium.${f}`, `/feeds/sources/licensed-wire.${f}`]) {
          const r = await feed(srv, p, key);
          assert.equal(r.status, 200, p);
          assert.ok(r.text.includes('Secretstory'), p);
        }
      }
      const pub = await feed(srv, '/feeds/world.json', key);
      assert.ok(!pub.text.includes('Secretstory'), 'a public channel stays public, key or not');
    });

    it('turning a source public again publishes it, and partners again hides it (caches follow)', async () => {
      assert.ok(!(await feed(srv, '/feeds/all.json')).text.includes('Secretstory'));
      await admin(srv, 'PATCH', '/api/sources/licensed-wire', { visibility: 'public' });
      assert.ok((await feed(srv, '/feeds/all.json')).text.includes('Secretstory'));
      await admin(srv, 'PATCH', '/api/sources/licensed-wire', { visibility: 'partners' });
      assert.ok(!(await feed(srv, '/feeds/all.json')).text.includes('Secretstory'));
      await admin(srv, 'PATCH', '/api/channels/premium', { visibility: 'public' });
      assert.equal((await feed(srv, '/feeds/premium.json')).status, 200);
      assert.ok(!(await feed(srv, '/feeds/premium.json')).text.includes('Secretstory'), 'a public channel never shows a partners source');
    });

    it('visibility values are validated', async () => {
      const r = await admin(srv, 'PATCH', '/api/channels/world', { visibility: 'secret' });
      assert.equal(r.status, 422);
      const s = await admin(srv, 'POST', '/api/sources', { url: 'https://x.example.com/f.xml', visibility: 'hidden' });
      assert.equal(s.status, 422);
    });
  });
});

describe('partners: secrets never reach a log', function () {
  this.timeout(20_000);
  it('redacts Authorization, ?key= and key-shaped strings in every logged line', async () => {
    const lines: string[] = [];
    const srv = await startServer({ overrides: { log: createStreamLogger('debug', { write: (l: string) => void lines.push(l) }) } });
    try {
      await seed(srv);
      const key = await partnerWithKey(srv, 'p1', ['premium']);
      for (let i = 0; i < 2; i++) {
        await feed(srv, '/feeds/premium.json', key);
        await feed(srv, `/feeds/premium.json?key=${key}`);
        await feed(srv, `/feeds/premium.json?limit=5&key=${key}&after=0`);
        await feed(srv, `/feeds/nope.json?key=${key}`);
        await call(srv, 'GET', `/api/partners?key=${key}`, { bearer: key });
      }
      const log = lines.join('');
      assert.ok(lines.length >= 10, 'the requests were logged');
      assert.ok(log.includes('key=[REDACTED]'));
      assert.ok(!log.includes(key.slice(8)), 'no key in the log');
      assert.ok(!log.includes(ADMIN_TOKEN), 'no admin token in the log');
    } finally {
      await srv.close();
    }
  });
});
