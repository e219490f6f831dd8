// What a new user hits in the first hour, through the real `wirefeed` binary (dist/, as
// package.json "bin" installs it), each case named after the defect or gap it reproduces.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFixtureServer, type FixtureServer } from './support/fixture-server.js';
import { CLI_BIN, cleanEnv, ensureBuilt, runBin } from './support/binary.js';

const rss = (title: string, guid: string) =>
  `<?xml version="1.0"?><rss version="2.0"><channel><title>${title}</title><item><title>${title} story</title><guid>${guid}</guid></item></channel></rss>`;
const XML = { 'content-type': 'application/rss+xml' };

describe('first hour: the wirefeed binary', function () {
  this.timeout(120_000);
  let dir: string;
  let env: Record<string, string>;
  let fixture: FixtureServer;
  const wf = (...args: string[]) => runBin(args, { env, cwd: dir });

  before(() => ensureBuilt());
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-first-hour-'));
    fixture = await startFixtureServer({
      '/a.xml': { headers: XML, body: rss('Wire A', 'a1') },
      '/c.xml': { headers: XML, body: rss('Wire C', 'c1') },
      '/unrelated.xml': { headers: XML, body: rss('Unrelated', 'u1') },
      '/slow.xml': { headers: XML, body: rss('Slow', 's1'), delayMs: 4000 },
    });
    env = { WIREFEED_DATA_DIR: path.join(dir, 'data'), WIREFEED_ALLOW_PRIVATE_NETWORKS: '1', WIREFEED_DEMO: '0' };
  });
  afterEach(async () => {
    await fixture.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('defect 1: a channel never publishes an unrelated source', () => {
    it('refuses to remove the only source of a channel, and a removed id is never given to a new source', async () => {
      assert.equal((await wf('sources', 'add', `${fixture.origin}/a.xml`, '--slug', 'wire-a')).code, 0);
      const c = await wf('sources', 'add', `${fixture.origin}/c.xml`, '--slug', 'wire-c');
      const cId = Number(/added source (\d+)/.exec(c.out)![1]);
      assert.equal((await wf('channels', 'add', 'onlyc', '--title', 'Only C', '--source', 'wire-c')).code, 0);

      const refused = await wf('sources', 'remove', 'wire-c');
      assert.equal(refused.code, 2, refused.err);
      assert.match(refused.err, /source wire-c is used by channel onlyc/);
      const stillRefused = await wf('sources', 'remove', 'wire-c', '--detach');
      assert.equal(stillRefused.code, 2);
      assert.match(stillRefused.err, /only source of channel onlyc: without it the channel would show every source/);

      // The sequence, with the channel out of the way first: the id is not reused.
      assert.equal((await wf('channels', 'remove', 'onlyc')).code, 0);
      assert.equal((await wf('sources', 'remove', 'wire-c')).code, 0);
      const added = await wf('sources', 'add', `${fixture.origin}/unrelated.xml`, '--slug', 'unrelated');
      assert.equal(added.code, 0, added.err);
      assert.ok(Number(/added source (\d+)/.exec(added.out)![1]) > cId, added.out);
    });

    it('detaches a source from channels that keep other sources, and says so', async () => {
      await wf('sources', 'add', `${fixture.origin}/a.xml`, '--slug', 'wire-a');
      await wf('sources', 'add', `${fixture.origin}/c.xml`, '--slug', 'wire-c');
      assert.equal((await wf('channels', 'add', 'both', '--title', 'Both', '--source', 'wire-a', 'wire-c')).code, 0);
      const r = await wf('sources', 'remove', 'wire-c', '--detach');
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /^removed source \d+ \(wire-c\)$/m);
      assert.match(r.err, /warning: wire-c was taken out of channel both/);
      const [both] = JSON.parse((await wf('channels', 'list', '--json')).out) as { filter: { sourceIds: number[] } }[];
      assert.equal(both!.filter.sourceIds.length, 1);
    });
  });

  describe('defect 5: a channel query is validated when it is written', () => {
    const cases: [string, string[], RegExp][] = [
      ['a lone quote', ['--query', '"'], /filter\.query: query must contain at least one letter or digit/],
      ['only punctuation', ['--query', '*** --'], /filter\.query: query must contain at least one letter or digit/],
      ['an unknown source', ['--source', 'nope'], /filter names source "nope", which does not exist/],
    ];
    for (const [name, args, re] of cases) {
      it(`refuses ${name} with exit 2 and stores nothing`, async () => {
        const r = await wf('channels', 'add', 'y', '--title', 'Y', ...args);
        assert.equal(r.code, 2, r.out + r.err);
        assert.match(r.err, re);
        assert.deepEqual(JSON.parse((await wf('channels', 'list', '--json')).out), []);
      });
    }
  });

  describe('defect 6: opml import fails loudly', () => {
    const cases: [string, string, number, RegExp, RegExp][] = [
      [
        'nothing imported',
        '<opml version="2.0"><body><outline xmlUrl="ftp://x.example/a"/><outline xmlUrl="file:///etc/passwd"/><outline xmlUrl="not a url"/></body></opml>',
        1,
        /imported 0 sources, skipped 3/,
        /skipped ftp:\/\/x\.example\/a: .+\nskipped file:\/\/\/etc\/passwd: .+\nskipped not a url: .+/,
      ],
      ['a truncated file', '<opml version="2.0"><body><outline xmlUrl="https://x.example/a"/><outline text="Folder">', 2, /^$/, /opml: malformed document: <outline> is never closed/],
      ['not OPML at all', '<rss version="2.0"><channel/></rss>', 2, /^$/, /not an OPML document/],
    ];
    for (const [name, text, code, out, err] of cases) {
      it(`${name}: exit ${code}`, async () => {
        const file = path.join(dir, 'subs.opml');
        writeFileSync(file, text);
        const r = await wf('opml', 'import', file);
        assert.equal(r.code, code, r.out + r.err);
        assert.match(r.out, out);
        assert.match(r.err, err);
        assert.deepEqual(JSON.parse((await wf('sources', 'list', '--json')).out), [], 'nothing half-imported');
      });
    }
  });

  it('defect 6: importing the same file again is not a failure (duplicates are not errors)', async () => {
    const file = path.join(dir, 'subs.opml');
    writeFileSync(file, `<opml version="2.0"><body><outline xmlUrl="${fixture.origin}/a.xml"/></body></opml>`);
    assert.equal((await wf('opml', 'import', file)).code, 0);
    const again = await wf('opml', 'import', file);
    assert.equal(again.code, 0, again.err);
    assert.match(again.out, /imported 0 sources, skipped 1/);
    assert.match(again.err, /already exists/);
  });

  describe('defect 8: a secret never reaches output', () => {
    it('a too-short admin token is refused without being echoed', async () => {
      const token = 'shortsecret42';
      const r = await runBin(['sources', 'list'], { env: { ...env, WIREFEED_ADMIN_TOKEN: token }, cwd: dir });
      assert.equal(r.code, 2);
      assert.match(r.err, /WIREFEED_ADMIN_TOKEN \(value not shown\) must be at least 16 characters/);
      assert.ok(!(r.out + r.err).includes(token));
    });
  });

  describe('gaps', () => {
    it('sources list says new for a source never fetched, ok after a fetch', async () => {
      await wf('sources', 'add', `${fixture.origin}/a.xml`, '--slug', 'wire-a');
      assert.match((await wf('sources', 'list')).out, /wire-a\s+new\s+-/);
      const f = await wf('fetch');
      assert.equal(f.code, 0, f.out + f.err);
      assert.match((await wf('sources', 'list')).out, /wire-a\s+ok\s+\d{4}-/);
    });

    it('logs go to stderr and results to stdout, even at LOG_LEVEL=info', async () => {
      const r = await runBin(['sources', 'add', `${fixture.origin}/a.xml`, '--slug', 'wire-a'], { env: { ...env, LOG_LEVEL: 'info' }, cwd: dir });
      assert.equal(r.code, 0);
      assert.equal(r.out, `added source 1 (wire-a) ${fixture.origin}/a.xml\n`);
      assert.match(r.err, /"msg":"storage schema migrated"/);
      const f = await runBin(['fetch'], { env: { ...env, LOG_LEVEL: 'info' }, cwd: dir });
      assert.doesNotMatch(f.out, /"level"/);
    });

    it('fetch prints each source the moment it finishes', async () => {
      await wf('sources', 'add', `${fixture.origin}/a.xml`, '--slug', 'wire-a');
      await wf('sources', 'add', `${fixture.origin}/slow.xml`, '--slug', 'slow');
      const child = spawn(process.execPath, [CLI_BIN, 'fetch'], { cwd: dir, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
      const started = Date.now();
      let out = '';
      let fastLineAt = 0;
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (!fastLineAt && /^wire-a\s+modified/m.test(out)) fastLineAt = Date.now();
      });
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      const endedAt = Date.now();
      assert.equal(code, 0, out);
      assert.ok(fastLineAt > 0, out);
      assert.ok(endedAt - fastLineAt > 2000, `the fast source's line came ${fastLineAt - started} ms in, the run ended ${endedAt - started} ms in`);
      assert.match(out, /^SOURCE\s+OUTCOME/);
      assert.match(out, /^slow\s+modified/m);
      assert.match(out, /^2 sources fetched: 2 modified$/m);
    });

    it('sources show, pause, resume, edit and log', async () => {
      await wf('sources', 'add', `${fixture.origin}/a.xml`, '--slug', 'wire-a');
      const f = await wf('fetch');
      assert.equal(f.code, 0, f.out + f.err);
      const cases: [string, string[], RegExp][] = [
        ['show', ['sources', 'show', 'wire-a'], /^slug:\s+wire-a$[\s\S]*^health:\s+ok$/m],
        ['pause', ['sources', 'pause', 'wire-a'], /^paused source 1 \(wire-a\)$/m],
        ['paused in the list', ['sources', 'list'], /wire-a\s+paused/],
        ['show gives the reason', ['sources', 'show', 'wire-a'], /^status reason:\s+paused by an operator$/m],
        ['resume', ['sources', 'resume', 'wire-a'], /^resumed source 1 \(wire-a\)$/m],
        ['edit', ['sources', 'edit', 'wire-a', '--title', 'Wire A (edited)', '-c', 'World', 'Europe'], /^updated source 1 \(wire-a\)$/m],
        ['edited', ['sources', 'show', 'wire-a'], /^title:\s+Wire A \(edited\)$[\s\S]*^categories:\s+World, Europe$/m],
        ['fetch log', ['sources', 'log', 'wire-a'], /^TIME\s+OUTCOME\s+HTTP[^\n]*\n\d{4}-[^\n]*\s+modified\s+200\s/],
      ];
      for (const [name, args, re] of cases) {
        const r = await wf(...args);
        assert.equal(r.code, 0, `${name}: ${r.err}`);
        assert.match(r.out, re, name);
      }
      const nothing = await wf('sources', 'edit', 'wire-a');
      assert.equal(nothing.code, 2);
      assert.match(nothing.err, /give at least one option/);
    });

    it('channels add --help says --title is required', async () => {
      assert.match((await wf('channels', 'add', '--help')).out, /--title <title>\s+channel title \(required\)/);
    });

    it('reads .env from the working directory; the real environment wins', async () => {
      writeFileSync(path.join(dir, '.env'), `# wirefeed\nWIREFEED_DATA_DIR=${path.join(dir, 'from-dotenv')}\nWIREFEED_ALLOW_PRIVATE_NETWORKS=1\nWIREFEED_DEMO=0\n`);
      const viaFile = await runBin(['sources', 'add', `${fixture.origin}/a.xml`, '--slug', 'wire-a'], { env: {}, cwd: dir });
      assert.equal(viaFile.code, 0, viaFile.err);
      assert.equal(JSON.parse((await runBin(['sources', 'list', '--json'], { env: {}, cwd: dir })).out).length, 1, 'the .env data directory');
      const overridden = await runBin(['sources', 'list', '--json'], { env: { WIREFEED_DATA_DIR: path.join(dir, 'other') }, cwd: dir });
      assert.deepEqual(JSON.parse(overridden.out), [], 'the real environment wins over .env');
    });
  });
});
