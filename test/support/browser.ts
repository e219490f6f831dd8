// One way to drive a real browser in the tests: headless Debian chromium through playwright-core,
// a fresh profile, only 127.0.0.1 reachable, and every console error, page error or failed
// request collected so a test can assert there were none.
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Without the background-networking flags chromium keeps dialling out of a closed network. */
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface LoopbackBrowser {
  context: BrowserContext;
  page: Page;
  /** Console errors and warnings, page errors and failed requests, in order. */
  problems: string[];
}

/** Skips the suite, saying how to install chromium, when it is absent. */
export function skipWithoutChromium(ctx: Mocha.Context): void {
  if (existsSync(CHROMIUM)) return;
  console.log(`      (skipped: ${CHROMIUM} is not installed; apt-get install chromium to run the browser tests)`);
  ctx.skip();
}

export async function openLoopbackBrowser(
  profileDir: string,
  options: { viewport?: { width: number; height: number }; bypassCSP?: boolean } = {},
): Promise<LoopbackBrowser> {
  // A fresh profile directory per run (playwright passes it as --user-data-dir).
  const context = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM, headless: true, args: ARGS, ...options });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  await page.route('**/*', (route) => (new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  return { context, page, problems };
}
