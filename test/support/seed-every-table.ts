// A database with rows in every table, written through the Storage API as the services would:
// sources (one removed, so id marks run past max(id)), articles with assets, categories and
// non-ASCII text, a correction (revision), a kill, fetch log, a channel, partners with keys,
// deliveries and a cursor, WebSub subscriptions, topics, contents (a binary body) and queued
// deliveries, a source subscription, and settings. For the db copy tests on any backend.
import type { ArticleInput } from '../../src/model/types.js';
import type { Storage } from '../../src/storage/repos.js';

export const SEED_T0 = '2026-03-01T08:00:00.000Z';
const T1 = '2026-03-01T09:00:00.000Z';

function item(key: string, n: number): ArticleInput {
  return {
    identityKey: key,
    identityKind: 'guid',
    guid: key,
    url: `https://news.example.org/${key}`,
    title: `Ménage à trois ${n} — “quoted” 東京`,
    summary: n % 2 ? `Summary ${n}` : undefined,
    contentHtml: `<p>Body of <b>${key}</b> with searchable word zebra${n}</p>`,
    authors: [{ name: 'Åsa Writer' }],
    categories: [{ term: n % 2 ? 'Politics' : 'Économie', scheme: 'urn:x' }],
    assets: n % 3 === 0 ? [{ url: `https://img.example.org/${n}.jpg`, mimeType: 'image/jpeg', width: 800, height: 600, caption: 'A caption', credit: 'Agency' }] : [],
    contentHash: `hash-${key}-${n}`,
    publishedAt: `2026-02-${String(10 + (n % 18)).padStart(2, '0')}T12:00:00.000Z`,
  };
}

export async function seedEveryTable(s: Storage, opts: { articles?: number } = {}): Promise<{ sourceIds: number[] }> {
  const perSource = opts.articles ?? 12;
  const sources = [];
  for (let i = 1; i <= 3; i++) {
    sources.push(await s.sources.create({ url: `https://feeds${i}.example.org/rss`, slug: `src-${i}`, title: `Source ${i}`, categories: ['News'], nextFetchAt: SEED_T0, now: SEED_T0 }));
  }
  for (const [i, src] of sources.entries()) {
    const items = Array.from({ length: perSource }, (_, n) => item(`s${i}-a${n}`, n));
    await s.ingest.recordFetch({
      sourceId: src.id,
      startedAt: SEED_T0,
      ms: 40 + i,
      outcome: 'modified',
      httpStatus: 200,
      bytes: 1234,
      warnings: ['a warning'],
      items,
      source: { lastFetchedAt: SEED_T0, lastSuccessAt: SEED_T0, etag: `"e${i}"` },
      now: SEED_T0,
    });
    await s.ingest.recordFetch({ sourceId: src.id, startedAt: T1, ms: 3, outcome: 'not-modified', httpStatus: 304, warnings: [], source: { lastFetchedAt: T1 }, now: T1 });
  }
  const first = (await s.articles.query({ limit: 500, after: 0 }))[0]!;
  await s.articles.applyEvent(first.id, () => ({ status: 'usable', correction: { title: 'Corrected title' }, revisionReason: 'correction' }), T1);
  const second = (await s.articles.query({ limit: 500, after: 0 }))[1]!;
  await s.articles.applyEvent(second.id, () => ({ status: 'canceled', reason: 'legal', revisionReason: 'kill' }), T1);
  // The newest source goes: its id must never be handed out again, on either backend.
  await s.sources.remove(sources[2]!.id);

  await s.channels.create({ slug: 'politics', title: 'Politics', filter: { categories: ['politics'] }, now: SEED_T0 });
  const partner = await s.partners.create({ slug: 'acme', name: 'Acme Wire', channels: ['politics'], rateLimit: { requests: 60, perSeconds: 60 }, now: SEED_T0 });
  await s.partners.create({ slug: 'other', name: 'Other', channels: [], active: false, now: SEED_T0 });
  await s.partners.addKey({ partnerId: partner.id, keyId: 'k1', prefix: 'wf_ab', keyHash: 'a'.repeat(64), now: SEED_T0 });
  await s.partners.addKey({ partnerId: partner.id, keyId: 'k2', prefix: 'wf_cd', keyHash: 'b'.repeat(64), now: SEED_T0 });
  await s.partners.revokeKey(partner.id, 'k2', T1);
  await s.deliveries.append([
    {
      partnerId: partner.id,
      at: T1,
      count: 3,
      lastAt: T1,
      channel: 'politics',
      format: 'ninjs',
      payload: { hash: 'p1', itemsJson: JSON.stringify([{ id: first.id, seq: first.seq }]), itemCount: 1, maxSeq: first.seq },
    },
  ]);

  const sub = { topic: 'https://wire.example/feeds/all.atom', callbackHost: 'sub.example:8080', leaseSeconds: 3600, expiresAt: '2026-03-02T08:00:00.000Z', now: SEED_T0 };
  await s.websub.saveSubscription({ ...sub, callback: 'https://sub.example:8080/cb', secret: 's3cret', variant: '' });
  await s.websub.saveSubscription({ ...sub, callback: 'https://sub.example:8080/cb2', keyId: 'k1', variant: 'acme' });
  await s.websub.setTopicState(sub.topic, '', { etag: '"abc"' });
  await s.websub.setTopicState(sub.topic, 'acme', { lastSeq: 7 });
  await s.websub.enqueue({ topic: sub.topic, variant: '', contentType: 'application/atom+xml', body: Buffer.from([0, 1, 2, 255, 0x3c]), fullFeed: true }, SEED_T0);
  await s.websub.saveSourceSubscription({
    sourceId: sources[0]!.id,
    hub: 'https://hub.example/',
    topic: sources[0]!.url,
    token: 'tok-1',
    secret: 'hub-secret',
    state: 'active',
    leaseUntil: '2026-03-05T00:00:00.000Z',
    requestedAt: SEED_T0,
    verifiedAt: SEED_T0,
    pushes: 2,
    rejected: 1,
  });
  await s.setSetting('admin_token_sha256', 'c'.repeat(64));
  await s.setSetting('note', 'naïve ✓');
  return { sourceIds: sources.slice(0, 2).map((x) => x.id) };
}
