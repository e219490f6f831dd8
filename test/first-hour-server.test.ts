// What an operator hits in the first hour, against the real server process: `npm start` and
// SIGTERM, secrets in start-up errors and logs, the admin API's channel rules and audit lines.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFixtureServer, type FixtureServer } from './support/fixture-server.js';
import { ROOT, SERVER_BIN, cleanEnv, ensureBuilt, startServerProcess, type ServerProcess } from './support/binary.js';
import { spawn } from 'node:child_process';

const XML = { 'content-type': 'application/rss+xml' };
const rss = (title: string) => `<?xml version="1.0"?><rss version="2.0"><channel><title>${title}</title><item><title>${title} story</title><guid>${title}-1</guid></item></channel></rss>`;

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/<pid>/stat is the parent pid (after the parenthesised command name).
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe('first hour: the server process', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => ensureBuilt());
  beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-first-hour-srv-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('defect 4: SIGTERM to the `npm start` process stops the server: port free, no node child left', async () => {
    const npm = await startServerProcess({ command: 'npm', args: ['start', '--silent'], cwd: ROOT, env: { WIREFEED_DATA_DIR: dir, WIREFEED_DEMO: '0' } });
    const kids = childrenOf(npm.child.pid!);
    assert.ok(kids.length > 0, 'npm started the server as its child');
    assert.equal((await fetch(`${npm.url}/healthz`)).status, 200);
    npm.child.kill('SIGTERM');
    await npm.exit;
    assert.ok(await until(() => kids.every((pid) => !alive(pid)), 15_000), `still running: ${kids.filter(alive).join(', ')}\n${npm.logs()}`);
    assert.ok(await until(() => portFree(npm.port), 5_000), `port ${npm.port} still taken`);
    assert.match(npm.logs(), /"msg":"stopped"/, 'the server shut down cleanly, not killed');
  });

  it('defect 8: a too-short admin token stops start-up without being echoed', async () => {
    const token = 'tooshort-s3cret';
    const child = spawn(process.execPath, [SERVER_BIN], { cwd: dir, env: cleanEnv({ PORT: '0', WIREFEED_DATA_DIR: dir, WIREFEED_ADMIN_TOKEN: token }), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    const code = await new Promise<number | null>((r) => child.once('close', r));
    assert.equal(code, 2);
    assert.equal(out.trim(), 'wirefeed: config: WIREFEED_ADMIN_TOKEN (value not shown) must be at least 16 characters');
    assert.ok(!out.includes(token));
  });

  describe('admin API', () => {
    const TOKEN = 'first-hour-admin-token-s3cret-0123';
    let fixture: FixtureServer;
    let srv: ServerProcess;
    const api = (method: string, p: string, body?: unknown, token = TOKEN) =>
      fetch(`${srv.url}/api${p}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });

    before(async () => {
      fixture = await startFixtureServer({ '/a.xml': { headers: XML, body: rss('A') }, '/b.xml': { headers: XML, body: rss('B') } });
    });
    after(() => fixture.close());
    beforeEach(async () => {
      srv = await startServerProcess({
        cwd: dir,
        env: { WIREFEED_DATA_DIR: dir, WIREFEED_ADMIN_TOKEN: TOKEN, WIREFEED_ALLOW_PRIVATE_NETWORKS: '1', WIREFEED_DEMO: '0', LOG_LEVEL: 'info' },
      });
      assert.equal((await api('POST', '/sources', { url: `${fixture.origin}/a.xml`, slug: 'wire-a' })).status, 201);
      assert.equal((await api('POST', '/sources', { url: `${fixture.origin}/b.xml`, slug: 'wire-b' })).status, 201);
    });
    afterEach(async () => {
      assert.equal(await srv.stop(), 0);
    });

    const channelCases: { name: string; body: unknown; status: number; check: (j: any) => void }[] = [
      { name: 'sources by slug (as in the config file and CLI)', body: { slug: 'a', title: 'A', filter: { sourceIds: ['wire-a'] } }, status: 201, check: (j) => assert.deepEqual(j.filter.sourceIds, [1]) },
      { name: 'sources by id and slug mixed', body: { slug: 'ab', title: 'AB', filter: { sourceIds: [1, 'wire-b'] } }, status: 201, check: (j) => assert.deepEqual(j.filter.sourceIds, [1, 2]) },
      { name: 'defect 5: a query no request could use', body: { slug: 'y', title: 'Y', filter: { query: '"' } }, status: 422, check: (j) => assert.match(j.error.message, /filter\.query: query must contain at least one letter or digit/) },
      { name: 'an unknown source slug', body: { slug: 'n', title: 'N', filter: { sourceIds: ['nope'] } }, status: 422, check: (j) => assert.equal(j.error.code, 'unknown_source') },
    ];
    for (const c of channelCases) {
      it(`POST /api/channels: ${c.name} → ${c.status}`, async () => {
        const r = await api('POST', '/channels', c.body);
        assert.equal(r.status, c.status);
        c.check(await r.json());
      });
    }

    it('defect 1: removing a source a channel uses is refused, or detached only when the channel keeps another source', async () => {
      await api('POST', '/channels', { slug: 'onlya', title: 'Only A', filter: { sourceIds: ['wire-a'] } });
      await api('POST', '/channels', { slug: 'both', title: 'Both', filter: { sourceIds: ['wire-a', 'wire-b'] } });
      const refused = await api('DELETE', '/sources/wire-b');
      assert.equal(refused.status, 409);
      assert.equal(((await refused.json()) as any).error.code, 'source_in_use');
      const detached = await api('DELETE', '/sources/wire-b?detach=1');
      assert.equal(detached.status, 200);
      assert.deepEqual(await detached.json(), { removed: 'wire-b', detachedFrom: ['both'] });
      assert.equal((await api('DELETE', '/sources/wire-a?detach=1')).status, 409, 'the only source of onlya');
      const channels = ((await (await api('GET', '/channels')).json()) as any).channels;
      assert.deepEqual(channels.map((c: any) => [c.slug, c.filter.sourceIds]), [['both', [1]], ['onlya', [1]]]);
    });

    it('logs one info line per admin action (who, what, result) and never a token', async () => {
      await api('PATCH', '/sources/wire-a', { status: 'paused' });
      await api('POST', '/channels', { slug: 'y', title: 'Y', filter: { query: '"' } });
      await api('DELETE', '/sources/wire-b');
      const wrong = 'wrong-token-but-also-secret-42';
      assert.equal((await api('DELETE', '/sources/wire-a', undefined, wrong)).status, 401);
      assert.equal(await srv.stop(), 0);
      const lines = srv
        .logs()
        .split('\n')
        .filter((l) => l.includes('"msg":"admin action"'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      const seen = lines.map((l) => [l.level, l.via, l.actor, l.action, l.target, l.status, l.result]);
      assert.deepEqual(seen, [
        [30, 'api', 'admin token', 'source.create', 'sources', 201, 'ok'],
        [30, 'api', 'admin token', 'source.create', 'sources', 201, 'ok'],
        [30, 'api', 'admin token', 'source.update', 'wire-a', 200, 'ok'],
        [30, 'api', 'admin token', 'channel.create', 'channels', 422, 'invalid_body'],
        [30, 'api', 'admin token', 'source.remove', 'wire-b', 204, 'ok'],
        [30, 'api', 'unauthenticated', 'source.remove', 'wire-a', 401, 'unauthorized'],
      ]);
      assert.deepEqual(lines[2]!.detail, { fields: ['status'] });
      assert.ok(!srv.logs().includes(TOKEN) && !srv.logs().includes(wrong), 'no token in any log line');
    });
  });
});
