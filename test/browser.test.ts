// The human pages in a real browser: headless Debian chromium through playwright-core, with
// every request that is not to 127.0.0.1 aborted.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { openLoopbackBrowser, skipWithoutChromium } from './support/browser.js';
import { addSource, articleInput, ingest, photo, startServer, type TestServer } from './http-fixtures.js';

const FEED_TYPES: Record<string, string> = {
  'application/rss+xml': 'application/rss+xml; charset=utf-8',
  'application/atom+xml': 'application/atom+xml; charset=utf-8',
  'application/feed+json': 'application/feed+json; charset=utf-8',
};

describe('browser: human pages', function () {
  let srv: TestServer;
  let browser: BrowserContext;
  let tmp: string;
  let page: Page;
  let problems: string[] = [];

  before(async function () {
    skipWithoutChromium(this);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'wirefeed-browser-'));
    const demo = path.join(tmp, 'demo');
    mkdirSync(demo);
    writeFileSync(path.join(demo, 'cranes.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="360"><rect width="640" height="360" fill="#58a"/></svg>');
    srv = await startServer({ demoDir: demo });
    const wire = await addSource(srv.storage, 'wire');
    await addSource(srv.storage, 'gazette');
    await ingest(srv.storage, wire.id, [
      articleInput('cranes', { title: 'Port reopens after strike', categories: [{ term: 'world' }], rights: '© Example Wire 2025', assets: [photo(`${srv.url}/demo/cranes.svg`)] }),
      articleInput('final', { title: 'Cup final tonight', categories: [{ term: 'sport' }] }),
    ]);
    await srv.storage.channels.create({ slug: 'world', title: 'World', description: 'World news', filter: { categories: ['world'] }, now: '2025-01-01T00:00:00.000Z' });

    ({ context: browser, page, problems } = await openLoopbackBrowser(path.join(tmp, 'profile')));
  });

  after(async () => {
    await browser?.close();
    await srv?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  afterEach(() => {
    assert.deepEqual(problems.splice(0), [], 'no console errors, page errors or failed requests');
  });

  it('the index renders every channel and source with autodiscovery and subscribe links that resolve', async () => {
    const res = await page.goto(`${srv.url}/`);
    assert.equal(res?.status(), 200);
    assert.equal(await page.title(), 'wirefeed');
    const headings = await page.locator('main h3').allTextContents();
    assert.deepEqual(headings, ['All articles', 'World', 'Source wire', 'Source gazette']);

    const alternates = await page.locator('head link[rel="alternate"]').evaluateAll((els) =>
      els.map((e) => ({ type: e.getAttribute('type')!, title: e.getAttribute('title')!, href: (e as HTMLLinkElement).href })),
    );
    assert.equal(alternates.length, 4 * 3, 'three formats per channel and source');
    assert.ok(alternates.every((a) => a.title.length > 0));

    const subscribe = await page.locator('ul.feeds a').evaluateAll((els) => els.map((e) => ({ type: e.getAttribute('type')!, href: (e as HTMLAnchorElement).href })));
    const copyable = await page.locator('ul.feeds input[readonly]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
    assert.deepEqual(copyable, subscribe.map((s) => s.href), 'each link URL is shown as copyable text');
    assert.deepEqual(
      subscribe.map((s) => s.href),
      alternates.map((a) => a.href),
    );
    for (const link of subscribe) {
      const r = await fetch(link.href);
      assert.equal(r.status, 200, link.href);
      assert.equal(r.headers.get('content-type'), FEED_TYPES[link.type], link.href);
      const text = await r.text();
      if (link.type === 'application/feed+json') assert.equal(JSON.parse(text).version, 'https://jsonfeed.org/version/1.1');
      else assert.match(text, /^<\?xml version="1\.0" encoding="utf-8"\?>/i);
    }
  });

  it('a channel page shows its articles with image, caption and credit', async () => {
    await page.goto(`${srv.url}/`);
    await page.getByRole('link', { name: 'World', exact: true }).click();
    await page.waitForURL(`${srv.url}/feeds/world`);
    assert.equal(await page.locator('h1').textContent(), 'World');
    assert.deepEqual(await page.locator('article h2').allTextContents(), ['Port reopens after strike']);
    const img = page.locator('article figure img');
    assert.equal(await img.getAttribute('alt'), 'Harbour cranes at dawn');
    await img.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => {
      const el = document.querySelector('article figure img') as HTMLImageElement | null;
      return !!el && el.complete && el.naturalWidth > 0;
    });
    assert.equal(await page.locator('article figcaption').innerText(), 'Harbour cranes at dawn — Jo Lens (photographer)\n© Example Photo Agency');
    assert.equal(await page.locator('article .rights').textContent(), '© Example Wire 2025');
    assert.equal(await page.locator('head link[rel="alternate"]').count(), 3);
  });

  it('a source page lists the source articles and unknown pages are friendly 404s', async () => {
    await page.goto(`${srv.url}/feeds/sources/wire`);
    assert.deepEqual(await page.locator('article h2').allTextContents(), ['Cup final tonight', 'Port reopens after strike']);
    // A 404 document logs a console error in chromium; look at it without loading it in the page.
    const r = await fetch(`${srv.url}/feeds/nope`);
    assert.equal(r.status, 404);
    assert.match(await r.text(), /Back to the index/);
  });
});
