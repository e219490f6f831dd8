// DESIGN.md §7 / the publishing issue's "done": the wire story, served over HTTP on loopback in
// each of its three formats, ingested by a running wirefeed and read back from each of the three
// published formats (9 combinations) with every field of seed-story.expected.json intact.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DomUtils, parseDocument } from 'htmlparser2';
import { loadConfig } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { startServer, type RunningServer } from '../src/main.js';
import type { FeedFormat } from '../src/model/types.js';
import { WIRE_EXPECTED as e } from './fixtures/publish/documents.js';
import { readers } from './fixtures/publish/read-back.js';
import { describeBackends } from './support/backends.js';
import { startFixtureServer, type FixtureServer } from './support/fixture-server.js';

const WIRE = new URL('./fixtures/wire/', import.meta.url);
const INPUTS: [string, string, string][] = [
  ['rss', 'seed-story.rss.xml', 'application/rss+xml; charset=utf-8'],
  ['atom', 'seed-story.atom.xml', 'application/atom+xml; charset=utf-8'],
  ['json', 'seed-story.feed.json', 'application/feed+json; charset=utf-8'],
];
const OUTPUTS: FeedFormat[] = ['rss', 'atom', 'json'];

const texts = (html: string, tag: string) => DomUtils.getElementsByTagName(tag, parseDocument(html)).map((el) => DomUtils.textContent(el));

describeBackends('wire story end to end: 3 input formats × 3 output formats over HTTP', function (backend) {
  this.timeout(30_000);
  let dir: string;
  let app: RunningServer;
  let fixture: FixtureServer;

  before(async function () {
    dir = mkdtempSync(path.join(tmpdir(), 'wirefeed-wire-'));
    fixture = await startFixtureServer(
      Object.fromEntries(INPUTS.map(([fmt, file, type]) => [`/wire.${fmt}`, { headers: { 'content-type': type }, body: readFileSync(new URL(file, WIRE)) }])),
    );
    app = await startServer(
      loadConfig({
        PORT: '0', HOST: '127.0.0.1', WIREFEED_DATA_DIR: dir, WIREFEED_DEMO: '0', WIREFEED_SCHEDULE: '0 0 1 1 *', WIREFEED_PRIVATE_NETWORK_ALLOWLIST: `127.0.0.1:${fixture.port}`,
        ...(await backend.database({ suite: true })).env,
      }),
      silentLogger(),
    );
    const headers = { authorization: `Bearer ${app.adminToken}`, 'content-type': 'application/json' };
    for (const [fmt] of INPUTS) {
      const res = await fetch(`${app.url}/api/sources`, { method: 'POST', headers, body: JSON.stringify({ url: `${fixture.origin}/wire.${fmt}`, slug: `wire-${fmt}` }) });
      assert.equal(res.status, 201);
      const { id } = (await res.json()) as { id: number };
      const refreshed = (await (await fetch(`${app.url}/api/sources/${id}/refresh`, { method: 'POST', headers })).json()) as { outcome: string };
      assert.equal(refreshed.outcome, 'modified', fmt);
    }
  });
  after(async () => {
    await app?.stop();
    await fixture?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  for (const [input] of INPUTS) {
    for (const output of OUTPUTS) {
      it(`${input} in → ${output} out`, async () => {
        const res = await fetch(`${app.url}/feeds/sources/wire-${input}.${output}`);
        assert.equal(res.status, 200);
        const feed = readers[output](await res.text());
        assert.equal(feed.items.length, 1);
        const item = feed.items[0]!;
        assert.equal(item.id, e.guid);
        assert.equal(item.url, e.url);
        assert.equal(item.title, e.title);
        assert.equal(item.summary, e.summary_text);
        assert.deepEqual(texts(item.contentHtml ?? '', 'p'), e.body_paragraphs);
        assert.deepEqual(texts(item.contentHtml ?? '', 'figcaption'), [e.image.caption]);
        assert.equal(item.published, Date.parse(e.published));
        assert.deepEqual(item.authors.map((a) => a.name), e.authors);
        assert.deepEqual(item.categories.map((c) => c.term), e.categories);
        assert.equal(item.rights, e.image.rights);
        const photo = item.assets[0]!;
        assert.deepEqual(
          [photo.url, photo.mimeType, photo.title, photo.caption, photo.credit, photo.rights],
          [e.image.url, e.image.type, e.image.title, e.image.caption, e.image.credit, e.image.rights],
        );
        assert.equal(item.assets.length, 1, 'the enclosure and media:content are one photo');
      });
    }
  }
});
