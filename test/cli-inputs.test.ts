// The CLI checks its options with the admin API's schemas (services/inputs.ts): a table of
// inputs the API refuses, each given to both; the CLI refuses it too (exit 2, nothing stored)
// with the API's words, `<command>: ` where the API says `request: `.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openSqliteStorage } from '../src/storage/sqlite/open.js';
import { ADMIN_TOKEN, addSource, startServer, type TestServer } from './http-fixtures.js';
import { cli } from './support/cli-in-process.js';

interface Row {
  name: string;
  args: string[];
  api: { method: 'POST' | 'PATCH'; path: string; body: Record<string, unknown> };
}

const long = (n: number) => 'x'.repeat(n);
const url = 'http://feeds.example.org/a.xml';

const rows: Row[] = [
  { name: 'source title over 300 characters', args: ['sources', 'add', url, '--title', long(301)], api: { method: 'POST', path: '/api/sources', body: { url, title: long(301) } } },
  { name: 'source slug with capitals', args: ['sources', 'add', url, '--slug', 'Bad_Slug'], api: { method: 'POST', path: '/api/sources', body: { url, slug: 'Bad_Slug' } } },
  { name: 'source category over 100 characters', args: ['sources', 'add', url, '-c', long(101)], api: { method: 'POST', path: '/api/sources', body: { url, categories: [long(101)] } } },
  { name: 'source credit over 300 characters', args: ['sources', 'add', url, '--credit', long(301)], api: { method: 'POST', path: '/api/sources', body: { url, defaultCredit: long(301) } } },
  { name: 'source rights over 500 characters', args: ['sources', 'add', url, '--rights', long(501)], api: { method: 'POST', path: '/api/sources', body: { url, defaultRights: long(501) } } },
  { name: 'edited title over 300 characters', args: ['sources', 'edit', 'wire', '--title', long(301)], api: { method: 'PATCH', path: '/api/sources/wire', body: { title: long(301) } } },
  { name: 'edited minimum interval 0', args: ['sources', 'edit', 'wire', '--min-interval', '0'], api: { method: 'PATCH', path: '/api/sources/wire', body: { minIntervalS: 0 } } },
  { name: 'edited maximum interval over 30 days', args: ['sources', 'edit', 'wire', '--max-interval', '2592001'], api: { method: 'PATCH', path: '/api/sources/wire', body: { maxIntervalS: 2_592_001 } } },
  { name: 'channel title of blanks', args: ['channels', 'add', 'news', '--title', '   '], api: { method: 'POST', path: '/api/channels', body: { slug: 'news', title: '   ' } } },
  { name: 'channel limit over 500', args: ['channels', 'add', 'news', '--title', 'News', '--limit', '501'], api: { method: 'POST', path: '/api/channels', body: { slug: 'news', title: 'News', defaultLimit: 501 } } },
  { name: 'channel description over 2000 characters', args: ['channels', 'add', 'news', '--title', 'News', '--description', long(2001)], api: { method: 'POST', path: '/api/channels', body: { slug: 'news', title: 'News', description: long(2001) } } },
  { name: 'partner name of blanks', args: ['partners', 'add', 'p1', '--name', ' '], api: { method: 'POST', path: '/api/partners', body: { slug: 'p1', name: ' ' } } },
  { name: 'partner rate over a million requests', args: ['partners', 'add', 'p1', '--name', 'P1', '--rate-limit', '2000000/60'], api: { method: 'POST', path: '/api/partners', body: { slug: 'p1', name: 'P1', rateLimit: { requests: 2_000_000, perSeconds: 60 } } } },
  { name: 'partner rights policy with a non-boolean', args: ['partners', 'add', 'p1', '--name', 'P1', '--rights-policy', '{"requireCredit":"yes"}'], api: { method: 'POST', path: '/api/partners', body: { slug: 'p1', name: 'P1', rightsPolicy: { requireCredit: 'yes' } } } },
  { name: 'partner rights policy with an unknown key', args: ['partners', 'add', 'p1', '--name', 'P1', '--rights-policy', '{"noAds":true}'], api: { method: 'POST', path: '/api/partners', body: { slug: 'p1', name: 'P1', rightsPolicy: { noAds: true } } } },
  { name: 'partner contact over 300 characters', args: ['partners', 'update', 'p1', '--contact', long(301)], api: { method: 'PATCH', path: '/api/partners/p1', body: { contact: long(301) } } },
  { name: 'embargo until no time', args: ['articles', 'embargo', '1', '--until', 'tomorrow'], api: { method: 'POST', path: '/api/articles/1/embargo', body: { until: 'tomorrow' } } },
  { name: 'corrected title of blanks', args: ['articles', 'correct', '1', '--title', '  '], api: { method: 'POST', path: '/api/articles/1/correct', body: { title: '  ' } } },
  { name: 'kill reason over 2000 characters', args: ['articles', 'kill', '1', '--reason', long(2001)], api: { method: 'POST', path: '/api/articles/1/kill', body: { reason: long(2001) } } },
];

describe('cli: options checked with the API schemas', function () {
  this.timeout(60_000);
  let dir: string;
  let env: Record<string, string>;
  let srv: TestServer;

  before(async () => {
    srv = await startServer();
    dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-cli-inputs-'));
    env = { WIREFEED_DATA_DIR: dir, LOG_LEVEL: 'silent' };
    // The source `sources edit` names; the refusal comes before anything else is looked up.
    const storage = openSqliteStorage({ path: path.join(dir, 'wirefeed.db') });
    await addSource(storage, 'wire');
    storage.close();
  });
  after(async () => {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const row of rows) {
    it(`refuses like the API: ${row.name}`, async () => {
      const res = await fetch(srv.url + row.api.path, {
        method: row.api.method,
        headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(row.api.body),
      });
      assert.equal(res.status, 422);
      const apiMessage = ((await res.json()) as { error: { message: string } }).error.message;
      assert.match(apiMessage, /^request: /);

      const r = await cli(row.args, env);
      assert.equal(r.code, 2, r.out + r.err);
      const command = row.args.slice(0, 2).join(' ');
      assert.equal(r.err, `wirefeed: ${command}: ${apiMessage.slice('request: '.length)}\n`);
      assert.equal(r.out, '');
    });
  }

  it('stored none of them', async () => {
    const sources = JSON.parse((await cli(['sources', 'list', '--json'], env)).out) as { slug: string; title?: string; minIntervalS: number }[];
    assert.deepEqual(sources.map((s) => s.slug), ['wire']);
    assert.deepEqual(JSON.parse((await cli(['channels', 'list', '--json'], env)).out), []);
    assert.equal((await cli(['partners', 'list'], env)).out.includes('p1'), false);
  });
});
