// The operator console in a real browser (headless Debian chromium through playwright-core),
// against the real server (main.ts startServer: real fetcher, writer thread, services) and a
// loopback feed site served by this test. Every page is screenshotted into test-output/ and
// checked with axe-core: no serious or critical violations.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { BrowserContext, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../src/main.js';
import { silentLogger } from '../src/log.js';
import { testConfig } from './http-fixtures.js';
import { openLoopbackBrowser, skipWithoutChromium } from './support/browser.js';

const OUT = path.resolve('test-output');
const TOKEN = 'console-browser-token-0123456789';
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

function rss(origin: string): string {
  const item = (key: string, title: string, text: string, image = '') =>
    `<item><guid isPermaLink="false">${key}</guid><title>${title}</title><link>${origin}/news/${key}</link><description>${text}</description><pubDate>Mon, 07 Dec 2026 0${key.length % 9}:00:00 GMT</pubDate>${image}</item>`;
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Harbour Gazette</title><link>${origin}/</link><description>Local news</description>
${item('cranes', 'Harbour cranes return to work', 'The port reopened after the strike.', `<media:content url="${origin}/cranes.svg" medium="image" type="image/svg+xml" width="640" height="360"><media:description>Cranes at dawn</media:description><media:credit role="photographer">Jo Lens</media:credit></media:content>`)}
${item('election-night', 'Election night results', 'Turnout was the highest in decades.')}
${item('cup-final-tonight', 'Cup final tonight', 'Both teams are at full strength.')}
</channel></rss>`;
}

/** The loopback "publisher": a web page that links its feed, the feed, and a photo. */
async function startFeedSite(): Promise<{ origin: string; host: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const origin = `http://${req.headers.host}`;
    if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html><head><title>Harbour Gazette</title><link rel="alternate" type="application/rss+xml" title="Gazette RSS" href="/feed.xml"></head><body>news</body></html>`);
    } else if (req.url === '/feed.xml') {
      res.writeHead(200, { 'Content-Type': 'application/rss+xml; charset=utf-8' });
      res.end(rss(origin));
    } else if (req.url === '/cranes.svg') {
      res.writeHead(200, { 'Content-Type': 'image/svg+xml' });
      res.end('<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360"><rect width="640" height="360" fill="#58a"/></svg>');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('browser: operator console', function () {
  this.timeout(60_000);
  let site: Awaited<ReturnType<typeof startFeedSite>>;
  let srv: RunningServer;
  let browser: BrowserContext;
  let tmp: string;
  let page: Page;
  let problems: string[] = [];
  let shot = 0;

  /** Screenshot + axe-core on the page as it is now. */
  async function check(name: string): Promise<void> {
    const file = path.join(OUT, `console-${String(++shot).padStart(2, '0')}-${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    assert.ok((await page.title()).endsWith('— wirefeed console'), `${name}: a <title>`);
    assert.equal(await page.locator('main').count(), 1, `${name}: one <main> landmark`);
    const violations = (await page.evaluate(async (src: string) => {
      // eslint-disable-next-line no-eval
      if (!(window as unknown as { axe?: unknown }).axe) (0, eval)(src);
      const axe = (window as unknown as { axe: { run(ctx: Document, opts: unknown): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
      const r = await axe.run(document, { resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
    }, AXE_SOURCE)) as { id: string; impact: string; help: string; targets: string[] }[];
    const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    assert.deepEqual(bad, [], `${name}: axe-core serious/critical violations`);
    // Fits a 390 px phone as well as 1280 px: no sideways scrolling of the page itself.
    const width = page.viewportSize()!.width;
    assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= width, `${name}: no horizontal overflow at ${width} px`);
  }

  before(async function () {
    skipWithoutChromium(this);
    mkdirSync(OUT, { recursive: true });
    tmp = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-console-'));
    site = await startFeedSite();
    srv = await startServer(
      testConfig({ dataDir: tmp, dbPath: path.join(tmp, 'wirefeed.db'), adminToken: TOKEN, scheduler: false, privateNetworkAllowlist: [site.host], fetchTimeoutMs: 5000 }),
      silentLogger(),
    );
    // axe-core is evaluated into the page; the console's CSP rightly allows no script.
    ({ context: browser, page, problems } = await openLoopbackBrowser(path.join(tmp, 'profile'), { viewport: { width: 1280, height: 800 }, bypassCSP: true }));
  });

  after(async () => {
    await browser?.close();
    await srv?.stop();
    await site?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  afterEach(() => {
    assert.deepEqual(problems.splice(0), [], 'no console errors, page errors or failed requests');
  });

  it('signs in with the admin token and lands on the overview', async () => {
    await page.goto(`${srv.url}/admin`);
    assert.equal(await page.title(), 'Sign in — wirefeed console');
    assert.equal(await page.locator('form[action="/admin/login"] input[type=password]').count(), 1);
    await check('sign-in');
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${srv.url}/admin`);
    assert.equal(await page.locator('h1').textContent(), 'Overview');
    const cookies = await browser.cookies(`${srv.url}/admin`);
    const session = cookies.find((c) => c.name === 'wirefeed_admin');
    assert.ok(session, 'a session cookie');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(session.path, '/admin');
    await check('overview-empty');
  });

  it('adds a loopback source through discovery, fetches it and shows its articles', async () => {
    await page.getByRole('link', { name: 'Sources', exact: true }).click();
    await page.getByRole('textbox', { name: /Add a source/ }).fill(`${site.origin}/`);
    await page.getByRole('button', { name: 'Check' }).click();
    await page.waitForURL(/\/admin\/sources\/new\?url=/);
    const found = await page.locator('#h-found + p').textContent();
    assert.match(found!, /is a web page\. It links 1 feed/);
    assert.equal(await page.locator('section strong.mono').textContent(), `${site.origin}/feed.xml`);
    await check('add-source-discovery');
    await page.getByLabel(/Categories/).fill('Local, Harbour');
    await page.getByRole('button', { name: 'Add source' }).click();
    await page.waitForURL(/\/admin\/sources\/\d+\?done=added/);
    assert.match((await page.locator('.notice').textContent())!, /Source added/);
    await page.getByRole('button', { name: 'Refresh now' }).click();
    await page.waitForURL(/done=refreshed/);
    assert.equal(await page.locator('.notice').textContent(), 'Fetched now: modified, 3 new, 0 updated.');
    assert.deepEqual((await page.locator('section[aria-labelledby=h-articles] tbody td:first-child').allTextContents()).sort(), [
      'Cup final tonight',
      'Election night results',
      'Harbour cranes return to work',
    ]);
    assert.equal(await page.locator('section[aria-labelledby=h-log] tbody tr').count(), 1);
    assert.equal(await page.locator('h1 .badge').textContent(), 'ok');
    await check('source');
  });

  it('pauses the source and shows it paused in the table', async () => {
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.waitForURL(/done=paused/);
    assert.equal(await page.locator('h1 .badge').textContent(), 'paused');
    assert.equal(await page.getByRole('button', { name: 'Resume' }).count(), 1);
    await page.getByRole('link', { name: 'Sources', exact: true }).click();
    assert.deepEqual(await page.locator('tbody td:nth-child(2)').allTextContents(), ['paused']);
    await page.getByRole('link', { name: 'Items' }).click();
    assert.equal(await page.locator('th[aria-sort]').textContent(), 'Items ▲');
    await check('sources');
    await page.setViewportSize({ width: 390, height: 800 });
    await check('sources-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  it('creates a channel, with a preview of its items and its subscribe URLs', async () => {
    await page.getByRole('link', { name: 'Channels', exact: true }).click();
    await check('channels-empty');
    await page.getByRole('link', { name: 'New channel' }).click();
    await page.getByLabel(/^Slug/).fill('elections');
    await page.getByLabel('Title').fill('Elections');
    await page.getByLabel(/Full-text query/).fill('election');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.waitForURL(`${srv.url}/admin/channels/preview`);
    assert.deepEqual(await page.locator('section[aria-labelledby=h-preview] tbody td:first-child').allTextContents(), ['Election night results']);
    assert.equal(await page.getByLabel('Title').inputValue(), 'Elections', 'the form keeps what was typed');
    await page.getByRole('button', { name: 'Create channel' }).click();
    await page.waitForURL(`${srv.url}/admin/channels/elections?done=created`);
    const urls = await page.locator('section[aria-labelledby=h-subscribe] a').allTextContents();
    assert.deepEqual(urls, ['rss', 'atom', 'json'].map((f) => `${srv.url}/feeds/elections.${f}`).concat(`${srv.url}/feeds/elections`));
    assert.deepEqual(await page.locator('section[aria-labelledby=h-preview] tbody td:first-child').allTextContents(), ['Election night results']);
    const feed = (await (await fetch(`${srv.url}/feeds/elections.json`)).json()) as { items: { title: string }[] };
    assert.deepEqual(feed.items.map((i) => i.title), ['Election night results']);
    await check('channel');
  });

  const titles = async () => ((await (await fetch(`${srv.url}/feeds/all.json`)).json()) as { items: { title: string }[] }).items.map((i) => i.title).sort();

  it('corrects an article: a new revision, and the public feed carries the correction', async () => {
    await page.getByRole('link', { name: 'Articles', exact: true }).click();
    await page.getByLabel(/Full text/).fill('election');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Election night results' }).click();
    await page.getByLabel('Title', { exact: true }).fill('Election night: final results');
    await page.getByLabel(/Correction note/).fill('Final count');
    await page.getByRole('button', { name: 'Correct', exact: true }).click();
    await page.waitForURL(/done=correct/);
    assert.equal(await page.locator('h1').evaluate((h) => h.firstChild?.textContent?.trim()), 'Election night: final results');
    const revisions = await page.locator('section[aria-labelledby=h-revisions] tbody tr').allInnerTexts();
    assert.equal(revisions.length, 2);
    assert.match(revisions[0]!, /^2\s.*Final count\s+title$/s);
    assert.deepEqual(await titles(), ['Cup final tonight', 'Election night: final results', 'Harbour cranes return to work']);
    await check('article-corrected');
  });

  it('finds an article by full text and kills (withdraws) it: it leaves the public feed', async () => {
    await page.getByRole('link', { name: 'Articles', exact: true }).click();
    await page.getByLabel(/Full text/).fill('cranes');
    await page.getByRole('button', { name: 'Search' }).click();
    assert.deepEqual(await page.locator('tbody td:first-child').allTextContents(), ['Harbour cranes return to work']);
    await check('articles');
    await page.getByRole('link', { name: 'Harbour cranes return to work' }).click();
    assert.match((await page.locator('section[aria-labelledby=h-assets]').textContent())!, /Cranes at dawn[\s\S]*Jo Lens \(photographer\)/);
    await page.getByLabel(/Reason \(sent to partners\)/).fill('Wrong harbour');
    await page.getByLabel('A kill cannot be undone').check();
    await page.getByRole('button', { name: 'Kill', exact: true }).click();
    await page.waitForURL(/done=kill/);
    assert.equal(await page.locator('h1 .badge').textContent(), 'canceled');
    assert.match((await page.locator('dl.facts').innerText())!, /canceled — Wrong harbour/);
    await check('article-killed');
    assert.deepEqual(await titles(), ['Cup final tonight', 'Election night: final results']);
  });

  it('creates a partner key, shown once, and revokes it', async () => {
    await srv.core.partners.create({ slug: 'acme', name: 'Acme News', channels: ['elections'] });
    await page.getByRole('link', { name: 'Partners', exact: true }).click();
    await check('partners');
    await page.getByRole('link', { name: 'Acme News' }).click();
    await page.getByRole('button', { name: 'Create a key' }).click();
    const key = (await page.locator('#new-key').textContent())!;
    assert.ok(key.length >= 32);
    await check('partner-new-key');
    const withKey = (feed = 'elections.json') => fetch(`${srv.url}/feeds/${feed}`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal((await withKey()).status, 200);
    // The partner takes everything public, then a story it holds is killed.
    const page1 = (await (await withKey('all.json?after=0')).json()) as { items: { title: string }[]; next_url: string };
    // (the cranes kill arrives as a tombstone, without a title)
    assert.deepEqual(page1.items.map((i) => i.title).filter(Boolean).sort(), ['Cup final tonight', 'Election night: final results']);
    const cup = (await srv.core.articles.list({ q: 'cup', limit: 5 }))[0]!;
    await srv.core.lifecycle.act(cup.id, 'kill', { reason: 'Result was wrong' });
    // (Reloading would re-post the form and make another key: go to the page instead.)
    await page.goto(`${srv.url}/admin/partners/acme`);
    assert.equal(await page.locator('#new-key').count(), 0, 'shown once');
    assert.ok(!(await page.content()).includes(key), 'the key is nowhere on the page again');
    assert.match(await page.locator('section[aria-labelledby=h-usage] dl').innerText(), /Cursor\s+seq \d+ of \d+ — 1 behind/);
    assert.deepEqual(await page.locator('section[aria-labelledby=h-kills] li a').allTextContents(), ['Cup final tonight']);
    assert.equal(await page.locator('section[aria-labelledby=h-deliveries] tbody tr').count(), 2);
    await check('partner');
    await page.getByRole('link', { name: 'Overview' }).click();
    assert.deepEqual((await page.locator('section[aria-labelledby=h-lag] tbody tr').allInnerTexts()).map((r) => r.split('\t')), [['Acme News', '1', '1']]);
    // It follows its cursor: the kill reaches it, nothing is outstanding any more.
    assert.equal((await withKey(new URL(page1.next_url).pathname.slice('/feeds/'.length) + new URL(page1.next_url).search)).status, 200);
    await page.goto(`${srv.url}/admin/partners/acme`);
    assert.equal(await page.locator('section[aria-labelledby=h-kills] li').count(), 0);
    assert.match(await page.locator('section[aria-labelledby=h-usage] dl').innerText(), /up to date/);
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.waitForURL(/done=revoked/);
    assert.equal(await page.locator('section[aria-labelledby=h-keys] tbody .badge').textContent(), 'revoked');
    assert.equal((await withKey()).status, 401);
  });

  it('shows the WebSub subscriptions page', async () => {
    await page.getByRole('link', { name: 'Push' }).click();
    assert.equal(await page.title(), 'Push (WebSub) — wirefeed console');
    await check('push');
  });

  it('shows the ingest on the overview, then signs out', async () => {
    await page.getByRole('link', { name: 'Overview' }).click();
    assert.match((await page.locator('svg.chart desc').textContent())!, /^3 new and 0 updated items in 24 hours/);
    await check('overview');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${srv.url}/admin?signed_out`);
    assert.equal(await page.title(), 'Sign in — wirefeed console');
    assert.equal((await browser.cookies(`${srv.url}/admin`)).find((c) => c.name === 'wirefeed_admin'), undefined);
    await page.goto(`${srv.url}/admin/sources`);
    assert.equal(page.url(), `${srv.url}/admin`, 'signed out: pages lead to the sign-in form');
  });
});
