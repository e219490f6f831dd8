// A scripted partner over real HTTP: while thousands of changes are ingested (new stories and
// corrections of old ones), it follows the `next` links of a partners channel with its key, in
// every format, with If-None-Match, and must receive every revision exactly once; afterwards
// the delivery log must list exactly what it received, item for item, in order.
import assert from 'node:assert/strict';
import type { FeedFormat } from '../src/model/types.js';
import { ADMIN_TOKEN, addSource, articleInput, ingest, startServer, type TestServer } from './http-fixtures.js';
import { describeBackends } from './support/backends.js';

const ROUNDS = 40;
const CHANGES_PER_ROUND = 100;
const PAGE = 70;
const FORMATS: FeedFormat[] = ['json', 'atom', 'rss'];

/** (item id as the feed writes it, title) of each item of a page, and its next link. */
function readPage(format: FeedFormat, body: string): { items: [string, string][]; next: string } {
  if (format === 'json') {
    const doc = JSON.parse(body) as { items: { id: string; title: string }[]; next_url: string };
    return { items: doc.items.map((i) => [i.id, i.title]), next: doc.next_url };
  }
  const tag = format === 'atom' ? 'entry' : 'item';
  const idTag = format === 'atom' ? 'id' : 'guid';
  const items = [...body.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))].map((m): [string, string] => [
    /<(?:id|guid)[^>]*>([^<]*)</.exec(m[1]!.replace(new RegExp(`^[\\s\\S]*?(?=<${idTag}[ >])`), ''))![1]!,
    /<title[^>]*>([^<]*)</.exec(m[1]!)![1]!,
  ]);
  const next = /<(?:atom:)?link[^>]*rel="next"[^>]*href="([^"]+)"|<(?:atom:)?link[^>]*href="([^"]+)"[^>]*rel="next"/.exec(body)!;
  return { items, next: (next[1] ?? next[2]!).replace(/&amp;/g, '&') };
}

describeBackends('partners: a scripted partner over thousands of changes', function (backend) {
  this.timeout(180_000);
  let srv: TestServer;
  afterEach(() => srv?.close());

  it('follows next links with its key and gets every revision exactly once; the delivery log matches item for item', async () => {
    srv = await startServer({ storage: await backend.open() });
    const source = await addSource(srv.storage, 'licensed');
    const admin = { Authorization: `Bearer ${ADMIN_TOKEN}`, 'Content-Type': 'application/json' };
    const post = async (p: string, body: unknown, method = 'POST') => {
      const r = await fetch(srv.url + p, { method, headers: admin, body: JSON.stringify(body) });
      const text = await r.text();
      assert.ok(r.status < 300, `${p}: ${r.status} ${text}`);
      return JSON.parse(text) as Record<string, unknown>;
    };
    await post('/api/sources/licensed', { visibility: 'partners' }, 'PATCH');
    await post('/api/channels', { slug: 'wire', title: 'Wire', visibility: 'partners', filter: { sourceIds: [source.id] } });
    await post('/api/partners', { slug: 'daily', name: 'Daily', channels: ['wire'], rateLimit: { requests: 100_000, perSeconds: 60 } });
    const key = (await post('/api/partners/daily/keys', {})).key as string;

    // Every revision the server made: its title → (article id, seq).
    const revisions = new Map<string, { id: number; seq: number }>();
    const guidOf = (n: number) => `https://wire.example.com/story/${n}`;
    const revisionOf = new Map<number, number>();
    let stories = 0;
    let changes = 0;

    const received: { id: number; seq: number }[] = [];
    const seen = new Set<string>();
    const idOf = new Map<string, string>();
    let next = `${srv.url}/feeds/wire.json?after=0&limit=${PAGE}`;
    let pages = 0;
    let notModified = 0;

    for (let round = 0; round < ROUNDS; round++) {
      // A round of changes: new stories and corrections of random earlier ones (each at most once).
      const touched = new Set<number>();
      const items = [];
      for (let i = 0; i < CHANGES_PER_ROUND; i++) {
        let n: number;
        if (stories === 0 || i % 3 === 0) n = stories++;
        else {
          // A deterministic spread over earlier stories, skipping ones already changed this round.
          n = (round * 7919 + i * 104729) % stories;
          for (let j = 0; touched.has(n) && j < stories; j++) n = (n + 1) % stories;
          if (touched.has(n)) n = stories++;
        }
        touched.add(n);
        const rev = (revisionOf.get(n) ?? -1) + 1;
        revisionOf.set(n, rev);
        items.push(articleInput(`s${n}`, { guid: guidOf(n), url: guidOf(n), title: `Story ${n} rev ${rev}`, contentHash: `h${n}-${rev}` }));
      }
      const before = await srv.storage.articles.maxSeq();
      const counts = await ingest(srv.storage, source.id, items);
      changes += counts.itemsNew + counts.itemsUpdated;
      for (const a of await srv.storage.articles.query({ limit: CHANGES_PER_ROUND, after: before })) revisions.set(a.title!, { id: a.id, seq: a.seq });

      // The partner drains the cursor, switching format and key transport as it goes.
      for (;;) {
        const format = FORMATS[pages % FORMATS.length]!;
        const url = next.replace(/\.(json|atom|rss)\?/, `.${format}?`);
        const viaQuery = pages % 5 === 4;
        const request = (headers: Record<string, string> = {}) =>
          fetch(viaQuery ? `${url}&key=${key}` : url, { headers: { ...(viaQuery ? {} : { Authorization: `Bearer ${key}` }), ...headers } });
        const r = await request();
        pages++;
        const body = await r.text();
        assert.equal(r.status, 200, body);
        const page = readPage(format, body);
        for (const [id, title] of page.items) {
          // Titles name the revision ("Story n rev r"); the id must be the story's, in every format.
          assert.ok(!seen.has(title), `received twice: ${title}`);
          seen.add(title);
          const rev = revisions.get(title);
          assert.ok(rev, `not a revision the server made: ${title}`);
          const story = title.split(' rev ')[0]!;
          const known = idOf.get(story);
          assert.ok(known === undefined || known === id, `${story} changed its id: ${known} → ${id}`);
          idOf.set(story, id);
          received.push(rev);
        }
        assert.ok(!page.next.includes(key), 'no key in next links');
        next = page.next.replace(/^http:\/\/[^/]+/, srv.url);
        if (page.items.length === 0) {
          // Caught up: polling the same page again is a 304 until something changes.
          const again = await request({ 'If-None-Match': r.headers.get('etag')! });
          assert.equal(again.status, 304);
          notModified++;
          break;
        }
      }
    }

    assert.ok(changes >= ROUNDS * CHANGES_PER_ROUND * 0.99, `${changes} changes ingested`);
    const maxSeq = await srv.storage.articles.maxSeq();
    assert.deepEqual(
      received.map((r) => r.seq),
      Array.from({ length: maxSeq }, (_, i) => i + 1),
      'every revision exactly once, in seq order',
    );
    assert.equal(notModified, ROUNDS);

    await srv.deliveries!.flush();
    const log = await fetch(`${srv.url}/api/partners/daily/deliveries?format=json`, { headers: admin });
    const { deliveries, cursor } = (await log.json()) as { deliveries: { channel: string; format: string; items: { id: number; seq: number }[] }[]; cursor: { cursor: number; lag: number } };
    assert.deepEqual(
      deliveries.flatMap((d) => d.items),
      received,
      'the delivery log lists what the partner received, item for item',
    );
    assert.ok(deliveries.every((d) => d.channel === 'wire'));
    assert.deepEqual(new Set(deliveries.map((d) => d.format)), new Set(FORMATS));
    assert.deepEqual({ cursor: cursor.cursor, lag: cursor.lag }, { cursor: maxSeq, lag: 0 });
  });
});
