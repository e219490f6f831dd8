// ninjs 3.1 output (/feeds/<channel>.ninjs, /feeds/sources/<slug>.ninjs) over real HTTP: every
// item validates against the IPTC schema (ajv's 2020-12 build), the wire story round-trips with
// caption, credit and rights, tombstones are the same uri with pubStatus, edNote only to partners.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { processFeedInline } from '../src/ingest/process.js';
import { WIRE_EXPECTED as e } from './fixtures/publish/documents.js';
import { addSource, ADMIN_TOKEN, articleInput, ingest, photo, startServer, T0, type TestServer } from './http-fixtures.js';
import { cursorReaders } from './support/cursor-reader.js';

const require = createRequire(import.meta.url);
type Validate = ((d: unknown) => boolean) & { errors?: unknown };
const Ajv2020 = (require('ajv/dist/2020') as { default: new (o: object) => unknown }).default;
const addFormats = (require('ajv-formats') as { default: (a: unknown) => void }).default;
const ajv = new Ajv2020({ allErrors: true, strict: false }) as { compile(s: object): Validate; addSchema(s: object): unknown };
addFormats(ajv);
// The schema refers to GeoJSON's for places' `geometry` (not vendored; there is no network in
// tests). wirefeed never writes a geometry, so any object stands in for it.
ajv.addSchema({ $id: 'https://geojson.org/schema/GeoJSON.json', type: 'object' } as object);
const validateNinjs = ajv.compile(JSON.parse(readFileSync(new URL('./fixtures/schemas/ninjs/ninjs-schema_3.1.json', import.meta.url), 'utf8')) as object);

// Items are checked field by field against the fixture.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Ninjs = Record<string, any>;

function assertValid(items: Ninjs[]): void {
  for (const item of items) assert.ok(validateNinjs(item), `${item.uri}: ${JSON.stringify(validateNinjs.errors)}`);
}

async function getNinjs(srv: TestServer, path: string, headers: Record<string, string> = {}) {
  const r = await fetch(srv.url + path, { headers });
  assert.equal(r.status, 200, path);
  assert.equal(r.headers.get('content-type'), 'application/json');
  return JSON.parse(await r.text()) as { items: Ninjs[]; next_url?: string };
}

describe('ninjs 3.1 output', function () {
  this.timeout(20_000);
  let srv: TestServer;
  beforeEach(async () => {
    srv = await startServer();
  });
  afterEach(() => srv.close());

  it('the schema validator bites: an item without uri or with an unknown member fails', () => {
    assert.equal(validateNinjs({ type: 'text' }), false);
    assert.equal(validateNinjs({ uri: 'urn:x:y', _source: {} }), false);
    assert.equal(validateNinjs({ uri: 'urn:x:y', pubStatus: 'embargoed' }), false);
  });

  for (const [name, file, type] of [
    ['RSS', 'seed-story.rss.xml', 'application/rss+xml'],
    ['Atom', 'seed-story.atom.xml', 'application/atom+xml'],
    ['JSON Feed', 'seed-story.feed.json', 'application/feed+json'],
  ] as const) {
    it(`the wire story read from ${name} round-trips with caption, credit and rights`, async () => {
      const source = await addSource(srv.storage, 'wire');
      const feed = await processFeedInline(readFileSync(new URL(`./fixtures/wire/${file}`, import.meta.url)), { documentUrl: 'https://wire.example.com/world/feed', contentType: type, now: '2025-12-04T00:00:00.000Z' });
      await ingest(srv.storage, source.id, feed.items);
      for (const path of ['/feeds/all.ninjs', '/feeds/sources/wire.ninjs', '/feeds/all.ninjs?after=0']) {
        const doc = await getNinjs(srv, path);
        assertValid(doc.items);
        const [item] = doc.items;
        assert.equal(item!.uri, e.guid);
        assert.equal(item!.pubStatus, 'usable');
        assert.deepEqual(item!.headlines, [{ role: 'main', value: e.title }]);
        assert.equal(item!.descriptions[0].value, e.summary_text);
        for (const p of e.body_paragraphs) assert.ok(item!.bodies[0].value.includes(p), 'body paragraph');
        assert.equal(item!.by, e.authors.join(', '));
        assert.deepEqual(item!.subjects.map((s: { name: string }) => s.name), e.categories);
        assert.equal(item!.firstCreated, e.published.replace('.000Z', 'Z'));
        assert.deepEqual(item!.renditions, [{ name: 'web', href: e.url, contentType: 'text/html' }]);
        const pic = item!.associations[0];
        assert.equal(pic.type, 'picture');
        assert.equal(pic.uri, e.image.url);
        assert.deepEqual(pic.descriptions, [{ role: 'caption', contentType: 'text/plain', value: e.image.caption }]);
        assert.equal(pic.by, e.image.credit);
        assert.equal(pic.copyrightNotice, e.image.rights);
        assert.equal(item!.usageTerms, e.image.rights, 'the story’s usage rights');
        assert.deepEqual(pic.headlines, [{ value: e.image.title }]);
        assert.equal(pic.renditions[0].href, e.image.url);
        assert.equal(pic.renditions[0].contentType, e.image.type);
        assert.equal('edNote' in item!, false, 'no editor’s note in public output');
        if (path.includes('after=')) assert.equal(doc.next_url, `http://127.0.0.1:${new URL(srv.url).port}/feeds/all.ninjs?after=${(await srv.storage.articles.maxSeq())}`);
        else assert.equal(doc.next_url, undefined);
      }
    });
  }

  it('cursor pages carry tombstones (same uri, pubStatus canceled/withheld) that validate; plain documents drop them', async () => {
    const source = await addSource(srv.storage, 'wire');
    await ingest(srv.storage, source.id, [articleInput('a', { assets: [photo('https://img.example.com/a.jpg')] }), articleInput('b'), articleInput('c')]);
    const ids = Object.fromEntries((await srv.storage.articles.query({ limit: 5 })).map((a) => [a.identityKey, a.id]));
    const post = (path: string, body?: unknown) =>
      fetch(`${srv.url}/api/articles/${path}`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body ?? {}) });
    await post(`${ids.a}/kill`, { reason: 'Legal' });
    await post(`${ids.b}/withhold`);
    await post(`${ids.c}/correct`, { title: 'Story c, corrected', reason: 'Corrects the headline' });
    const page = await getNinjs(srv, '/feeds/all.ninjs?after=0');
    assertValid(page.items);
    assert.deepEqual(cursorReaders.ninjs(JSON.stringify(page)).events.map((x) => [x.id, x.deleted?.status ?? x.title]), [
      ['urn:wirefeed:wire:a', 'canceled'],
      ['urn:wirefeed:wire:b', 'withheld'],
      ['urn:wirefeed:wire:c', 'Story c, corrected'],
    ]);
    assert.equal(page.items[0]!.descriptions[0].value, 'Legal');
    assert.equal(page.items[2]!.version, '2');
    assert.deepEqual((await getNinjs(srv, '/feeds/all.ninjs')).items.map((i) => i.uri), ['urn:wirefeed:wire:c']);
  });

  it('edNote only to partners: the story’s notes to editors reach a keyed request, never a public one', async () => {
    const source = await addSource(srv.storage, 'wire');
    await ingest(srv.storage, source.id, [articleInput('a', { ednote: 'CREDIT MANDATORY, NO ARCHIVE' })]);
    await srv.storage.channels.create({ slug: 'world', title: 'World', filter: {}, now: T0 });
    await srv.partners.create({ slug: 'planet', name: 'Daily Planet', channels: ['world'] });
    const { key } = await srv.partners.createKey('planet');
    const pub = await getNinjs(srv, '/feeds/world.ninjs');
    assert.equal(pub.items[0]!.edNote, undefined);
    const partner = await getNinjs(srv, '/feeds/world.ninjs', { Authorization: `Bearer ${key}` });
    assertValid(partner.items);
    assert.equal(partner.items[0]!.edNote, 'CREDIT MANDATORY, NO ARCHIVE');
    // And the public document served after the partner's is still the public one.
    assert.equal((await getNinjs(srv, '/feeds/world.ninjs')).items[0]!.edNote, undefined);
  });

});
