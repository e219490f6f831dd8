import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { addSource, articleInput, ingest, photo, startServer, type TestServer } from './http-fixtures.js';
import { describeBackends } from './support/backends.js';

interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function request(url: string, opts: { method?: string; headers?: Record<string, string> } = {}): Promise<Got> {
  return new Promise((resolve, reject) => {
    // A fresh connection per request (agent: false): no keep-alive state shared between cases.
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function decode(got: Got): Buffer {
  const enc = got.headers['content-encoding'];
  if (enc === 'br') return zlib.brotliDecompressSync(got.body);
  if (enc === 'gzip') return zlib.gunzipSync(got.body);
  return got.body;
}

/** Headers without the ones that legitimately differ between two responses. */
function stable(h: http.IncomingHttpHeaders): Record<string, unknown> {
  const { date: _date, ...rest } = h;
  return rest;
}

describeBackends('http: feeds', (backend) => {
  let srv: TestServer;
  let demoDir: string;

  before(async () => {
    demoDir = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-demo-'));
    writeFileSync(path.join(demoDir, 'wire.xml'), '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>');
    writeFileSync(path.join(demoDir, 'wire.json'), '{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[]}');
    writeFileSync(path.join(demoDir, 'cranes.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');
    srv = await startServer({
      storage: await backend.open({ suite: true }),
      demoDir,
      seed: async (s) => {
        const wire = await addSource(s, 'wire');
        await ingest(s, wire.id, [
          articleInput('a', { categories: [{ term: 'world' }], assets: [photo('https://img.example.com/a.jpg')] }),
          articleInput('b', { categories: [{ term: 'sport' }] }),
          articleInput('c', { categories: [{ term: 'world' }], publishedAt: '2025-03-02T08:00:00.000Z' }),
        ]);
        await s.channels.create({ slug: 'world', title: 'World', description: 'World news', filter: { categories: ['world'] }, now: '2025-01-01T00:00:00.000Z' });
      },
    });
  });
  after(async () => {
    await srv.close();
    rmSync(demoDir, { recursive: true, force: true });
  });

  describe('content types and common headers', () => {
    const cases = [
      { name: 'all rss', path: '/feeds/all.rss', type: 'application/rss+xml; charset=utf-8' },
      { name: 'all atom', path: '/feeds/all.atom', type: 'application/atom+xml; charset=utf-8' },
      { name: 'all json', path: '/feeds/all.json', type: 'application/feed+json; charset=utf-8' },
      { name: 'channel rss', path: '/feeds/world.rss', type: 'application/rss+xml; charset=utf-8' },
      { name: 'source atom', path: '/feeds/sources/wire.atom', type: 'application/atom+xml; charset=utf-8' },
      { name: 'source json with query', path: '/feeds/sources/wire.json?limit=2&category=world', type: 'application/feed+json; charset=utf-8' },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        for (const lane of ['miss (Express)', 'hit (fast lane)']) {
          const r = await request(srv.url + c.path);
          assert.equal(r.status, 200, lane);
          assert.equal(r.headers['content-type'], c.type, lane);
          assert.equal(r.headers['content-length'], String(r.body.length), lane);
          assert.equal(r.headers['cache-control'], 'public, max-age=300, stale-while-revalidate=300', lane);
          assert.equal(r.headers.vary, 'Accept-Encoding', lane);
          assert.equal(r.headers['access-control-allow-origin'], '*', lane);
          assert.equal(r.headers['access-control-expose-headers'], 'ETag, Last-Modified, Link', lane);
          assert.equal(r.headers['x-content-type-options'], 'nosniff', lane);
          assert.match(String(r.headers.etag), /^"[A-Za-z0-9_-]{43}"$/, `${lane}: strong ETag`);
          assert.equal(r.headers['last-modified'], 'Sat, 01 Mar 2025 10:00:00 GMT', lane);
          assert.ok(r.headers['x-request-id'], lane);
          assert.equal(r.headers['x-powered-by'], undefined, lane);
        }
      });
    }

    it('an empty feed has no Last-Modified rather than a made-up one', async () => {
      const r = await request(`${srv.url}/feeds/all.rss?q=nonexistentword`);
      assert.equal(r.status, 200);
      assert.equal(r.headers['last-modified'], undefined);
    });
  });

  describe('ETag', () => {
    it('is strong, stable across requests and the same for the same bytes', async () => {
      const one = await request(`${srv.url}/feeds/all.atom`);
      const two = await request(`${srv.url}/feeds/all.atom`);
      assert.equal(one.headers.etag, two.headers.etag);
      assert.ok(!String(one.headers.etag).startsWith('W/'));
      assert.deepEqual(one.body, two.body);
    });
  });

  describe('conditional requests', () => {
    let etag: string;
    before(async () => {
      etag = String((await request(`${srv.url}/feeds/all.rss`)).headers.etag);
    });
    const cases: { name: string; headers: (etag: string) => Record<string, string>; status: number }[] = [
      { name: 'If-None-Match exact', headers: (e) => ({ 'If-None-Match': e }), status: 304 },
      { name: 'If-None-Match list', headers: (e) => ({ 'If-None-Match': `"other", ${e} , "x"` }), status: 304 },
      { name: 'If-None-Match weak form', headers: (e) => ({ 'If-None-Match': `W/${e}` }), status: 304 },
      { name: 'If-None-Match *', headers: () => ({ 'If-None-Match': '*' }), status: 304 },
      { name: 'If-None-Match of the gzip variant', headers: (e) => ({ 'If-None-Match': `${e.slice(0, -1)}-gzip"`, 'Accept-Encoding': 'gzip' }), status: 304 },
      { name: 'If-None-Match other', headers: () => ({ 'If-None-Match': '"nope"' }), status: 200 },
      { name: 'If-None-Match unquoted is not a match', headers: (e) => ({ 'If-None-Match': e.slice(1, -1) }), status: 200 },
      { name: 'If-Modified-Since equal', headers: () => ({ 'If-Modified-Since': 'Sat, 01 Mar 2025 10:00:00 GMT' }), status: 304 },
      { name: 'If-Modified-Since later', headers: () => ({ 'If-Modified-Since': 'Sun, 02 Mar 2025 10:00:00 GMT' }), status: 304 },
      { name: 'If-Modified-Since earlier', headers: () => ({ 'If-Modified-Since': 'Sat, 01 Mar 2025 09:59:59 GMT' }), status: 200 },
      { name: 'If-Modified-Since garbage', headers: () => ({ 'If-Modified-Since': 'yesterday' }), status: 200 },
      { name: 'If-None-Match wins over If-Modified-Since', headers: () => ({ 'If-None-Match': '"nope"', 'If-Modified-Since': 'Sun, 02 Mar 2025 10:00:00 GMT' }), status: 200 },
    ];
    for (const c of cases) {
      it(`${c.name} → ${c.status}`, async () => {
        const r = await request(`${srv.url}/feeds/all.rss`, { headers: c.headers(etag) });
        assert.equal(r.status, c.status);
        if (c.status === 304) {
          assert.equal(r.body.length, 0);
          assert.ok(r.headers.etag);
          assert.equal(r.headers['cache-control'], 'public, max-age=300, stale-while-revalidate=300');
          assert.equal(r.headers.vary, 'Accept-Encoding');
          assert.equal(r.headers['last-modified'], 'Sat, 01 Mar 2025 10:00:00 GMT');
          assert.equal(r.headers['content-type'], undefined);
        }
      });
    }
  });

  describe('HEAD', () => {
    it('answers the GET headers without a body', async () => {
      const get = await request(`${srv.url}/feeds/world.json`, { headers: { 'Accept-Encoding': 'gzip', 'x-request-id': 'same' } });
      const head = await request(`${srv.url}/feeds/world.json`, { method: 'HEAD', headers: { 'Accept-Encoding': 'gzip', 'x-request-id': 'same' } });
      assert.equal(head.status, 200);
      assert.equal(head.body.length, 0);
      assert.deepEqual(stable(head.headers), stable(get.headers));
    });
  });

  describe('content coding', () => {
    let identity: Buffer;
    before(async () => {
      identity = (await request(`${srv.url}/feeds/all.json`)).body;
    });
    const cases: { name: string; accept: string | undefined; want: string | undefined }[] = [
      { name: 'no Accept-Encoding', accept: undefined, want: undefined },
      { name: 'gzip', accept: 'gzip', want: 'gzip' },
      { name: 'br preferred', accept: 'gzip, deflate, br', want: 'br' },
      { name: 'the higher q wins (gzip)', accept: 'gzip;q=1.0, br;q=0.5', want: 'gzip' },
      { name: 'the higher q wins (issue example)', accept: 'gzip;q=1, br;q=0.001', want: 'gzip' },
      { name: 'the higher q wins (br)', accept: 'gzip;q=0.2, br;q=0.9', want: 'br' },
      { name: 'equal q prefers br', accept: 'gzip;q=0.5, br;q=0.5', want: 'br' },
      { name: 'identity preferred by q', accept: 'identity;q=1, gzip;q=0.5', want: undefined },
      { name: 'star at a lower q than gzip', accept: 'gzip, *;q=0.1', want: 'gzip' },
      { name: 'br refused with q=0', accept: 'br;q=0, gzip', want: 'gzip' },
      { name: 'everything refused', accept: 'gzip;q=0, br;q=0', want: undefined },
      { name: 'star', accept: '*', want: 'br' },
      { name: 'star with br refused', accept: '*, br;q=0', want: 'gzip' },
      { name: 'identity only', accept: 'identity', want: undefined },
      { name: 'deflate only', accept: 'deflate', want: undefined },
      { name: 'x-gzip', accept: 'x-gzip', want: 'gzip' },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const r = await request(`${srv.url}/feeds/all.json`, { headers: c.accept === undefined ? {} : { 'Accept-Encoding': c.accept } });
        assert.equal(r.status, 200);
        assert.equal(r.headers['content-encoding'], c.want);
        assert.equal(r.headers.vary, 'Accept-Encoding');
        assert.equal(Number(r.headers['content-length']), r.body.length);
        assert.deepEqual(decode(r), identity);
        // Each coding is its own representation, so its strong validator differs.
        assert.ok(String(r.headers.etag).endsWith(c.want ? `-${c.want}"` : '"'));
      });
    }
  });

  describe('bad queries answer 400 JSON, warm cache or cold', () => {
    const cases = ['limit=0', 'limit=501', 'limit=abc', 'after=-1', 'after=x', 'limit=5&limit=6', 'limt=5', 'q=', 'q=%2A%2A%22', 'category[x]=1'];
    for (const q of cases) {
      it(q, async () => {
        await request(`${srv.url}/feeds/all.rss`); // warm: the fast lane must still refuse
        const r = await request(`${srv.url}/feeds/all.rss?${q}`);
        assert.equal(r.status, 400);
        assert.match(String(r.headers['content-type']), /^application\/json/);
        const body = JSON.parse(r.body.toString()) as { error: { code: string; message: string } };
        assert.equal(body.error.code, 'invalid_query');
        assert.ok(body.error.message.length > 0);
      });
    }
  });

  describe('unknown feeds answer 404 JSON', () => {
    for (const p of ['/feeds/nope.rss', '/feeds/sources/nope.atom', '/feeds/all.xml', '/feeds/a/b/c.json']) {
      it(p, async () => {
        const r = await request(srv.url + p);
        assert.equal(r.status, 404);
        assert.equal(JSON.parse(r.body.toString()).error.code, 'not_found');
      });
    }
  });

  describe('lanes, cache, origin, CORS', () => {
    it('the fast lane and the Express path send identical headers and bytes', async () => {
      const p = '/feeds/sources/wire.rss?category=sport';
      for (const enc of ['br', 'gzip', 'identity']) {
        const headers = { 'Accept-Encoding': enc, 'x-request-id': 'req-1' };
        const before = srv.calls.rss;
        const slow = await request(`${srv.url}${p}&limit=${enc.length}`, { headers });
        assert.equal(srv.calls.rss, before + 1, 'first request renders: Express path');
        const fast = await request(`${srv.url}${p}&limit=${enc.length}`, { headers });
        assert.equal(srv.calls.rss, before + 1, 'second request is a cache hit: fast lane');
        assert.deepEqual(stable(fast.headers), stable(slow.headers));
        assert.deepEqual(fast.body, slow.body);
        const slow304 = await request(`${srv.url}${p}&limit=${enc.length}&after=0`, { headers: { ...headers, 'If-None-Match': '*' } });
        const fast304 = await request(`${srv.url}${p}&limit=${enc.length}&after=0`, { headers: { ...headers, 'If-None-Match': '*' } });
        assert.equal(slow304.status, 304);
        assert.deepEqual(stable(fast304.headers), stable(slow304.headers));
      }
    });

    it('a hit never renders; a write invalidates', async () => {
      const p = `${srv.url}/feeds/all.atom?limit=7`;
      const first = await request(p);
      const n = srv.calls.atom;
      for (let i = 0; i < 5; i++) assert.deepEqual((await request(p)).body, first.body);
      assert.equal(srv.calls.atom, n, 'no render on hits');
      const wire = (await srv.storage.sources.getBySlug('wire'))!;
      await ingest(srv.storage, wire.id, [articleInput('late', { title: 'Late story' })], '2025-03-05T00:00:00.000Z');
      const fresh = await request(p);
      assert.equal(srv.calls.atom, n + 1);
      assert.notEqual(fresh.headers.etag, first.headers.etag);
      assert.match(fresh.body.toString(), /Late story/);
      assert.equal(fresh.headers['last-modified'], 'Wed, 05 Mar 2025 00:00:00 GMT');
    });

    it('self links follow a valid Host and ignore a hostile one', async () => {
      const good = await request(`${srv.url}/feeds/all.json?limit=1`, { headers: { Host: 'feeds.test:8080' } });
      assert.equal(JSON.parse(good.body.toString()).feed_url, 'http://feeds.test:8080/feeds/all.json?limit=1');
      const bad = await request(`${srv.url}/feeds/all.json?limit=1`, { headers: { Host: 'evil.test/"><x' } });
      assert.equal(JSON.parse(bad.body.toString()).feed_url, 'http://localhost/feeds/all.json?limit=1');
    });

    it('CORS preflight for feeds', async () => {
      const r = await request(`${srv.url}/feeds/all.json`, { method: 'OPTIONS', headers: { Origin: 'https://reader.test', 'Access-Control-Request-Method': 'GET' } });
      assert.equal(r.status, 204);
      assert.equal(r.headers['access-control-allow-origin'], '*');
      assert.match(String(r.headers['access-control-allow-headers']), /If-None-Match/);
    });
  });

  describe('pages, health and demo files', () => {
    const cases: { name: string; path: string; status: number; type: RegExp; body?: RegExp }[] = [
      { name: 'index', path: '/', status: 200, type: /^text\/html/, body: /href="http:\/\/127\.0\.0\.1:\d+\/feeds\/world\.atom"/ },
      { name: 'channel page', path: '/feeds/world', status: 200, type: /^text\/html/, body: /Harbour cranes at dawn — Jo Lens \(photographer\)/ },
      { name: 'all page', path: '/feeds/all', status: 200, type: /^text\/html/, body: /Story b/ },
      { name: 'source page', path: '/feeds/sources/wire', status: 200, type: /^text\/html/, body: /Source wire/ },
      { name: 'unknown channel page', path: '/feeds/nope', status: 404, type: /^text\/html/, body: /404/ },
      { name: 'unknown source page', path: '/feeds/sources/nope', status: 404, type: /^text\/html/ },
      { name: 'unknown path', path: '/nowhere', status: 404, type: /^application\/json/ },
      { name: 'health', path: '/healthz', status: 200, type: /^application\/json/, body: /"status":"ok".*"articles":\d+/ },
      { name: 'demo rss', path: '/demo/wire.xml', status: 200, type: /^application\/xml; charset=utf-8$/ },
      { name: 'demo json', path: '/demo/wire.json', status: 200, type: /^application\/feed\+json; charset=utf-8$/ },
      { name: 'demo svg', path: '/demo/cranes.svg', status: 200, type: /^image\/svg\+xml$/ },
      { name: 'demo missing', path: '/demo/none.xml', status: 404, type: /^application\/json/ },
      { name: 'demo traversal', path: '/demo/..%2f..%2fetc%2fpasswd', status: 404, type: /^application\/json/ },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const r = await request(srv.url + c.path);
        assert.equal(r.status, c.status);
        assert.match(String(r.headers['content-type']), c.type);
        if (c.body) assert.match(r.body.toString(), c.body);
      });
    }

    it('page text is escaped', async () => {
      const r = await request(`${srv.url}/feeds/world`);
      assert.match(r.body.toString(), /“curly quotes” &amp; &lt;angle brackets&gt;/);
      assert.doesNotMatch(r.body.toString(), /<angle brackets>/);
    });
  });

  describe('health failure', () => {
    it('answers 503 when not ok', async () => {
      const s = await startServer({ storage: await backend.open() });
      try {
        // Closing storage makes the health probe's count throw.
        await s.storage.close();
        const r = await request(`${s.url}/healthz`);
        assert.equal(r.status, 503);
        assert.equal(JSON.parse(r.body.toString()).status, 'unavailable');
      } finally {
        await s.close().catch(() => undefined);
      }
    });
  });
});
