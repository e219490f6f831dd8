import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { FetchError } from '../src/errors.js';
import { createByteBudget } from '../src/ingest/byte-budget.js';
import { createFetcher, type Fetcher, type FetcherDeps } from '../src/ingest/fetch.js';
import type { FetchOptions, FetchResult } from '../src/ingest/types.js';

const NOW = new Date('2025-01-15T12:00:00.000Z');
const FEED = Buffer.from('<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>');
const fixture = (name: string) => readFileSync(new URL(`./fixtures/fetch/${name}`, import.meta.url));

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

interface FixtureServer {
  port: number;
  origin: string;
  seen: { path: string; headers: http.IncomingHttpHeaders }[];
  connections: number;
  route(path: string, handler: Handler): void;
  close(): Promise<void>;
}

async function startServer(): Promise<FixtureServer> {
  const routes = new Map<string, Handler>();
  const state: FixtureServer = {
    port: 0,
    origin: '',
    seen: [],
    connections: 0,
    route: (path, handler) => void routes.set(path, handler),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    state.seen.push({ path, headers: req.headers });
    const handler = routes.get(path);
    if (handler) return handler(req, res);
    res.writeHead(404).end('no such fixture');
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.origin = `http://127.0.0.1:${state.port}`;
  return state;
}

function send(status: number, body: Buffer | string = '', headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, headers);
    res.end(body);
  };
}

function redirect(status: number, location?: string): Handler {
  return send(status, '', location === undefined ? {} : { location });
}

async function rejectsWith(p: Promise<unknown>, expected: { message?: RegExp; code?: string; httpStatus?: number }): Promise<FetchError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof FetchError, `expected a FetchError, got ${caught === undefined ? 'success' : String(caught)}`);
  if (expected.message) assert.match(caught.message, expected.message);
  if (expected.code) assert.equal(caught.code, expected.code, caught.message);
  if (expected.httpStatus !== undefined) assert.equal(caught.httpStatus, expected.httpStatus);
  return caught;
}

function modified(r: FetchResult): Extract<FetchResult, { kind: 'modified' }> {
  assert.equal(r.kind, 'modified', JSON.stringify({ ...r, body: undefined }));
  return r as Extract<FetchResult, { kind: 'modified' }>;
}

describe('fetch: createFetcher', function () {
  let srv: FixtureServer;
  let fetcher: Fetcher;
  const extra: Fetcher[] = [];

  function options(over: Partial<FetchOptions> = {}): FetchOptions {
    return {
      timeoutMs: 2000,
      maxBytes: 1024 * 1024,
      userAgent: 'wirefeed-test/1.0 (+https://example.invalid/bot)',
      allowPrivateNetworks: false,
      privateNetworkAllowlist: [`127.0.0.1:${srv.port}`],
      now: () => NOW,
      ...over,
    };
  }
  function makeFetcher(over: Partial<FetchOptions> = {}, deps: FetcherDeps = {}): Fetcher {
    const f = createFetcher(options(over), deps);
    extra.push(f);
    return f;
  }
  const url = (path: string) => `${srv.origin}${path}`;

  beforeEach(async () => {
    srv = await startServer();
    fetcher = createFetcher(options());
  });
  afterEach(async () => {
    await fetcher.close();
    await Promise.all(extra.splice(0).map((f) => f.close()));
    await srv.close();
  });

  describe('200 and Content-Encoding', () => {
    const cases: { name: string; encoding?: string; encode: (b: Buffer) => Buffer }[] = [
      { name: 'identity', encode: (b) => b },
      { name: 'explicit identity', encoding: 'identity', encode: (b) => b },
      { name: 'gzip', encoding: 'gzip', encode: (b) => zlib.gzipSync(b) },
      { name: 'x-gzip', encoding: 'x-gzip', encode: (b) => zlib.gzipSync(b) },
      { name: 'deflate (zlib wrapper, RFC 1950)', encoding: 'deflate', encode: (b) => zlib.deflateSync(b) },
      { name: 'deflate (raw, RFC 1951)', encoding: 'deflate', encode: (b) => zlib.deflateRawSync(b) },
      { name: 'br', encoding: 'br', encode: (b) => zlib.brotliCompressSync(b) },
      { name: 'upper-case coding name', encoding: 'GZIP', encode: (b) => zlib.gzipSync(b) },
      { name: 'two codings (deflate, br)', encoding: 'deflate, br', encode: (b) => zlib.brotliCompressSync(zlib.deflateSync(b)) },
    ];
    for (const c of cases) {
      it(`decodes ${c.name}`, async () => {
        const big = Buffer.concat(Array.from({ length: 200 }, () => FEED)); // spans several chunks
        srv.route('/feed', send(200, c.encode(big), {
          'content-type': 'application/rss+xml; charset=utf-8',
          ...(c.encoding ? { 'content-encoding': c.encoding } : {}),
          etag: '"abc"',
          'last-modified': 'Wed, 15 Jan 2025 10:00:00 GMT',
        }));
        const r = modified(await fetcher.fetchFeed({ url: url('/feed') }));
        assert.ok(r.body.equals(big));
        assert.equal(r.contentType, 'application/rss+xml; charset=utf-8');
        assert.equal(r.etag, '"abc"');
        assert.equal(r.lastModified, 'Wed, 15 Jan 2025 10:00:00 GMT');
        assert.equal(r.finalUrl, url('/feed'));
        assert.equal(r.status, 200);
        assert.deepEqual(r.redirects, []);
        assert.equal(r.permanentUrl, undefined);
        assert.ok(Number.isInteger(r.ms) && r.ms >= 0);
      });
    }

    it('decodes deflate whose first chunk is a single byte', async () => {
      const deflated = zlib.deflateSync(FEED);
      srv.route('/feed', (_req, res) => {
        res.writeHead(200, { 'content-encoding': 'deflate' });
        res.write(deflated.subarray(0, 1));
        setTimeout(() => res.end(deflated.subarray(1)), 30);
      });
      assert.ok(modified(await fetcher.fetchFeed({ url: url('/feed') })).body.equals(FEED));
    });

    it('sends User-Agent, Accept, Accept-Encoding and no validators by default', async () => {
      srv.route('/feed', send(200, FEED));
      await fetcher.fetchFeed({ url: url('/feed') });
      const h = srv.seen[0]!.headers;
      assert.equal(h['user-agent'], 'wirefeed-test/1.0 (+https://example.invalid/bot)');
      assert.equal(h.accept, 'application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8');
      assert.equal(h['accept-encoding'], 'gzip, deflate, br');
      assert.equal(h['if-none-match'], undefined);
      assert.equal(h['if-modified-since'], undefined);
    });

    it('reuses the keep-alive connection for the next fetch', async () => {
      srv.route('/feed', send(200, FEED));
      await fetcher.fetchFeed({ url: url('/feed') });
      await new Promise((resolve) => setImmediate(resolve)); // undici frees the socket a tick after the body ends
      await fetcher.fetchFeed({ url: url('/feed') });
      assert.equal(srv.seen.length, 2);
      assert.equal(srv.connections, 1);
    });
  });

  describe('body limits and broken bodies', () => {
    it('stops a gzip bomb (50 MiB of zeros) at the 1 MiB cap', async () => {
      srv.route('/bomb', send(200, fixture('zeros-50mib.gz'), { 'content-encoding': 'gzip' }));
      await rejectsWith(fetcher.fetchFeed({ url: url('/bomb') }), { message: /^fetch: body over 1 MiB \(limit WIREFEED_MAX_FEED_BYTES\)$/, code: 'body_too_large' });
    });

    it('stops a brotli bomb (1 GiB of zeros) without inflating it', async () => {
      srv.route('/bomb', send(200, fixture('zeros-1gib.br'), { 'content-encoding': 'br' }));
      const before = process.memoryUsage().arrayBuffers;
      await rejectsWith(fetcher.fetchFeed({ url: url('/bomb') }), { message: /^fetch: body over 1 MiB /, code: 'body_too_large' });
      // Inflated in full this would be a gigabyte; stopping at the cap keeps it to a few MiB.
      assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024);
    });

    const limitCases: { name: string; handler: Handler; message: RegExp }[] = [
      { name: 'declared Content-Length over the cap', handler: send(200, randomBytes(1024 * 1024 + 1)), message: /^fetch: body over 1 MiB \(limit/ },
      {
        name: 'chunked body over the cap',
        handler: (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/rss+xml' });
          for (let i = 0; i < 20; i++) res.write(randomBytes(64 * 1024));
          res.end();
        },
        message: /^fetch: body over 1 MiB \(limit/,
      },
      {
        name: 'compressed body over the cap before decompression',
        handler: (_req, res) => {
          res.writeHead(200, { 'content-encoding': 'gzip' });
          res.end(zlib.gzipSync(randomBytes(1536 * 1024), { level: 0 }));
        },
        message: /^fetch: body over 1 MiB before decompression/,
      },
      {
        name: 'chunked compressed body over the cap before decompression',
        handler: (_req, res) => {
          res.writeHead(200, { 'content-encoding': 'gzip' });
          const gz = zlib.gzipSync(randomBytes(1536 * 1024), { level: 0 });
          for (let i = 0; i < gz.length; i += 65536) res.write(gz.subarray(i, i + 65536));
          res.end();
        },
        message: /^fetch: body over 1 MiB/,
      },
    ];
    for (const c of limitCases) {
      it(`refuses a ${c.name}`, async () => {
        srv.route('/big', c.handler);
        await rejectsWith(fetcher.fetchFeed({ url: url('/big') }), { message: c.message, code: 'body_too_large' });
      });
    }

    it('accepts a body of exactly maxBytes', async () => {
      const exact = randomBytes(1024 * 1024);
      srv.route('/exact', send(200, zlib.gzipSync(exact), { 'content-encoding': 'gzip' }));
      assert.ok(modified(await fetcher.fetchFeed({ url: url('/exact') })).body.equals(exact));
    });

    const broken: { name: string; handler: Handler; message: RegExp; code: string }[] = [
      { name: 'truncated gzip', handler: send(200, zlib.gzipSync(randomBytes(4096)).subarray(0, 1000), { 'content-encoding': 'gzip' }), message: /^fetch: corrupt or truncated gzip body/, code: 'bad_encoding' },
      { name: 'gzip header on plain text', handler: send(200, FEED, { 'content-encoding': 'gzip' }), message: /^fetch: corrupt or truncated gzip body/, code: 'bad_encoding' },
      {
        name: 'corrupt br',
        handler: (_req, res) => {
          const br = Buffer.from(zlib.brotliCompressSync(Buffer.alloc(10000, 'a')));
          br[3]! ^= 0xff;
          br[5]! ^= 0xff;
          send(200, br, { 'content-encoding': 'br' })(_req, res);
        },
        message: /^fetch: corrupt or truncated br body/,
        code: 'bad_encoding',
      },
      { name: 'truncated deflate', handler: send(200, zlib.deflateSync(randomBytes(4096)).subarray(0, 500), { 'content-encoding': 'deflate' }), message: /^fetch: corrupt or truncated deflate body/, code: 'bad_encoding' },
      { name: 'unknown Content-Encoding', handler: send(200, FEED, { 'content-encoding': 'zstd' }), message: /^fetch: unsupported Content-Encoding "zstd"$/, code: 'unsupported_encoding' },
      { name: 'one-byte deflate body', handler: send(200, Buffer.from([0x78]), { 'content-encoding': 'deflate' }), message: /^fetch: corrupt or truncated deflate body/, code: 'bad_encoding' },
      { name: 'empty body', handler: send(200, ''), message: /^fetch: empty body$/, code: 'empty_body' },
      { name: 'empty gzip body', handler: send(200, '', { 'content-encoding': 'gzip' }), message: /^fetch: empty body$/, code: 'empty_body' },
      { name: 'gzip of nothing', handler: send(200, zlib.gzipSync(Buffer.alloc(0)), { 'content-encoding': 'gzip' }), message: /^fetch: empty body$/, code: 'empty_body' },
      { name: '204 No Content', handler: send(204), message: /^fetch: empty body$/, code: 'empty_body' },
    ];
    for (const c of broken) {
      it(`fails on ${c.name}`, async () => {
        srv.route('/broken', c.handler);
        await rejectsWith(fetcher.fetchFeed({ url: url('/broken') }), { message: c.message, code: c.code });
      });
    }

    it('fails when the server closes before the declared Content-Length', async () => {
      srv.route('/short', (_req, res) => {
        res.writeHead(200, { 'content-length': '1000' });
        res.write('only a part');
        setTimeout(() => res.socket?.destroy(), 20);
      });
      await rejectsWith(fetcher.fetchFeed({ url: url('/short') }), { message: /^fetch: /, code: 'network' });
    });
  });

  describe('status codes', () => {
    it('sends validators and returns not-modified on 304', async () => {
      srv.route('/feed', (req, res) => {
        const match = req.headers['if-none-match'] === '"v1"';
        res.writeHead(match ? 304 : 200, { etag: '"v1"', 'cache-control': 'max-age=120' }).end(match ? undefined : FEED);
      });
      const r = await fetcher.fetchFeed({ url: url('/feed'), etag: '"v1"', lastModified: 'Wed, 15 Jan 2025 10:00:00 GMT' });
      assert.equal(r.kind, 'not-modified');
      assert.equal(r.status, 304);
      assert.equal(r.kind === 'not-modified' && r.etag, '"v1"');
      assert.equal(r.freshForS, 120);
      assert.equal(srv.seen[0]!.headers['if-none-match'], '"v1"');
      assert.equal(srv.seen[0]!.headers['if-modified-since'], 'Wed, 15 Jan 2025 10:00:00 GMT');
    });

    it('returns gone on 410', async () => {
      srv.route('/feed', send(410, 'gone for good'));
      const r = await fetcher.fetchFeed({ url: url('/feed') });
      assert.deepEqual({ kind: r.kind, status: r.status, finalUrl: r.finalUrl }, { kind: 'gone', status: 410, finalUrl: url('/feed') });
    });

    const errors: { status: number; message: string }[] = [
      { status: 404, message: 'fetch: HTTP 404 Not Found' },
      { status: 500, message: 'fetch: HTTP 500 Internal Server Error' },
      { status: 403, message: 'fetch: HTTP 403 Forbidden' },
      { status: 206, message: 'fetch: HTTP 206 Partial Content' },
      { status: 300, message: 'fetch: HTTP 300 Multiple Choices' },
      { status: 599, message: 'fetch: HTTP 599 Unknown Status' },
    ];
    for (const c of errors) {
      it(`throws on ${c.status}`, async () => {
        srv.route('/feed', send(c.status, 'nope'));
        await rejectsWith(fetcher.fetchFeed({ url: url('/feed') }), { message: new RegExp(`^${c.message}$`), httpStatus: c.status });
      });
    }

    const H = 3600 * 1000;
    const retries: { name: string; status: number; retryAfter?: string; until: Date }[] = [
      { name: '429 with delta-seconds', status: 429, retryAfter: '120', until: new Date(NOW.getTime() + 120_000) },
      { name: '503 with an HTTP-date', status: 503, retryAfter: new Date(NOW.getTime() + 2 * H).toUTCString(), until: new Date(NOW.getTime() + 2 * H) },
      { name: '429 with too short a delay (clamped to 60 s)', status: 429, retryAfter: '5', until: new Date(NOW.getTime() + 60_000) },
      { name: '429 with a date in the past (clamped to 60 s)', status: 429, retryAfter: 'Wed, 15 Jan 2025 11:00:00 GMT', until: new Date(NOW.getTime() + 60_000) },
      { name: '503 with too long a delay (clamped to 24 h)', status: 503, retryAfter: '9999999', until: new Date(NOW.getTime() + 24 * H) },
      { name: '503 without Retry-After (10 min)', status: 503, until: new Date(NOW.getTime() + 600_000) },
      { name: '429 with an invalid Retry-After (10 min)', status: 429, retryAfter: 'soon', until: new Date(NOW.getTime() + 600_000) },
    ];
    for (const c of retries) {
      it(`returns retry-later on ${c.name}`, async () => {
        srv.route('/feed', send(c.status, 'slow down', c.retryAfter ? { 'retry-after': c.retryAfter } : {}));
        const r = await fetcher.fetchFeed({ url: url('/feed') });
        assert.equal(r.kind, 'retry-later');
        assert.equal(r.status, c.status);
        assert.equal(r.kind === 'retry-later' && r.until, c.until.toISOString());
      });
    }

    const freshness: { name: string; headers: Record<string, string>; freshForS: number | undefined }[] = [
      { name: 'max-age', headers: { 'cache-control': 'public, max-age=300' }, freshForS: 300 },
      { name: 'max-age minus Age', headers: { 'cache-control': 'max-age=300', age: '100' }, freshForS: 200 },
      { name: 's-maxage ignored', headers: { 'cache-control': 's-maxage=900' }, freshForS: undefined },
      { name: 'no-cache', headers: { 'cache-control': 'no-cache, max-age=300' }, freshForS: 0 },
      { name: 'no-store', headers: { 'cache-control': 'no-store' }, freshForS: 0 },
      { name: 'Expires − Date', headers: { date: 'Wed, 15 Jan 2025 12:00:00 GMT', expires: 'Wed, 15 Jan 2025 12:30:00 GMT' }, freshForS: 1800 },
      { name: 'max-age wins over Expires', headers: { 'cache-control': 'max-age=60', date: 'Wed, 15 Jan 2025 12:00:00 GMT', expires: 'Wed, 15 Jan 2025 12:30:00 GMT' }, freshForS: 60 },
      { name: 'invalid Expires', headers: { expires: '0' }, freshForS: 0 },
      { name: 'nothing', headers: {}, freshForS: undefined },
    ];
    for (const c of freshness) {
      it(`computes freshForS from ${c.name}`, async () => {
        srv.route('/feed', send(200, FEED, c.headers));
        const r = await fetcher.fetchFeed({ url: url('/feed') });
        assert.equal(r.freshForS, c.freshForS);
      });
    }
  });

  describe('redirects', () => {
    const chains: { name: string; routes: Record<string, Handler>; start: string; final: string; statuses: number[]; permanent: boolean }[] = [
      { name: '301 → 200 moves the source', routes: { '/old': redirect(301, '/new') }, start: '/old', final: '/new', statuses: [301], permanent: true },
      { name: '308 → 301 → 200 moves the source', routes: { '/a': redirect(308, '/b'), '/b': redirect(301, '/new') }, start: '/a', final: '/new', statuses: [308, 301], permanent: true },
      { name: '302 → 200 does not', routes: { '/old': redirect(302, '/new') }, start: '/old', final: '/new', statuses: [302], permanent: false },
      { name: '307 → 200 does not', routes: { '/old': redirect(307, '/new') }, start: '/old', final: '/new', statuses: [307], permanent: false },
      { name: '303 → 200 does not', routes: { '/old': redirect(303, '/new') }, start: '/old', final: '/new', statuses: [303], permanent: false },
      { name: '301 → 302 → 200 does not', routes: { '/a': redirect(301, '/b'), '/b': redirect(302, '/new') }, start: '/a', final: '/new', statuses: [301, 302], permanent: false },
      { name: 'relative Location (../)', routes: { '/dir/sub/feed': redirect(301, '../../new') }, start: '/dir/sub/feed', final: '/new', statuses: [301], permanent: true },
      { name: 'absolute Location', routes: { '/old': (req, res) => redirect(301, `http://${req.headers.host}/new?x=1`)(req, res) }, start: '/old', final: '/new?x=1', statuses: [301], permanent: true },
      { name: 'five hops (the limit)', routes: { '/1': redirect(302, '/2'), '/2': redirect(302, '/3'), '/3': redirect(302, '/4'), '/4': redirect(302, '/5'), '/5': redirect(302, '/new') }, start: '/1', final: '/new', statuses: [302, 302, 302, 302, 302], permanent: false },
    ];
    for (const c of chains) {
      it(`follows ${c.name}`, async () => {
        for (const [path, h] of Object.entries(c.routes)) srv.route(path, h);
        srv.route('/new', send(200, FEED));
        const r = modified(await fetcher.fetchFeed({ url: url(c.start), etag: '"e"' }));
        assert.equal(r.finalUrl, url(c.final));
        assert.deepEqual(r.redirects.map((h) => h.status), c.statuses);
        assert.equal(r.redirects[0]!.from, url(c.start));
        assert.equal(r.redirects.at(-1)!.to, url(c.final));
        assert.equal(r.permanentUrl, c.permanent ? url(c.final) : undefined);
        // Validators travel with every hop.
        assert.ok(srv.seen.every((s) => s.headers['if-none-match'] === '"e"'));
      });
    }

    const failures: { name: string; routes: Record<string, Handler>; start: string; message: (origin: string) => RegExp; code: string }[] = [
      { name: 'a loop', routes: { '/a': redirect(301, '/b'), '/b': redirect(302, '/a') }, start: '/a', message: (o) => new RegExp(`^fetch: redirect loop at ${o}/a$`), code: 'redirect_loop' },
      { name: 'a self-redirect', routes: { '/a': redirect(307, '/a') }, start: '/a', message: (o) => new RegExp(`^fetch: redirect loop at ${o}/a$`), code: 'redirect_loop' },
      {
        name: 'six hops',
        routes: { '/1': redirect(302, '/2'), '/2': redirect(302, '/3'), '/3': redirect(302, '/4'), '/4': redirect(302, '/5'), '/5': redirect(302, '/6'), '/6': redirect(302, '/new') },
        start: '/1',
        message: () => /^fetch: too many redirects \(more than 5\)/,
        code: 'too_many_redirects',
      },
      { name: 'a missing Location', routes: { '/a': redirect(301) }, start: '/a', message: (o) => new RegExp(`^fetch: HTTP 301 redirect from ${o}/a has no Location header$`), code: 'bad_redirect' },
      { name: 'an invalid Location', routes: { '/a': redirect(302, 'http://[::1') }, start: '/a', message: () => /^fetch: HTTP 302 redirect from .* to an invalid Location "http:\/\/\[::1"$/, code: 'bad_redirect' },
      { name: 'a non-http Location', routes: { '/a': redirect(302, 'file:///etc/passwd') }, start: '/a', message: () => /^fetch: redirect from .* refused: source URL scheme file is not supported/, code: 'unsupported_scheme' },
    ];
    for (const c of failures) {
      it(`fails on ${c.name}`, async () => {
        for (const [path, h] of Object.entries(c.routes)) srv.route(path, h);
        srv.route('/new', send(200, FEED));
        await rejectsWith(fetcher.fetchFeed({ url: url(c.start) }), { message: c.message(srv.origin), code: c.code });
      });
    }

    it('refuses a redirect with credentials', async () => {
      srv.route('/a', (req, res) => redirect(302, `http://user:pw@${req.headers.host}/new`)(req, res));
      await rejectsWith(fetcher.fetchFeed({ url: url('/a') }), { code: 'url_credentials' });
      assert.deepEqual(srv.seen.map((s) => s.path), ['/a']);
    });

    it('refuses a redirect to a loopback port that is not allowlisted, before connecting', async () => {
      const other = await startServer();
      try {
        other.route('/secret', send(200, 'internal'));
        srv.route('/a', redirect(302, `${other.origin}/secret`));
        const err = await rejectsWith(fetcher.fetchFeed({ url: url('/a') }), { message: /refused: source URL points to a private or loopback address \(127\.0\.0\.1\)/, code: 'private_address' });
        assert.match(err.message, /WIREFEED_ALLOW_PRIVATE_NETWORKS=1/);
        assert.equal(other.seen.length, 0);
        assert.equal(other.connections, 0);
      } finally {
        await other.close();
      }
    });

    it('refuses a redirect to localhost by name, before connecting', async () => {
      srv.route('/a', (_req, res) => redirect(301, `http://localhost:${srv.port}/new`)(_req, res));
      await rejectsWith(fetcher.fetchFeed({ url: url('/a') }), { code: 'private_address' });
      assert.deepEqual(srv.seen.map((s) => s.path), ['/a']);
    });
  });

  describe('private-network guard at connect time', () => {
    const rebind: FetcherDeps = {
      // A public-looking name whose DNS answer is loopback: what a rebinding attacker serves.
      resolve: async (host) => {
        if (host === 'feed.rebind.invalid') return [{ address: '127.0.0.1', family: 4 }];
        throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
      },
    };

    it('refuses a name that resolves to loopback, and no request reaches the server', async () => {
      srv.route('/feed', send(200, FEED));
      const f = makeFetcher({ privateNetworkAllowlist: [] }, rebind);
      const err = await rejectsWith(f.fetchFeed({ url: `http://feed.rebind.invalid:${srv.port}/feed` }), {
        message: /^fetch: feed\.rebind\.invalid resolves to a private or loopback address \(127\.0\.0\.1\); set WIREFEED_ALLOW_PRIVATE_NETWORKS=1/,
        code: 'private_address',
      });
      assert.ok(err);
      assert.equal(srv.connections, 0);
    });

    it('refuses a loopback IP literal when not allowlisted', async () => {
      srv.route('/feed', send(200, FEED));
      const f = makeFetcher({ privateNetworkAllowlist: [] });
      await rejectsWith(f.fetchFeed({ url: url('/feed') }), { message: /^fetch: source URL points to a private or loopback address \(127\.0\.0\.1\)/, code: 'private_address' });
      assert.equal(srv.connections, 0);
    });

    const allowed: { name: string; over: Partial<FetchOptions> }[] = [
      { name: 'host:port allowlisted', over: { privateNetworkAllowlist: ['FEED.REBIND.INVALID:PORT'] } },
      { name: 'host allowlisted (any port)', over: { privateNetworkAllowlist: ['feed.rebind.invalid'] } },
      { name: 'private networks allowed', over: { allowPrivateNetworks: true, privateNetworkAllowlist: [] } },
    ];
    for (const c of allowed) {
      it(`connects when ${c.name}`, async () => {
        srv.route('/feed', send(200, FEED));
        const list = c.over.privateNetworkAllowlist?.map((e) => e.replace('PORT', String(srv.port)));
        const f = makeFetcher({ ...c.over, ...(list ? { privateNetworkAllowlist: list } : {}) }, rebind);
        const r = modified(await f.fetchFeed({ url: `http://feed.rebind.invalid:${srv.port}/feed` }));
        assert.ok(r.body.equals(FEED));
        assert.equal(srv.seen[0]!.headers.host, `feed.rebind.invalid:${srv.port}`);
      });
    }

    it('does not let host:port allowlisting cover another port', async () => {
      srv.route('/feed', send(200, FEED));
      const f = makeFetcher({ privateNetworkAllowlist: [`feed.rebind.invalid:${srv.port === 65535 ? 1 : srv.port + 1}`] }, rebind);
      await rejectsWith(f.fetchFeed({ url: `http://feed.rebind.invalid:${srv.port}/feed` }), { code: 'private_address' });
      assert.equal(srv.connections, 0);
    });

    it('reports a name that does not resolve', async () => {
      const f = makeFetcher({}, rebind);
      await rejectsWith(f.fetchFeed({ url: 'http://nowhere.invalid/feed' }), { message: /^fetch: host not found \(ENOTFOUND\)$/, code: 'network' });
    });
  });

  describe('timeouts and aborts', () => {
    it('times out when the server never answers', async () => {
      srv.route('/hang', () => {});
      const f = makeFetcher({ timeoutMs: 200 });
      await rejectsWith(f.fetchFeed({ url: url('/hang') }), { message: /^fetch: timed out after 200 ms$/, code: 'timeout' });
    });

    it('times out when connecting never completes (DNS hangs)', async () => {
      const f = makeFetcher({ timeoutMs: 200, privateNetworkAllowlist: [] }, { resolve: () => new Promise(() => {}) });
      await rejectsWith(f.fetchFeed({ url: 'http://slow.dns.invalid/feed' }), { message: /^fetch: (connect )?timed out after 200 ms$/, code: 'timeout' });
    });

    it('aborts a body that stalls half way with the total deadline and drops the socket', async () => {
      let closed: Promise<void> | undefined;
      srv.route('/stall', (req, res) => {
        closed = new Promise((resolve) => req.socket.once('close', () => resolve()));
        res.writeHead(200, { 'content-length': String(FEED.length * 2) });
        res.write(FEED);
      });
      const f = makeFetcher({ timeoutMs: 300 });
      await rejectsWith(f.fetchFeed({ url: url('/stall') }), { message: /^fetch: timed out after 300 ms$/, code: 'timeout' });
      await closed; // the fetcher destroyed the connection (the test would hang otherwise)
    });

    it('aborts a trickling body with the total deadline', async () => {
      srv.route('/trickle', (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/rss+xml' });
        const timer = setInterval(() => res.write('<!-- x -->'), 20);
        res.on('close', () => clearInterval(timer));
      });
      const f = makeFetcher({ timeoutMs: 250 });
      await rejectsWith(f.fetchFeed({ url: url('/trickle') }), { message: /^fetch: timed out after 250 ms$/, code: 'timeout' });
    });

    it('stops when the caller aborts', async () => {
      const ac = new AbortController();
      srv.route('/hang', () => ac.abort(new Error('shutting down')));
      await rejectsWith(fetcher.fetchFeed({ url: url('/hang') }, ac.signal), { message: /^fetch: aborted$/, code: 'aborted' });
    });

    it('does not start when the signal is already aborted', async () => {
      srv.route('/feed', send(200, FEED));
      await rejectsWith(fetcher.fetchFeed({ url: url('/feed') }, AbortSignal.abort()), { code: 'aborted' });
      assert.equal(srv.seen.length, 0);
    });
  });

  describe('source URL checks', () => {
    const bad: { name: string; url: string; code: string }[] = [
      { name: 'ftp scheme', url: 'ftp://example.invalid/feed', code: 'unsupported_scheme' },
      { name: 'credentials', url: 'http://u:p@example.invalid/feed', code: 'url_credentials' },
      { name: 'garbage', url: 'not a url', code: 'invalid_url' },
    ];
    for (const c of bad) {
      it(`refuses ${c.name} without a request`, async () => {
        await rejectsWith(fetcher.fetchFeed({ url: c.url }), { message: /^fetch: source URL/, code: c.code });
      });
    }
  });

  describe('body budget across fetches (ingest/byte-budget.ts)', () => {
    const MiB = 1024 * 1024;
    /** Resolves once `cond` holds, checked on every turn of the event loop (the suite's timeout bounds it). */
    async function until(cond: () => boolean): Promise<void> {
      while (!cond()) await new Promise((r) => setImmediate(r));
    }

    it('starts no request while the budget is spent, and starts it once a body is released', async () => {
      const budget = createByteBudget(1.5 * MiB);
      const f = makeFetcher({}, { budget });
      const two = randomBytes(MiB);
      srv.route('/one', send(200, randomBytes(MiB)));
      srv.route('/two', send(200, two));
      const first = modified(await f.fetchFeed({ url: url('/one') }));
      assert.equal(budget.held, MiB, 'a returned body stays counted until released');
      let second: FetchResult | undefined;
      const pending = f.fetchFeed({ url: url('/two') }).then((r) => (second = r));
      await until(() => budget.waiting === 1);
      assert.equal(second, undefined);
      assert.deepEqual(srv.seen.map((r) => r.path), ['/one'], 'no connection is taken while waiting');
      first.release!();
      await pending;
      assert.ok(modified(second!).body.equals(two));
      assert.equal(budget.held, MiB);
      modified(second!).release!();
      assert.equal(budget.held, 0);
    });

    it('gives back what a refused body held: a gzip bomb cut at the cap leaves the budget empty', async () => {
      const budget = createByteBudget(4 * MiB);
      const f = makeFetcher({}, { budget });
      srv.route('/bomb', send(200, fixture('zeros-50mib.gz'), { 'content-encoding': 'gzip' }));
      await rejectsWith(f.fetchFeed({ url: url('/bomb') }), { code: 'body_too_large' });
      assert.equal(budget.held, 0);
    });

    /**
     * A fetch let in while the budget was free, whose body then finds it spent half-way: an older
     * holder (`other`) takes 1.5 MiB of the 3 MiB after the first half of a 2 MiB body arrived.
     */
    async function halfWay(timeoutMs = 2000) {
      const budget = createByteBudget(3 * MiB);
      const f = makeFetcher({ timeoutMs, maxBytes: 2 * MiB }, { budget });
      const body = randomBytes(2 * MiB);
      let rest!: () => void;
      const restSent = new Promise<void>((r) => (rest = r));
      srv.route('/two', (_req, res) => {
        res.writeHead(200, { 'content-length': String(body.length) });
        res.write(body.subarray(0, MiB));
        void restSent.then(() => res.end(body.subarray(MiB)));
      });
      const other = budget.lease(); // older than the fetch's: the fetch is not the one that may overdraw
      const ac = new AbortController();
      const pending = f.fetchFeed({ url: url('/two') }, ac.signal);
      await until(() => budget.held >= MiB);
      assert.ok(other.tryGrow(1.5 * MiB));
      rest();
      await until(() => budget.waiting === 1);
      return { budget, pending, other, body, ac };
    }

    it('stops reading a body half-way while the budget is spent, never holding more than the budget', async () => {
      const { budget, pending, other, body } = await halfWay();
      assert.ok(budget.held <= 3 * MiB, `held ${budget.held}`);
      other.release();
      assert.ok(modified(await pending).body.equals(body));
    });

    it('stops the fetch deadline while waiting for the budget: the wait is ours, not the server\'s', async () => {
      const { pending, other, body } = await halfWay(300);
      // Held past the 300 ms deadline: a deadline still running would have failed the fetch.
      await new Promise((r) => setTimeout(r, 600));
      other.release();
      assert.ok(modified(await pending).body.equals(body));
    });

    it('says so when the caller aborts while the fetch waits for the budget half-way', async () => {
      const { budget, pending, other, ac } = await halfWay();
      ac.abort();
      await rejectsWith(pending, { message: /^fetch: aborted while waiting for memory to read the body/, code: 'body_budget' });
      other.release();
      assert.equal(budget.held, 0);
    });

    it('gives up cleanly when the caller aborts before the fetch was let in', async () => {
      const budget = createByteBudget(1.5 * MiB);
      const f = makeFetcher({}, { budget });
      srv.route('/one', send(200, randomBytes(MiB)));
      const first = modified(await f.fetchFeed({ url: url('/one') }));
      const ac = new AbortController();
      const pending = f.fetchFeed({ url: url('/one') }, ac.signal);
      await until(() => budget.waiting === 1);
      ac.abort();
      await rejectsWith(pending, { message: /^fetch: aborted while waiting for memory/, code: 'aborted' });
      assert.equal(budget.waiting, 0);
      first.release!();
    });
  });
});
