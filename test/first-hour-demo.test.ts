// The offline demo from every entry point (defects 2 and 3), with the real server process and
// the real `wirefeed` binary: the bundled feeds are read from disk (never through the network
// guard), and their links follow the origin that serves them, across a restart on another port.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI_BIN, cleanEnv, ensureBuilt, runBin, startServerProcess, type ServerProcess } from './support/binary.js';

interface JsonFeed {
  items: { url?: string; image?: string; content_html?: string; attachments?: { url: string }[]; _source?: { feed_url?: string } }[];
}

/** fetch() cannot set Host: a plain request can. */
function getWithHost(url: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { host } }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

async function items(srv: ServerProcess): Promise<JsonFeed['items']> {
  return ((await (await fetch(`${srv.url}/feeds/all.json`)).json()) as JsonFeed).items;
}

async function health(srv: ServerProcess): Promise<{ sources: number; sourcesFailing: number }> {
  return (await (await fetch(`${srv.url}/healthz`)).json()) as { sources: number; sourcesFailing: number };
}

async function until<T>(get: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  let v = await get();
  while (!ok(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 200));
    v = await get();
  }
  return v;
}

/** Every link of every item: story, image, attachments, links and images inside the body. */
function links(list: JsonFeed['items']): string[] {
  const out: string[] = [];
  for (const it of list) {
    if (it.url) out.push(it.url);
    if (it.image) out.push(it.image);
    for (const a of it.attachments ?? []) out.push(a.url);
    for (const m of (it.content_html ?? '').matchAll(/(?:src|href)="([^"]+)"/g)) out.push(m[1]!);
  }
  return out;
}

describe('first hour: the demo works from every entry point', function () {
  this.timeout(180_000);
  let dir: string;
  let env: Record<string, string>;
  before(() => ensureBuilt());
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-demo-'));
    env = { WIREFEED_DATA_DIR: path.join(dir, 'data') };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('defect 2: `wirefeed fetch` (the README example) ingests the demo the server registered', async () => {
    const srv = await startServerProcess({ cwd: dir, env: { ...env, WIREFEED_SCHEDULER: '0' } });
    try {
      const r = await runBin(['fetch'], { env, cwd: dir });
      assert.equal(r.code, 0, r.out + r.err);
      for (const slug of ['demo-culture', 'demo-tech', 'demo-world']) assert.match(r.out, new RegExp(`^${slug}\\s+modified\\s+200\\s+4\\s`, 'm'));
      assert.deepEqual(await health(srv).then((h) => [h.sources, h.sourcesFailing]), [3, 0]);
      assert.equal((await items(srv)).length, 12);
    } finally {
      await srv.stop();
    }
  });

  it('defect 2: the split setup (WIREFEED_SCHEDULER=0 + `wirefeed scheduler`) on a fresh data directory', async () => {
    // The scheduler first, as a supervisor may start them: it registers the demo itself.
    const scheduler = spawn(process.execPath, [CLI_BIN, 'scheduler'], { cwd: dir, env: cleanEnv({ ...env, WIREFEED_SCHEDULE: '0 0 1 1 *' }), stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => scheduler.once('exit', r));
    const srv = await startServerProcess({ cwd: dir, env: { ...env, WIREFEED_SCHEDULER: '0' } });
    try {
      const list = await until(() => items(srv), (l) => l.length === 12);
      assert.equal(list.length, 12, 'the scheduler process ingested the demo');
      assert.deepEqual(await health(srv).then((h) => [h.sources, h.sourcesFailing]), [3, 0]);
    } finally {
      scheduler.kill('SIGTERM');
      assert.equal(await exited, 0);
      await srv.stop();
    }
  });

  it('defect 3: after a restart on another port every demo link and image works on the new port', async () => {
    const first = await startServerProcess({ cwd: dir, env, timeoutMs: 60_000 });
    assert.equal((await until(() => items(first), (l) => l.length === 12)).length, 12);
    assert.equal(await first.stop(), 0);

    const second = await startServerProcess({ cwd: dir, env: { ...env, PORT: String(first.port === 18_955 ? 18_956 : 18_955) } });
    try {
      assert.notEqual(second.port, first.port);
      const list = await items(second);
      assert.equal(list.length, 12);
      const all = links(list);
      assert.ok(all.length >= 20, `links found: ${all.length}`);
      for (const url of all) assert.ok(url.startsWith(`${second.url}/demo/`), `${url} is not on ${second.url}`);
      for (const url of new Set(all)) assert.equal((await fetch(url)).status, 200, url);
      // The human page shows the same links, and they work too.
      const page = await (await fetch(`${second.url}/feeds/all`)).text();
      const pageLinks = [...page.matchAll(/<(?:a|img)[^>]+(?:href|src)="([^"]+\/demo\/[^"]+)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));
      assert.ok(pageLinks.length >= 12, `page links: ${pageLinks.length}`);
      for (const url of new Set(pageLinks)) assert.equal((await fetch(url)).status, 200, url);
      // A reader reaching the server under another name gets links under that name.
      const viaName = JSON.parse(await getWithHost(`${second.url}/feeds/all.json`, `localhost:${second.port}`)) as JsonFeed;
      assert.ok(links(viaName.items).every((u) => u.startsWith(`http://localhost:${second.port}/demo/`)));
    } finally {
      await second.stop();
    }
  });

  it('human pages honour q, limit, category and page, with a search box and a pager', async () => {
    const srv = await startServerProcess({ cwd: dir, env });
    try {
      await until(() => items(srv), (l) => l.length === 12);
      const page = async (q: string) => {
        const r = await fetch(`${srv.url}/feeds/all${q}`);
        const html = await r.text();
        return { status: r.status, html, articles: [...html.matchAll(/<article>/g)].length, older: /rel="next" href="([^"]+)"/.exec(html)?.[1]?.replaceAll('&amp;', '&'), newer: /rel="prev"/.test(html) };
      };
      const cases: { name: string; query: string; status: number; articles?: number; older?: RegExp; newer?: boolean; html?: RegExp }[] = [
        { name: 'default', query: '', status: 200, articles: 12, older: undefined, newer: false, html: /<form class="search" method="get" action="[^"]+\/feeds\/all" role="search"><input type="search" name="q" value=""/ },
        { name: 'limit', query: '?limit=5', status: 200, articles: 5, older: /\/feeds\/all\?limit=5&page=2$/, newer: false },
        { name: 'last page', query: '?limit=5&page=3', status: 200, articles: 2, older: undefined, newer: true },
        { name: 'search', query: '?q=harbour', status: 200, html: /<input type="search" name="q" value="harbour"/ },
        { name: 'search keeps the feed link', query: '?q=harbour', status: 200, html: /href="[^"]+\/feeds\/all\.rss\?q=harbour"/ },
        { name: 'search with no match', query: '?q=zebra', status: 200, articles: 0, html: /No articles match “zebra”/ },
        { name: 'empty search box', query: '?q=', status: 200, articles: 12 },
        { name: 'unusable search', query: '?q=%22', status: 400, html: /q must contain at least one letter or digit/ },
        { name: 'unknown parameter', query: '?limt=5', status: 400, html: /unknown parameter/ },
      ];
      for (const c of cases) {
        const p = await page(c.query);
        assert.equal(p.status, c.status, c.name);
        if (c.articles !== undefined) assert.equal(p.articles, c.articles, c.name);
        if ('older' in c) c.older ? assert.match(p.older ?? '', c.older, c.name) : assert.equal(p.older, undefined, c.name);
        if (c.newer !== undefined) assert.equal(p.newer, c.newer, c.name);
        if (c.html) assert.match(p.html, c.html, c.name);
      }
      const harbour = await page('?q=harbour');
      assert.ok(harbour.articles > 0 && harbour.articles < 12, `harbour: ${harbour.articles}`);
    } finally {
      await srv.stop();
    }
  });

  const production: { name: string; extra: Record<string, string>; sources: number; demoStatus: number }[] = [
    { name: 'a base URL turns the demo off: nothing registered, nothing served', extra: { WIREFEED_BASE_URL: 'https://feeds.example.com' }, sources: 0, demoStatus: 404 },
    { name: 'an explicit WIREFEED_DEMO=1 keeps it on, linked on the base URL', extra: { WIREFEED_BASE_URL: 'https://feeds.example.com', WIREFEED_DEMO: '1' }, sources: 3, demoStatus: 200 },
  ];
  for (const c of production) {
    it(`defect 3: ${c.name}`, async () => {
      const srv = await startServerProcess({ cwd: dir, env: { ...env, ...c.extra } });
      try {
        assert.equal((await health(srv)).sources, c.sources);
        assert.equal((await fetch(`${srv.url}/demo/world.rss.xml`)).status, c.demoStatus);
        const list = c.sources ? await until(() => items(srv), (l) => l.length === 12) : await items(srv);
        assert.equal(list.length, c.sources ? 12 : 0);
        for (const url of links(list)) assert.ok(url.startsWith('https://feeds.example.com/demo/'), url);
      } finally {
        await srv.stop();
      }
    });
  }
});
