// `wirefeed articles …` against a temp data directory: the lifecycle from the command line.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cli } from './support/cli-in-process.js';
import { startFixtureServer, type FixtureServer } from './support/fixture-server.js';

const WIRE_RSS = new URL('./fixtures/wire/seed-story.rss.xml', import.meta.url);

describe('cli: articles', function () {
  this.timeout(30_000);
  let dir: string;
  let env: Record<string, string>;
  let fixture: FixtureServer;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-cli-articles-'));
    fixture = await startFixtureServer({ '/wire.rss': { headers: { 'content-type': 'application/rss+xml' }, body: readFileSync(WIRE_RSS) } });
    env = { WIREFEED_DATA_DIR: dir, WIREFEED_ALLOW_PRIVATE_NETWORKS: '1', LOG_LEVEL: 'silent' };
    assert.equal((await cli(['sources', 'add', `${fixture.origin}/wire.rss`, '--slug', 'wire'], env)).code, 0);
    assert.equal((await cli(['fetch'], env)).code, 0);
  });
  afterEach(async () => {
    await fixture.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('withholds, releases, embargoes and kills a story; each is a new seq; a kill is final', async () => {
    const steps: { args: string[]; code: number; out?: RegExp }[] = [
      { args: ['withhold', '1', '--reason', 'Checking a name'], code: 0, out: /^article 1 is withheld \(Checking a name\): seq 2, revision 2 /m },
      { args: ['release', '1'], code: 0, out: /^article 1 is usable: seq 3, revision 3 /m },
      { args: ['embargo', '1', '--until', '2099-01-01T06:00:00Z'], code: 0, out: /^article 1 is embargoed until 2099-01-01T06:00:00.000Z: seq 4/m },
      { args: ['embargo', '1', '--until', '2001-01-01T00:00:00Z'], code: 2 },
      { args: ['kill', '1', '--reason', 'Legal'], code: 0, out: /^article 1 is canceled \(Legal\): seq 5, revision 5/m },
      { args: ['release', '1'], code: 2 },
      { args: ['kill', 'one'], code: 2 },
      { args: ['kill', '999'], code: 2 },
    ];
    for (const s of steps) {
      const r = await cli(['articles', ...s.args], env);
      assert.equal(r.code, s.code, `${s.args.join(' ')}: ${r.err}`);
      if (s.out) assert.match(r.out, s.out, s.args.join(' '));
    }
    const revs = await cli(['articles', 'revisions', '1', '--json'], env);
    const list = JSON.parse(revs.out).revisions as { number: number; status: string }[];
    assert.deepEqual(list.map((r) => [r.number, r.status]), [[1, 'usable'], [2, 'withheld'], [3, 'usable'], [4, 'embargoed'], [5, 'canceled']]);
  });
});
