// Statuses declared by sources: an Atom source's RFC 6721 at:deleted-entry kills the entry it
// names; a JSON source's ninjs pubStatus is honoured, only when it changes.
import assert from 'node:assert/strict';
import { processFeedInline } from '../src/ingest/process.js';
import { atomDeletedEntries, jsonPubStatuses } from '../src/ingest/source-states.js';
import type { Storage } from '../src/storage/repos.js';
import { addSource } from './http-fixtures.js';
import { describeBackends } from './support/backends.js';

const AT = 'http://purl.org/atompub/tombstones/1.0';
const NOW = ['2025-03-01T10:00:00.000Z', '2025-03-01T11:00:00.000Z', '2025-03-01T12:00:00.000Z', '2025-03-01T13:00:00.000Z'];

function atom(entries: string[], tombstones: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:at="${AT}">
  <id>urn:example:feed</id><title>Wire</title><updated>2025-03-01T09:00:00Z</updated>
  <author><name>Desk</name></author>
  ${entries.map((id) => `<entry><id>${id}</id><title>Story ${id}</title><updated>2025-03-01T09:00:00Z</updated><content type="html">&lt;p&gt;Body ${id}&lt;/p&gt;</content></entry>`).join('\n  ')}
  ${tombstones}
</feed>`;
}

describe('source states: parsing', () => {
  const cases: { name: string; xml: string; want: { ref: string; status: string; reason?: string }[] }[] = [
    { name: 'at: prefix with a comment', xml: atom([], `<at:deleted-entry ref="urn:e:1" when="2025-03-01T09:30:00Z"><at:comment>Legal:  do not use</at:comment></at:deleted-entry>`), want: [{ ref: 'urn:e:1', status: 'canceled', reason: 'Legal: do not use' }] },
    { name: 'another prefix, no comment', xml: atom([], `<t:deleted-entry xmlns:t="${AT}" ref="urn:e:2" when="2025-03-01T09:30:00Z"/>`), want: [{ ref: 'urn:e:2', status: 'canceled' }] },
    { name: 'default namespace on the element', xml: atom([], `<deleted-entry xmlns="${AT}" ref="urn:e:3" when="2025-03-01T09:30:00Z"/>`), want: [{ ref: 'urn:e:3', status: 'canceled' }] },
    { name: 'deleted-entry of another namespace is not a tombstone', xml: atom([], `<x:deleted-entry xmlns:x="urn:other" ref="urn:e:4"/>`), want: [] },
    { name: 'no ref, nothing to kill', xml: atom([], `<at:deleted-entry when="2025-03-01T09:30:00Z"/>`), want: [] },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(atomDeletedEntries(c.xml), c.want));

  const json: { name: string; items: unknown[]; want: unknown[] }[] = [
    { name: 'withheld with an editor’s note', items: [{ id: 'a', pubStatus: 'withheld', edNote: 'Hold' }], want: [{ ref: 'a', status: 'withheld', reason: 'Hold' }] },
    { name: 'embargoed until a time', items: [{ id: 'b', pubStatus: 'embargoed', embargoedUntil: '2025-03-02T06:00:00Z' }], want: [{ ref: 'b', status: 'embargoed', embargoedUntil: '2025-03-02T06:00:00.000Z' }] },
    { name: 'embargoed without a time is held as withheld', items: [{ id: 'c', pubStatus: 'embargoed' }], want: [{ ref: 'c', status: 'withheld' }] },
    { name: 'an unknown status is ignored', items: [{ id: 'd', pubStatus: 'deleted' }, { pubStatus: 'canceled' }], want: [] },
  ];
  for (const c of json) it(`JSON: ${c.name}`, () => assert.deepEqual(jsonPubStatuses(JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', items: c.items })), c.want));
});

describeBackends('source states: stored as events', (backend) => {
  let s: Storage;
  beforeEach(async () => {
    s = await backend.open();
  });

  async function fetchDoc(sourceId: number, text: string, type: string, now: string) {
    const feed = await processFeedInline(Buffer.from(text), { documentUrl: 'https://wire.example.com/feed', contentType: type, now });
    return s.ingest.recordFetch({ sourceId, startedAt: now, ms: 1, outcome: 'modified', warnings: [], items: feed.items, states: feed.states, now, source: { lastFetchedAt: now } });
  }
  const byKey = async () => Object.fromEntries((await s.articles.query({ limit: 10, includeWithdrawn: true })).map((a) => [a.identityKey, a]));

  it('an Atom at:deleted-entry kills the entry it names, once', async () => {
    const src = await addSource(s, 'wire');
    await fetchDoc(src.id, atom(['urn:e:1', 'urn:e:2'], ''), 'application/atom+xml', NOW[0]!);
    const cursor = await s.articles.maxSeq();
    const gone = atom(['urn:e:1'], `<at:deleted-entry ref="urn:e:2" when="2025-03-01T10:30:00Z"><at:comment>Retracted by the source</at:comment></at:deleted-entry>`);
    await fetchDoc(src.id, gone, 'application/atom+xml', NOW[1]!);
    const a = await byKey();
    assert.equal(a['urn:e:2']!.status, 'canceled');
    assert.equal(a['urn:e:2']!.statusReason, 'Retracted by the source');
    assert.equal(a['urn:e:1']!.status, 'usable');
    const events = await s.articles.query({ limit: 10, after: cursor, includeWithdrawn: true });
    assert.deepEqual(events.map((x) => [x.identityKey, x.status]), [['urn:e:2', 'canceled']]);
    // The same document again (say, with a changed entry elsewhere): no second kill event.
    await fetchDoc(src.id, gone.replace('Story urn:e:1', 'Story urn:e:1 (updated)'), 'application/atom+xml', NOW[2]!);
    const again = await s.articles.query({ limit: 10, after: events[0]!.seq, includeWithdrawn: true });
    assert.deepEqual(again.map((x) => x.identityKey), ['urn:e:1']);
  });

  it('a JSON source’s pubStatus is applied when it changes, and repeating "usable" never undoes an operator’s withhold', async () => {
    const src = await addSource(s, 'wire');
    const doc = (status: string) =>
      JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'W', items: [{ id: 'x', title: 'Story x', content_text: 'Body', date_published: '2025-03-01T09:00:00Z', pubStatus: status, edNote: `now ${status}` }] });
    await fetchDoc(src.id, doc('withheld'), 'application/feed+json', NOW[0]!);
    assert.equal((await byKey()).x!.status, 'withheld');
    await fetchDoc(src.id, doc('usable'), 'application/feed+json', NOW[1]!);
    const x = (await byKey()).x!;
    assert.equal(x.status, 'usable', 'released by the source');
    await s.articles.applyEvent(x.id, () => ({ status: 'withheld', reason: 'operator hold', revisionReason: 'withheld' }), NOW[2]!);
    await fetchDoc(src.id, doc('usable'), 'application/feed+json', NOW[3]!);
    assert.equal((await byKey()).x!.status, 'withheld', 'the source still says usable: no change, the operator’s hold stays');
    await fetchDoc(src.id, doc('canceled'), 'application/feed+json', NOW[3]!);
    assert.equal((await byKey()).x!.status, 'canceled');
    assert.equal((await byKey()).x!.statusReason, 'now canceled');
  });
});
