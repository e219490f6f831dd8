// /metrics over real HTTP from the real server (main.ts startServer), after real fetches from a
// loopback feed site, parsed back with a Prometheus text-format parser.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '../src/log.js';
import { startServer, type RunningServer } from '../src/main.js';
import { routeClass } from '../src/http/metrics.js';
import { testConfig } from './http-fixtures.js';
import { familyOf, parsePrometheus, prometheusParserMissing, value, type PromFamily } from './support/prometheus.js';

const TOKEN = 'metrics-test-token-0123456789abcdef';

const FEED = `<?xml version="1.0"?><rss version="2.0"><channel><title>Site</title><link>http://example.org/</link><description>d</description>
<item><guid>a</guid><title>First</title><description>one</description></item>
<item><guid>b</guid><title>Second</title><description>two</description></item></channel></rss>`;

describe('metrics: /metrics in Prometheus text format', function () {
  this.timeout(30_000);
  let site: http.Server;
  let siteOrigin: string;
  let srv: RunningServer;
  let tmp: string;
  let families: PromFamily[];
  const auth = { authorization: `Bearer ${TOKEN}` };

  before(async function () {
    const missing = prometheusParserMissing();
    if (missing) {
      console.log(`      (skipped: ${missing})`);
      this.skip();
    }
    site = http.createServer((req, res) => {
      if (req.url === '/feed.xml') res.writeHead(200, { 'Content-Type': 'application/rss+xml' }).end(FEED);
      else res.writeHead(500).end('broken');
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(site.address() as AddressInfo).port}`;
    siteOrigin = `http://${host}`;
    tmp = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-metrics-'));
    srv = await startServer(
      testConfig({ dataDir: tmp, dbPath: path.join(tmp, 'wf.db'), adminToken: TOKEN, scheduler: false, metrics: true, metricsPort: 0, privateNetworkAllowlist: [host], fetchTimeoutMs: 3000 }),
      silentLogger(),
    );
    const { core } = srv;
    const good = await core.sources.add({ url: `${siteOrigin}/feed.xml`, slug: 'good' }, { discover: false });
    const bad = await core.sources.add({ url: `${siteOrigin}/broken.xml`, slug: 'bad' }, { discover: false });
    const late = await core.sources.add({ url: `${siteOrigin}/late.xml`, slug: 'late' }, { discover: false });
    await core.sources.update(late.id, { nextFetchAt: new Date(Date.now() - 3_600_000).toISOString() });
    await core.refresh.refreshSource(good);
    await core.refresh.refreshSource(bad);

    const first = await fetch(`${srv.url}/feeds/all.json`); // rendered by Express
    const etag = first.headers.get('etag')!;
    await fetch(`${srv.url}/feeds/all.json`); // fast lane, 200
    await fetch(`${srv.url}/feeds/all.json`, { headers: { 'if-none-match': etag } }); // fast lane, 304
    await core.partners.create({ slug: 'acme', name: 'Acme', channels: [] });
    const { key } = await core.partners.createKey('acme');
    assert.equal((await fetch(`${srv.url}/feeds/all.json`, { headers: { authorization: `Bearer ${key}` } })).status, 200);
    assert.equal((await fetch(`${srv.url}/feeds/all.json?key=not-a-key`)).status, 401);

    assert.equal((await fetch(`${srv.url}/api/sources`, { headers: auth })).status, 200);
    assert.equal((await fetch(`${srv.url}/admin`)).status, 200);
    const res = await fetch(`${srv.url}/metrics`, { headers: auth });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
    families = parsePrometheus(await res.text());
  });

  after(async () => {
    await srv?.stop();
    // Skipped before the site started (no Prometheus parser): nothing to close.
    await new Promise<void>((r) => (site ? site.close(() => r()) : r()));
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('needs the admin bearer token on the main port', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-wrong-token' }] as Record<string, string>[]) {
      const res = await fetch(`${srv.url}/metrics`, { headers });
      assert.equal(res.status, 401);
      assert.doesNotMatch(await res.text(), /wirefeed_/);
    }
  });

  it('serves without a token on WIREFEED_METRICS_PORT, bound to loopback', async () => {
    assert.match(srv.metricsUrl!, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const res = await fetch(srv.metricsUrl!);
    assert.equal(res.status, 200);
    assert.ok(familyOf(parsePrometheus(await res.text()), 'wirefeed_fetches_total'));
    assert.equal((await fetch(srv.metricsUrl!.replace('/metrics', '/api/sources'))).status, 404, 'nothing else there');
  });

  // A partner's render is a variant of its own: the keyed request renders (Express lane) too.
  const expected: { name: string; labels?: Record<string, string>; type: PromFamily['type']; check: (v: number) => boolean; says: string }[] = [
    { name: 'wirefeed_fetches_total', labels: { outcome: 'modified' }, type: 'counter', check: (v) => v === 1, says: '1' },
    { name: 'wirefeed_fetches_total', labels: { outcome: 'error' }, type: 'counter', check: (v) => v === 1, says: '1' },
    { name: 'wirefeed_items_total', labels: { change: 'new' }, type: 'counter', check: (v) => v === 2, says: '2' },
    { name: 'wirefeed_sources', labels: { status: 'ok' }, type: 'gauge', check: (v) => v === 1, says: '1' },
    { name: 'wirefeed_sources', labels: { status: 'failing' }, type: 'gauge', check: (v) => v === 1, says: '1' },
    { name: 'wirefeed_sources', labels: { status: 'new' }, type: 'gauge', check: (v) => v === 1, says: '1' },
    { name: 'wirefeed_sources', labels: { status: 'paused' }, type: 'gauge', check: (v) => v === 0, says: '0' },
    { name: 'wirefeed_sources_overdue', type: 'gauge', check: (v) => v === 1, says: '1' },
    { name: 'wirefeed_oldest_overdue_seconds', type: 'gauge', check: (v) => v >= 3600 && v < 3700, says: 'about an hour' },
    { name: 'wirefeed_http_requests_total', labels: { route: 'feed', status: '200', lane: 'app' }, type: 'counter', check: (v) => v === 2, says: '2 renders (public, partner variant)' },
    { name: 'wirefeed_http_requests_total', labels: { route: 'feed', status: '200', lane: 'fast' }, type: 'counter', check: (v) => v === 1, says: '1 fast hit' },
    { name: 'wirefeed_http_requests_total', labels: { route: 'feed', status: '304', lane: 'fast' }, type: 'counter', check: (v) => v === 1, says: '1' },
    { name: 'wirefeed_http_requests_total', labels: { route: 'api', status: '200', lane: 'app' }, type: 'counter', check: (v) => v === 1, says: '1 (a mounted router is classed by its full path)' },
    { name: 'wirefeed_http_requests_total', labels: { route: 'console', status: '200', lane: 'app' }, type: 'counter', check: (v) => v === 1, says: '1' },
    { name: 'wirefeed_feed_renders_total', labels: { format: 'json' }, type: 'counter', check: (v) => v === 2, says: '2' },
    { name: 'wirefeed_partner_requests_total', labels: { status: '200' }, type: 'counter', check: (v) => v === 1, says: '1' },
    { name: 'wirefeed_partner_requests_total', labels: { status: '401' }, type: 'counter', check: (v) => v === 1, says: '1' },
    { name: 'wirefeed_feed_cache_entries', type: 'gauge', check: (v) => v >= 1, says: '≥ 1' },
    { name: 'wirefeed_feed_cache_bytes', type: 'gauge', check: (v) => v > 100, says: '> 100' },
    { name: 'wirefeed_database_bytes', type: 'gauge', check: (v) => v >= 4096, says: '≥ one page' },
    { name: 'wirefeed_wal_bytes', type: 'gauge', check: (v) => v >= 0, says: '≥ 0' },
    { name: 'nodejs_eventloop_lag_seconds', type: 'gauge', check: (v) => v >= 0 && v < 5, says: 'a lag in seconds' },
    { name: 'nodejs_heap_size_used_bytes', type: 'gauge', check: (v) => v > 1e6, says: '> 1 MB' },
    { name: 'process_resident_memory_bytes', type: 'gauge', check: (v) => v > 1e7, says: '> 10 MB' },
  ];
  for (const e of expected) {
    it(`${e.name}${e.labels ? JSON.stringify(e.labels) : ''} is a ${e.type}: ${e.says}`, () => {
      const family = familyOf(families, e.name);
      assert.equal(family?.type, e.type, `${e.name} type`);
      assert.ok(family!.help.length > 10, 'has HELP');
      const v = value(families, e.name, e.labels);
      assert.ok(v !== undefined && e.check(v), `${e.name} = ${v}`);
    });
  }

  it('histograms: fetch latency per outcome and render time per format', () => {
    assert.equal(familyOf(families, 'wirefeed_fetch_duration_seconds_count')?.type, 'histogram');
    assert.equal(value(families, 'wirefeed_fetch_duration_seconds_count', { outcome: 'modified' }), 1);
    assert.equal(value(families, 'wirefeed_fetch_duration_seconds_count', { outcome: 'error' }), 1);
    assert.equal(value(families, 'wirefeed_fetch_duration_seconds_bucket', { outcome: 'modified', le: '+Inf' }), 1);
    assert.equal(familyOf(families, 'wirefeed_render_duration_seconds_count')?.type, 'histogram');
    assert.equal(value(families, 'wirefeed_render_duration_seconds_count', { format: 'json' }), 2);
    assert.ok(value(families, 'wirefeed_render_duration_seconds_sum', { format: 'json' })! > 0);
  });

  it('off by default: no /metrics route without WIREFEED_METRICS=1', async () => {
    const off = await startServer(testConfig({ dataDir: tmp, dbPath: path.join(tmp, 'off.db'), adminToken: TOKEN, scheduler: false }), silentLogger());
    try {
      assert.equal((await fetch(`${off.url}/metrics`, { headers: auth })).status, 404);
      assert.equal(off.metricsUrl, undefined);
    } finally {
      await off.stop();
    }
  });
});

describe('metrics: route classes (bounded label values)', () => {
  const cases: [string, string][] = [
    ['/feeds/all.rss', 'feed'],
    ['/feeds/sources/wire.json', 'feed'],
    ['/feeds/world', 'page'],
    ['/', 'page'],
    ['/api/sources/3', 'api'],
    ['/admin/sources', 'console'],
    ['/metrics', 'metrics'],
    ['/healthz', 'health'],
    ['/demo/a.xml', 'demo'],
    ['/wp-login.php', 'other'],
  ];
  for (const [p, cls] of cases) it(`${p} → ${cls}`, () => assert.equal(routeClass(p), cls));
});
