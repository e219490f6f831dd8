// The console's security over real HTTP: sign-in, cookie flags, CSRF on every form, cross-site
// refusal, sign-out, expiry, and the audit line of an action.
import assert from 'node:assert/strict';
import type { Logger } from '../src/log.js';
import { createSessionStore, parseCookies } from '../src/http/admin-ui/session.js';
import { ADMIN_TOKEN, addSource, startServer, type TestServer } from './http-fixtures.js';

/** A logger that keeps what it is given, to read the audit lines back. */
function recordingLogger(lines: Record<string, unknown>[]): Logger {
  const log = {
    level: 'info',
    child: () => log,
    trace() {},
    debug() {},
    info: (obj: Record<string, unknown>, msg?: string) => void lines.push({ ...obj, msg }),
    warn: (obj: Record<string, unknown>, msg?: string) => void lines.push({ ...obj, msg }),
    error() {},
    fatal() {},
  };
  return log as unknown as Logger;
}

function setCookies(res: Response): string[] {
  return res.headers.getSetCookie();
}

function cookieValue(res: Response, name: string): string | undefined {
  for (const c of setCookies(res)) {
    const v = parseCookies(c.split(';')[0]).get(name);
    if (v !== undefined) return v;
  }
  return undefined;
}

function csrfIn(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  assert.ok(m, 'the page has a CSRF field');
  return m[1]!;
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

describe('admin console: sign-in, sessions and CSRF over HTTP', () => {
  let srv: TestServer;
  const lines: Record<string, unknown>[] = [];

  before(async () => {
    srv = await startServer({ overrides: { log: recordingLogger(lines) } });
    await addSource(srv.storage, 'wire');
  });
  after(() => srv.close());

  async function loginForm(): Promise<{ csrf: string; cookie: string; res: Response }> {
    const res = await fetch(`${srv.url}/admin`);
    const csrf = csrfIn(await res.text());
    return { csrf, cookie: `wirefeed_login=${cookieValue(res, 'wirefeed_login')}`, res };
  }

  async function signIn(extra: Record<string, string> = {}): Promise<{ session: string; res: Response }> {
    const { csrf, cookie } = await loginForm();
    const res = await fetch(`${srv.url}/admin/login`, { method: 'POST', redirect: 'manual', headers: { ...FORM, cookie, ...extra }, body: form({ _csrf: csrf, token: ADMIN_TOKEN }) });
    assert.equal(res.status, 303);
    return { session: `wirefeed_admin=${cookieValue(res, 'wirefeed_admin')}`, res };
  }

  it('signed out, /admin is a sign-in form with one password field, not cached', async () => {
    const { res } = await loginForm();
    const html = await (await fetch(`${srv.url}/admin`)).text();
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.match(res.headers.get('content-security-policy')!, /default-src 'none'/);
    assert.equal((html.match(/<input[^>]+type="password"/g) ?? []).length, 1);
    assert.match(html, /<form method="post" action="\/admin\/login">/);
    assert.match(html, /<title>Sign in — wirefeed console<\/title>/);
    assert.match(html, /<main id="main">/);
  });

  const refusedLogins: { name: string; status: number; build(f: { csrf: string; cookie: string }): RequestInit }[] = [
    { name: 'a wrong token', status: 401, build: ({ csrf, cookie }) => ({ headers: { ...FORM, cookie }, body: form({ _csrf: csrf, token: 'not-the-token-at-all' }) }) },
    { name: 'an empty token', status: 401, build: ({ csrf, cookie }) => ({ headers: { ...FORM, cookie }, body: form({ _csrf: csrf, token: '' }) }) },
    { name: 'no sign-in form cookie (login CSRF)', status: 403, build: ({ csrf }) => ({ headers: FORM, body: form({ _csrf: csrf, token: ADMIN_TOKEN }) }) },
    { name: 'another form token', status: 403, build: ({ cookie }) => ({ headers: { ...FORM, cookie }, body: form({ _csrf: 'x'.repeat(43), token: ADMIN_TOKEN }) }) },
    { name: 'a cross-site Origin', status: 403, build: ({ csrf, cookie }) => ({ headers: { ...FORM, cookie, origin: 'http://evil.example' }, body: form({ _csrf: csrf, token: ADMIN_TOKEN }) }) },
    { name: 'Sec-Fetch-Site: cross-site', status: 403, build: ({ csrf, cookie }) => ({ headers: { ...FORM, cookie, 'sec-fetch-site': 'cross-site' }, body: form({ _csrf: csrf, token: ADMIN_TOKEN }) }) },
  ];
  for (const c of refusedLogins) {
    it(`refuses sign-in with ${c.name} (${c.status}) and sets no session`, async () => {
      const res = await fetch(`${srv.url}/admin/login`, { method: 'POST', redirect: 'manual', ...c.build(await loginForm()) });
      assert.equal(res.status, c.status);
      assert.equal(cookieValue(res, 'wirefeed_admin'), undefined);
      assert.doesNotMatch(await res.text(), new RegExp(ADMIN_TOKEN), 'the token is never echoed');
    });
  }

  it('the session cookie is HttpOnly, SameSite=Strict, scoped to /admin, Secure only behind https', async () => {
    const plain = setCookies((await signIn()).res).find((c) => c.startsWith('wirefeed_admin='))!;
    assert.match(plain, /; Path=\/admin; Max-Age=43200; HttpOnly; SameSite=Strict$/);
    const tls = setCookies((await signIn({ 'x-forwarded-proto': 'https' })).res).find((c) => c.startsWith('wirefeed_admin='))!;
    assert.match(tls, /; HttpOnly; SameSite=Strict; Secure$/);
  });

  it('pages need the session: without it they redirect to the sign-in form', async () => {
    for (const p of ['/admin/sources', '/admin/channels', '/admin/articles', '/admin/sources/1']) {
      const res = await fetch(`${srv.url}${p}`, { redirect: 'manual' });
      assert.equal(res.status, 303, p);
      assert.equal(res.headers.get('location'), '/admin', p);
    }
  });

  it('every form of every page carries the CSRF token; a POST without it changes nothing', async () => {
    const { session } = await signIn();
    const pages = ['/admin', '/admin/sources', '/admin/sources/1', '/admin/sources/1/delete', '/admin/sources/new?url=', '/admin/channels', '/admin/channels/new', '/admin/articles', '/admin/partners'];
    for (const p of pages) {
      const html = await (await fetch(`${srv.url}${p}`, { headers: { cookie: session } })).text();
      const posts = html.match(/<form method="post"[\s\S]*?<\/form>/g) ?? [];
      assert.ok(posts.length >= 1, `${p}: has a form (sign-out at least)`);
      for (const f of posts) assert.match(f, /name="_csrf" value="[A-Za-z0-9_-]{43}"/, `${p}: ${f.slice(0, 80)}`);
    }
    const html = await (await fetch(`${srv.url}/admin/sources/1`, { headers: { cookie: session } })).text();
    const csrf = csrfIn(html);
    const noToken = await fetch(`${srv.url}/admin/sources/1/pause`, { method: 'POST', redirect: 'manual', headers: { ...FORM, cookie: session }, body: '' });
    assert.equal(noToken.status, 403);
    const crossSite = await fetch(`${srv.url}/admin/sources/1/pause`, { method: 'POST', redirect: 'manual', headers: { ...FORM, cookie: session, origin: 'https://evil.example' }, body: form({ _csrf: csrf }) });
    assert.equal(crossSite.status, 403);
    assert.equal((await srv.storage.sources.get(1))!.status, 'active', 'nothing changed');

    const ok = await fetch(`${srv.url}/admin/sources/1/pause`, { method: 'POST', redirect: 'manual', headers: { ...FORM, cookie: session, origin: srv.url }, body: form({ _csrf: csrf }) });
    assert.equal(ok.status, 303);
    assert.equal(ok.headers.get('location'), '/admin/sources/1?done=paused');
    assert.equal((await srv.storage.sources.get(1))!.status, 'paused');
    const audit = lines.find((l) => l.audit === true && l.action === 'source.pause');
    assert.deepEqual({ ...audit, reqId: typeof audit?.reqId }, { audit: true, action: 'source.pause', target: 1, via: 'console', reqId: 'string', detail: { slug: 'wire' }, msg: 'admin action' });
    assert.ok(!JSON.stringify(lines).includes(ADMIN_TOKEN), 'the token never reaches the log');
  });

  it('sign-out ends the session on the server, not only in the browser', async () => {
    const { session } = await signIn();
    const csrf = csrfIn(await (await fetch(`${srv.url}/admin`, { headers: { cookie: session } })).text());
    const out = await fetch(`${srv.url}/admin/logout`, { method: 'POST', redirect: 'manual', headers: { ...FORM, cookie: session }, body: form({ _csrf: csrf }) });
    assert.equal(out.status, 303);
    assert.match(setCookies(out).join('\n'), /wirefeed_admin=; Path=\/admin; Max-Age=0/);
    const again = await fetch(`${srv.url}/admin/sources`, { redirect: 'manual', headers: { cookie: session } });
    assert.equal(again.status, 303, 'the old cookie value is no longer a session');
  });

  it('a bad request never crashes: unknown ids and pages are 404 pages', async () => {
    const { session } = await signIn();
    for (const p of ['/admin/sources/999', '/admin/articles/abc', '/admin/articles/99999', '/admin/channels/none', '/admin/nope']) {
      const res = await fetch(`${srv.url}${p}`, { headers: { cookie: session } });
      assert.equal(res.status, 404, p);
      assert.match(await res.text(), /<h1>Not found<\/h1>/);
    }
  });
});

describe('admin console: session expiry', () => {
  const cases: { name: string; steps: number[]; alive: boolean }[] = [
    { name: 'used within the idle time stays', steps: [29 * 60_000], alive: true },
    { name: 'idle longer than 30 min ends', steps: [31 * 60_000], alive: false },
    { name: 'kept busy, still ends 12 h after sign-in', steps: Array.from({ length: 25 }, () => 29 * 60_000), alive: false },
    { name: 'kept busy for 11 h stays', steps: Array.from({ length: 22 }, () => 29 * 60_000), alive: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      let t = 1_000_000;
      const store = createSessionStore({ now: () => t });
      const s = store.create();
      let alive = true;
      for (const step of c.steps) {
        t += step;
        alive = store.get(s.id) !== undefined;
        if (!alive) break;
      }
      assert.equal(alive, c.alive);
    });
  }
});
