// The `wirefeed` command against a temp data directory, through the same services as the server.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from './support/cli-in-process.js';
import { startFixtureServer, type FixtureServer } from './support/fixture-server.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WIRE_RSS = new URL('./fixtures/wire/seed-story.rss.xml', import.meta.url);

describe('cli', function () {
  this.timeout(30_000);
  let dir: string;
  let env: Record<string, string>;
  let fixture: FixtureServer;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-cli-'));
    fixture = await startFixtureServer({ '/wire.rss': { headers: { 'content-type': 'application/rss+xml' }, body: readFileSync(WIRE_RSS) } });
    env = { WIREFEED_DATA_DIR: dir, WIREFEED_ALLOW_PRIVATE_NETWORKS: '1', LOG_LEVEL: 'silent' };
  });
  afterEach(async () => {
    await fixture.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('adds, lists, fetches and removes a source', async () => {
    const add = await cli(['sources', 'add', `${fixture.origin}/wire.rss`, '--slug', 'wire', '-c', 'World'], env);
    assert.equal(add.code, 0, add.err);
    assert.match(add.out, /^added source 1 \(wire\) http:\/\/127\.0\.0\.1:\d+\/wire\.rss$/m);

    const list = await cli(['sources', 'list', '--json'], env);
    const sources = JSON.parse(list.out) as { slug: string; categories: string[] }[];
    assert.deepEqual(sources.map((s) => [s.slug, s.categories]), [['wire', ['World']]]);

    const fetched = await cli(['fetch', '--source', 'wire', '--json'], env);
    assert.equal(fetched.code, 0, fetched.err);
    const outcomes = JSON.parse(fetched.out) as { outcome: string; log: { itemsNew: number } }[];
    assert.equal(outcomes[0]?.outcome, 'modified');
    assert.equal(outcomes[0]?.log.itemsNew, 1);

    const again = await cli(['fetch'], env);
    assert.equal(again.code, 0);
    // The same body again: recognised by its checksum, not parsed a second time.
    assert.match(again.out, /wire\s+not-modified\s+200\s+0\s+0/);

    const removed = await cli(['sources', 'remove', 'wire'], env);
    assert.equal(removed.code, 0);
    assert.equal(JSON.parse((await cli(['sources', 'list', '--json'], env)).out).length, 0);
  });

  it('manages channels', async () => {
    await cli(['sources', 'add', `${fixture.origin}/wire.rss`, '--slug', 'wire'], env);
    const add = await cli(['channels', 'add', 'ukraine', '--title', 'Ukraine', '--source', 'wire', '--category', 'Ukraine', '--query', 'peace'], env);
    assert.equal(add.code, 0, add.err);
    assert.match(add.out, /\/feeds\/ukraine\.rss/);
    const list = JSON.parse((await cli(['channels', 'list', '--json'], env)).out) as { slug: string; filter: unknown }[];
    assert.deepEqual(list.map((c) => [c.slug, c.filter]), [['ukraine', { sourceIds: [1], categories: ['Ukraine'], query: 'peace' }]]);
    assert.equal((await cli(['channels', 'remove', 'ukraine'], env)).code, 0);
    const gone = await cli(['channels', 'remove', 'ukraine'], env);
    assert.equal(gone.code, 2);
    assert.match(gone.err, /channel ukraine not found/);
  });

  it('exports and imports OPML with folders as categories', async () => {
    await cli(['sources', 'add', `${fixture.origin}/wire.rss`, '--slug', 'wire', '--title', 'Wire & Co', '-c', 'News'], env);
    const exported = await cli(['opml', 'export'], env);
    assert.match(exported.out, /<outline text="News" title="News">/);
    assert.match(exported.out, /xmlUrl="http:\/\/127\.0\.0\.1:\d+\/wire\.rss"/);
    assert.match(exported.out, /title="Wire &amp; Co"/);

    const other = mkdtempSync(path.join(tmpdir(), 'wirefeed-cli2-'));
    try {
      const file = path.join(other, 'subs.opml');
      writeFileSync(file, exported.out.replace('</body>', `<outline text="Bad" xmlUrl="ftp://example.org/x"/></body>`));
      const imported = await cli(['opml', 'import', file], { ...env, WIREFEED_DATA_DIR: other });
      assert.equal(imported.code, 1, 'an entry that failed makes the import fail');
      assert.match(imported.out, /imported 1 sources, skipped 1/);
      assert.match(imported.err, /skipped ftp:\/\/example\.org\/x: .*http/);
      const list = JSON.parse((await cli(['sources', 'list', '--json'], { ...env, WIREFEED_DATA_DIR: other })).out) as { title: string; categories: string[] }[];
      assert.deepEqual(list.map((s) => [s.title, s.categories]), [['Wire & Co', ['News']]]);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  const errors: [string, string[], Record<string, string>, number, RegExp][] = [
    ['private address without the flag', ['sources', 'add', 'http://127.0.0.1:9/feed'], { WIREFEED_ALLOW_PRIVATE_NETWORKS: '0' }, 2, /private or loopback/],
    ['unsupported scheme', ['sources', 'add', 'file:///etc/passwd'], {}, 2, /http/],
    ['unknown source', ['fetch', '--source', 'nope'], {}, 2, /source nope not found/],
    ['missing OPML file', ['opml', 'import', '/nonexistent.opml'], {}, 2, /cannot read \/nonexistent\.opml: ENOENT/],
    ['bad configuration', ['sources', 'list'], { PORT: 'x' }, 2, /config: PORT="x" must be a whole number/],
    ['unknown command', ['frobnicate'], {}, 2, /unknown command/],
  ];
  for (const [name, args, extra, code, re] of errors) {
    it(`fails clearly: ${name}`, async () => {
      const r = await cli(args, { ...env, ...extra });
      assert.equal(r.code, code, r.out + r.err);
      assert.match(r.err, re);
    });
  }

  it('prints help for every command', async () => {
    for (const args of [['--help'], ['sources', 'add', '--help'], ['channels', 'add', '--help'], ['opml', '--help'], ['fetch', '--help']]) {
      const r = await cli(args, env);
      assert.equal(r.code, 0, args.join(' '));
      assert.match(r.out, /Usage: wirefeed/);
    }
  });

  it('refuses a database written by a newer wirefeed, with exit code 2 and one line', async () => {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(path.join(dir, 'wirefeed.db'));
    db.pragma('user_version = 99');
    db.close();
    const r = await cli(['sources', 'list'], env);
    assert.equal(r.code, 2);
    assert.match(r.err, /^wirefeed: storage: database schema version 99 is newer than this wirefeed supports \(\d+\); upgrade wirefeed or point WIREFEED_DB elsewhere\n$/);
    const server = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: { ...process.env, PORT: '0', WIREFEED_DATA_DIR: dir }, encoding: 'utf8', timeout: 20_000 });
    assert.equal(server.status, 2);
    assert.match(server.stderr, /schema version 99 is newer/);
  });

  it('stops start-up on bad configuration with one line naming the key (real process)', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, PORT: '99999', WIREFEED_DATA_DIR: dir },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trim(), 'wirefeed: config: PORT="99999" must be between 0 and 65535');
  });
});
