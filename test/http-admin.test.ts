import assert from 'node:assert/strict';
import { ValidationError } from '../src/errors.js';
import type { SourceService } from '../src/services/types.js';
import { ADMIN_TOKEN, addSource, articleInput, ingest, startServer, type TestServer } from './http-fixtures.js';
import { describeBackends } from './support/backends.js';

interface Res {
  status: number;
  headers: Headers;
  // Response bodies are checked field by field against literals.
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

async function call(srv: TestServer, method: string, path: string, opts: { body?: unknown; raw?: string; token?: string | null } = {}): Promise<Res> {
  const headers: Record<string, string> = {};
  const token = opts.token === undefined ? ADMIN_TOKEN : opts.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (opts.raw !== undefined || opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = opts.raw ?? JSON.stringify(opts.body);
  }
  const r = await fetch(srv.url + path, { method, headers, body });
  const text = await r.text();
  return { status: r.status, headers: r.headers, json: text ? JSON.parse(text) : undefined };
}

async function seed(srv: TestServer) {
  const wire = await addSource(srv.storage, 'wire');
  await addSource(srv.storage, 'other');
  await ingest(srv.storage, wire.id, [
    articleInput('a', { title: 'Harbour strike ends', categories: [{ term: 'world' }] }),
    articleInput('b', { title: 'Cup final tonight', categories: [{ term: 'sport' }] }),
  ]);
  await srv.storage.channels.create({ slug: 'world', title: 'World', filter: { categories: ['world'] }, now: '2025-01-01T00:00:00.000Z' });
}

describeBackends('http: admin API', (backend) => {
  let srv: TestServer;
  beforeEach(async () => {
    srv = await startServer({ storage: await backend.open() });
    await seed(srv);
  });
  afterEach(() => srv.close());

  describe('authentication', () => {
    const routes: { method: string; path: string; body?: unknown }[] = [
      { method: 'GET', path: '/api/sources' },
      { method: 'POST', path: '/api/sources', body: { url: 'https://new.example.com/feed.xml' } },
      { method: 'GET', path: '/api/sources/wire' },
      { method: 'PATCH', path: '/api/sources/wire', body: { title: 'Hijacked' } },
      { method: 'DELETE', path: '/api/sources/wire' },
      { method: 'POST', path: '/api/sources/wire/refresh' },
      { method: 'GET', path: '/api/sources/wire/fetches' },
      { method: 'GET', path: '/api/channels' },
      { method: 'POST', path: '/api/channels', body: { slug: 'evil', title: 'Evil' } },
      { method: 'PATCH', path: '/api/channels/world', body: { title: 'Hijacked' } },
      { method: 'DELETE', path: '/api/channels/world' },
      { method: 'GET', path: '/api/articles' },
      { method: 'POST', path: '/api/articles/1/withdraw' },
      { method: 'GET', path: '/api/nothing-here' },
    ];
    const creds: { name: string; token: string | null }[] = [
      { name: 'no token', token: null },
      { name: 'wrong token', token: 'wrong-token-0123456789abcdef0000' },
      { name: 'token prefix', token: ADMIN_TOKEN.slice(0, -1) },
    ];
    for (const c of creds) {
      it(`${c.name}: every route answers 401 and nothing is written`, async () => {
        for (const r of routes) {
          const res = await call(srv, r.method, r.path, { body: r.body, token: c.token });
          assert.equal(res.status, 401, `${r.method} ${r.path}`);
          assert.match(String(res.headers.get('www-authenticate')), /^Bearer realm="wirefeed"/);
          assert.equal(res.json.error.code, 'unauthorized');
        }
        assert.deepEqual((await srv.storage.sources.list()).map((s) => [s.slug, s.title]), [
          ['wire', 'Source wire'],
          ['other', 'Source other'],
        ]);
        assert.deepEqual((await srv.storage.channels.list()).map((x) => [x.slug, x.title]), [['world', 'World']]);
        assert.equal((await srv.storage.articles.query({ limit: 10 })).length, 2, 'nothing withdrawn');
        assert.deepEqual(srv.refreshCalls, []);
        assert.equal((await srv.storage.fetchLog.list(1, 10)).length, 1, 'only the seed fetch');
      });
    }

    it('a malformed Authorization header is a 401 too', async () => {
      const r = await fetch(`${srv.url}/api/sources`, { headers: { Authorization: `Basic ${ADMIN_TOKEN}` } });
      assert.equal(r.status, 401);
    });
  });

  describe('sources', () => {
    it('list, get by id and by slug', async () => {
      const list = await call(srv, 'GET', '/api/sources');
      assert.equal(list.status, 200);
      assert.deepEqual(list.json.sources.map((s: { slug: string }) => s.slug), ['wire', 'other']);
      const id = list.json.sources[0].id as number;
      assert.equal((await call(srv, 'GET', `/api/sources/${id}`)).json.slug, 'wire');
      assert.equal((await call(srv, 'GET', '/api/sources/wire')).json.id, id);
    });

    it('add: 201 with Location, then 409 for the same URL', async () => {
      const body = { url: 'https://new.example.com/feed.xml', title: 'New Wire', categories: ['world'] };
      const res = await call(srv, 'POST', '/api/sources', { body });
      assert.equal(res.status, 201);
      assert.equal(res.json.slug, 'new-wire');
      assert.equal(res.headers.get('location'), `/api/sources/${res.json.id}`);
      assert.ok(await srv.storage.sources.getBySlug('new-wire'));
      const dup = await call(srv, 'POST', '/api/sources', { body });
      assert.equal(dup.status, 409);
      assert.equal(dup.json.error.code, 'source_exists');
    });

    const invalid: { name: string; body?: unknown; raw?: string; status: number; code: string }[] = [
      { name: 'url missing', body: { title: 'x' }, status: 422, code: 'invalid_body' },
      { name: 'url not a string', body: { url: 5 }, status: 422, code: 'invalid_body' },
      { name: 'unknown field', body: { url: 'https://x.example.com/f', colour: 'red' }, status: 422, code: 'invalid_body' },
      { name: 'array body', body: [1], status: 422, code: 'invalid_body' },
      { name: 'bad slug', body: { url: 'https://x.example.com/f', slug: 'Not A Slug' }, status: 422, code: 'invalid_body' },
      { name: 'min above max interval', body: { url: 'https://x.example.com/f', minIntervalS: 900, maxIntervalS: 60 }, status: 422, code: 'invalid_body' },
      { name: 'ftp scheme', body: { url: 'ftp://x.example.com/f' }, status: 422, code: 'unsupported_scheme' },
      { name: 'private address', body: { url: 'http://127.0.0.1/feed' }, status: 422, code: 'private_address' },
      { name: 'malformed JSON', raw: '{"url": ', status: 400, code: 'invalid_json' },
      { name: 'no body', status: 400, code: 'invalid_body' },
    ];
    for (const c of invalid) {
      it(`add refuses ${c.name}: ${c.status}`, async () => {
        const res = await call(srv, 'POST', '/api/sources', { body: c.body, raw: c.raw });
        assert.equal(res.status, c.status);
        if (c.code === 'private_address') assert.match(res.json.error.code, /private|address|url/);
        else assert.equal(res.json.error.code, c.code);
        assert.equal((await srv.storage.sources.list()).length, 2, 'nothing stored');
      });
    }

    it('a body over 1 MB is refused with 413', async () => {
      const res = await call(srv, 'POST', '/api/sources', { body: { url: 'https://x.example.com/f', title: 'x'.repeat(1_100_000) } });
      assert.equal(res.status, 413);
    });

    it('patch, with 422 for an empty or bad patch and 404 for an unknown source', async () => {
      const ok = await call(srv, 'PATCH', '/api/sources/wire', { body: { title: 'Renamed', status: 'paused' } });
      assert.equal(ok.status, 200);
      assert.equal(ok.json.title, 'Renamed');
      assert.equal((await srv.storage.sources.getBySlug('wire'))!.status, 'paused');
      assert.equal((await call(srv, 'PATCH', '/api/sources/wire', { body: {} })).status, 422);
      assert.equal((await call(srv, 'PATCH', '/api/sources/wire', { body: { status: 'deleted' } })).status, 422);
      assert.equal((await call(srv, 'PATCH', '/api/sources/nope', { body: { title: 'x' } })).status, 404);
      const clash = await call(srv, 'PATCH', '/api/sources/wire', { body: { slug: 'other' } });
      assert.equal(clash.status, 409);
    });

    it('refresh answers the outcome with its log row, and the fetch log lists it', async () => {
      const res = await call(srv, 'POST', '/api/sources/wire/refresh');
      assert.equal(res.status, 200);
      assert.equal(res.json.slug, 'wire');
      assert.equal(res.json.outcome, 'not-modified');
      assert.equal(res.json.log.httpStatus, 304);
      assert.deepEqual(srv.refreshCalls, [res.json.sourceId]);
      const log = await call(srv, 'GET', '/api/sources/wire/fetches?limit=5');
      assert.equal(log.status, 200);
      assert.equal(log.json.fetches.length, 2, 'the seed fetch and the refresh');
      assert.equal(log.json.fetches.some((f: { id: number }) => f.id === res.json.log.id), true);
      assert.equal((await call(srv, 'GET', '/api/sources/wire/fetches?limit=0')).status, 400);
      assert.equal((await call(srv, 'POST', '/api/sources/nope/refresh')).status, 404);
    });

    it('delete: 204, then 404', async () => {
      assert.equal((await call(srv, 'DELETE', '/api/sources/other')).status, 204);
      assert.equal(await srv.storage.sources.getBySlug('other'), undefined);
      assert.equal((await call(srv, 'GET', '/api/sources/other')).status, 404);
      assert.equal((await call(srv, 'DELETE', '/api/sources/other')).status, 404);
    });
  });

  describe('channels', () => {
    it('list, create, 409 duplicate, patch, delete', async () => {
      assert.deepEqual((await call(srv, 'GET', '/api/channels')).json.channels.map((c: { slug: string }) => c.slug), ['world']);
      const body = { slug: 'sport', title: 'Sport', filter: { categories: ['sport'] }, defaultLimit: 20 };
      const created = await call(srv, 'POST', '/api/channels', { body });
      assert.equal(created.status, 201);
      assert.equal(created.json.defaultLimit, 20);
      assert.equal(created.headers.get('location'), '/api/channels/sport');
      const dup = await call(srv, 'POST', '/api/channels', { body });
      assert.equal(dup.status, 409);
      assert.equal(dup.json.error.code, 'channel_exists');
      const patched = await call(srv, 'PATCH', '/api/channels/sport', { body: { title: 'Sports' } });
      assert.equal(patched.status, 200);
      assert.equal((await srv.storage.channels.get('sport'))!.title, 'Sports');
      assert.equal((await call(srv, 'DELETE', '/api/channels/sport')).status, 204);
      assert.equal(await srv.storage.channels.get('sport'), undefined);
    });

    const invalid: { name: string; method: string; path: string; body: unknown; status: number }[] = [
      { name: 'bad slug', method: 'POST', path: '/api/channels', body: { slug: 'Bad Slug', title: 'x' }, status: 422 },
      { name: 'missing title', method: 'POST', path: '/api/channels', body: { slug: 'ok' }, status: 422 },
      { name: 'limit out of range', method: 'POST', path: '/api/channels', body: { slug: 'ok', title: 'x', defaultLimit: 501 }, status: 422 },
      { name: 'unknown filter key', method: 'POST', path: '/api/channels', body: { slug: 'ok', title: 'x', filter: { tags: ['a'] } }, status: 422 },
      { name: 'empty patch', method: 'PATCH', path: '/api/channels/world', body: {}, status: 422 },
      { name: 'patch unknown channel', method: 'PATCH', path: '/api/channels/nope', body: { title: 'x' }, status: 404 },
      { name: 'delete unknown channel', method: 'DELETE', path: '/api/channels/nope', body: undefined, status: 404 },
    ];
    for (const c of invalid) {
      it(`${c.name}: ${c.status}`, async () => {
        const res = await call(srv, c.method, c.path, { body: c.body });
        assert.equal(res.status, c.status);
        assert.ok(res.json.error.code);
        assert.deepEqual((await srv.storage.channels.list()).map((x) => [x.slug, x.title]), [['world', 'World']]);
      });
    }
  });

  describe('articles', () => {
    const lists: { name: string; query: string; titles: string[] }[] = [
      { name: 'all', query: '', titles: ['Cup final tonight', 'Harbour strike ends'] },
      { name: 'by source slug', query: '?source=wire', titles: ['Cup final tonight', 'Harbour strike ends'] },
      { name: 'by other source', query: '?source=other', titles: [] },
      { name: 'by channel', query: '?channel=world', titles: ['Harbour strike ends'] },
      { name: 'full text', query: '?q=harbour', titles: ['Harbour strike ends'] },
      { name: 'limit', query: '?limit=1', titles: ['Cup final tonight'] },
    ];
    for (const c of lists) {
      it(`list ${c.name}`, async () => {
        const res = await call(srv, 'GET', `/api/articles${c.query}`);
        assert.equal(res.status, 200);
        assert.deepEqual(res.json.articles.map((a: { title: string }) => a.title), c.titles);
      });
    }

    const bad: { name: string; query: string; status: number }[] = [
      { name: 'limit 0', query: '?limit=0', status: 400 },
      { name: 'limit text', query: '?limit=many', status: 400 },
      { name: 'unknown source', query: '?source=nope', status: 404 },
      { name: 'unknown channel', query: '?channel=nope', status: 404 },
    ];
    for (const c of bad) {
      it(`list ${c.name}: ${c.status}`, async () => {
        assert.equal((await call(srv, 'GET', `/api/articles${c.query}`)).status, c.status);
      });
    }

    it('withdraw: the article leaves the public feed; unknown ids are 404', async () => {
      const [first] = (await call(srv, 'GET', '/api/articles?q=harbour')).json.articles as { id: number }[];
      const res = await call(srv, 'POST', `/api/articles/${first!.id}/withdraw`);
      assert.equal(res.status, 200);
      assert.equal(res.json.status, 'canceled');
      assert.equal(res.json.statusReason, 'withdrawn');
      const feed = (await (await fetch(`${srv.url}/feeds/all.json`)).json()) as { items: { title: string }[] };
      assert.deepEqual(feed.items.map((i: { title: string }) => i.title), ['Cup final tonight']);
      assert.equal((await call(srv, 'POST', '/api/articles/99999/withdraw')).status, 404);
      assert.equal((await call(srv, 'POST', '/api/articles/abc/withdraw')).status, 404);
    });
  });

  it('an unknown /api route is a 404 JSON', async () => {
    const res = await call(srv, 'GET', '/api/nothing');
    assert.equal(res.status, 404);
    assert.equal(res.json.error.code, 'not_found');
  });
});

// Once, not per backend: the errors come from a stand-in source service, never from storage.
describe('http: error mapping', () => {
  /** A source service whose add fails with `err`; the other methods are not reached here. */
  const failingSources = (err: unknown): SourceService => {
    const unused = async (): Promise<never> => {
      throw new Error('not used in this test');
    };
    return {
      add: async () => {
        throw err;
      },
      list: unused,
      get: unused,
      update: unused,
      remove: unused,
      fetchLog: unused,
      discover: unused,
    };
  };
  const cases: { name: string; err: unknown; status: number; code: string; check?: (json: Res['json']) => void }[] = [
    {
      name: 'a validation error keeps its status, code and details',
      err: new ValidationError('not_a_feed', 'a web page that links no feed', 422, { url: 'https://a.test/' }),
      status: 422,
      code: 'not_a_feed',
      check: (j) => assert.deepEqual((j.error as unknown as { details: unknown }).details, { url: 'https://a.test/' }),
    },
    {
      name: 'an unexpected error is a generic 500 naming the request id',
      err: new Error('SQLITE secret path /var/x'),
      status: 500,
      code: 'internal',
      check: (j) => {
        assert.doesNotMatch(j.error.message, /secret/);
        assert.match(j.error.message, /request id trace-42/);
      },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const srv = await startServer({ overrides: { sources: failingSources(c.err) } });
      try {
        const r = await fetch(`${srv.url}/api/sources`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json', 'x-request-id': 'trace-42' },
          body: JSON.stringify({ url: 'https://a.test/' }),
        });
        const json = (await r.json()) as { error: { code: string } };
        assert.equal(r.status, c.status);
        assert.equal(json.error.code, c.code);
        assert.equal(r.headers.get('x-request-id'), 'trace-42');
        c.check?.(json);
      } finally {
        await srv.close();
      }
    });
  }
});
