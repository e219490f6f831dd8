// Ids are unique in every output document: a randomized property test over many sources that
// carry the same stories under the same ids (URL, tag: and plain guids, link-only items), repeat
// guids inside one document, and update their copies over several rounds. Every rendered page
// (every channel and source, every format, newest-first and cursor pages) must hold each id
// once, and a partner following `after=` across the rounds must end with exactly the newest
// revision of every story.
import assert from 'node:assert/strict';
import { assignIdentities } from '../src/ingest/identity.js';
import { createLintCollector } from '../src/ingest/lint.js';
import type { ArticleInput, FeedFormat, OutputFormat, Source } from '../src/model/types.js';
import { CONTENT_TYPES, serializers } from '../src/publish/index.js';
import { parseFeedQuery, queryStringToRecord } from '../src/services/feed-query.js';
import { createFeedService } from '../src/services/feeds.js';
import type { FeedQuery, FeedService, FeedTarget } from '../src/services/types.js';
import { parseFeedPath } from '../src/services/feed-path.js';
import type { Storage } from '../src/storage/repos.js';
import { readers } from './fixtures/publish/read-back.js';
import { addSource } from './http-fixtures.js';
import { describeBackends } from './support/backends.js';
import { prng } from './support/prng.js';

const BASE = 'https://feeds.example.org';
const FORMATS: FeedFormat[] = ['rss', 'atom', 'json'];
const T0 = Date.parse('2026-01-01T00:00:00Z');

/** A story's guid in one of the shapes sources use; `link` stories have no guid at all. */
function storyGuid(n: number): string | undefined {
  switch (n % 4) {
    case 0: return `https://wire.example.com/story/${n}`;
    case 1: return `tag:wire.example.com,2026:${n}`;
    case 2: return `story-${n}`;
    default: return undefined;
  }
}

interface Copy {
  story: number;
  rev: number;
}

/** One source document, identities assigned as normalize does (repeats disambiguated). */
function documentItems(sourceSlug: string, copies: Copy[], round: number, random: () => number): ArticleInput[] {
  const drafts = copies.map((c, i) => {
    const guid = storyGuid(c.story);
    // A guid repeated inside the document: a second, different item under the same guid.
    const repeat = i > 0 && random() < 0.1 ? copies[i - 1]! : undefined;
    const g = repeat ? storyGuid(repeat.story) : guid;
    return {
      guid: g,
      url: `https://wire.example.com/${repeat ? `r${i}` : c.story}`,
      title: `Story ${c.story} rev ${c.rev} via ${sourceSlug}${repeat ? ` (repeat ${i})` : ''}`,
      contentHtml: `<p>${c.story} ${c.rev} ${i}</p>`,
      // Revisions of a story are dated in order; copies of one revision agree on the date.
      updatedAt: new Date(T0 + (c.story * 100 + c.rev) * 60_000).toISOString(),
    };
  });
  const ids = assignIdentities(drafts, createLintCollector());
  void round;
  return drafts.map((d, i) => ({
    identityKey: ids[i]!.key,
    identityKind: ids[i]!.kind,
    ...(d.guid !== undefined ? { guid: d.guid } : {}),
    url: d.url,
    title: d.title,
    contentHtml: d.contentHtml,
    authors: [],
    categories: [{ term: d.title.length % 2 ? 'odd' : 'even' }],
    publishedAt: new Date(T0 + Math.floor(d.title.length) * 1000).toISOString(),
    updatedAt: d.updatedAt,
    assets: [],
    contentHash: `${d.title}|${d.contentHtml}`,
  }));
}

function idsOf(format: FeedFormat, body: string): { ids: string[]; titles: string[]; next?: string } {
  const feed = readers[format](body);
  return { ids: feed.items.map((i) => i.id!), titles: feed.items.map((i) => i.title!), next: feed.next };
}

function follow(url: string): { target: FeedTarget; format: OutputFormat; query: FeedQuery } {
  const u = new URL(url);
  const p = parseFeedPath(u.pathname)!;
  return { ...p, query: parseFeedQuery(queryStringToRecord(u.search.slice(1))) };
}

describeBackends('unique ids in every output document (randomized property test)', function (backend) {
  this.timeout(120_000);
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: every page of every channel, source and format has unique ids; the cursor ends on the newest revisions`, async () => {
      const random = prng(seed);
      const storage: Storage = await backend.open();
      const feeds: FeedService = createFeedService({ storage, serializers, contentTypes: CONTENT_TYPES, baseUrl: BASE, cacheEntries: 200, version: 't' });
      const sources: Source[] = [];
      for (let s = 0; s < 7; s++) sources.push(await addSource(storage, `src${s}`));
      await storage.channels.create({ slug: 'span', title: 'Span', filter: { sourceIds: sources.slice(0, 4).map((s) => s.id) }, now: '2026-01-01T00:00:00.000Z' });
      await storage.channels.create({ slug: 'odd', title: 'Odd', filter: { sourceIds: sources.slice(2).map((s) => s.id), categories: ['odd'] }, now: '2026-01-01T00:00:00.000Z' });
      const targets: FeedTarget[] = [
        { kind: 'channel', slug: 'all' },
        { kind: 'channel', slug: 'span' },
        { kind: 'channel', slug: 'odd' },
        ...sources.map((s): FeedTarget => ({ kind: 'source', slug: s.slug })),
      ];
      // Each source's current document: story → revision.
      const docs = sources.map(() => new Map<number, number>());
      let partnerNext = `${BASE}/feeds/all.json?limit=7&after=0`;
      const partner = new Map<string, string>();
      let duplicatesCollapsed = 0;

      for (let round = 0; round < 5; round++) {
        for (const [si, src] of sources.entries()) {
          const doc = docs[si]!;
          // New stories from a shared pool of 30 (so copies overlap), and updates of held ones.
          for (let k = 0; k < 4; k++) {
            const story = Math.floor(random() * 30);
            doc.set(story, Math.max(doc.get(story) ?? 0, Math.floor(random() * (round + 2))));
          }
          const copies = [...doc.entries()].map(([story, rev]) => ({ story, rev }));
          await storage.ingest.recordFetch({
            sourceId: src.id, startedAt: new Date(T0 + round * 3600_000).toISOString(), ms: 1, outcome: 'modified', warnings: [],
            items: documentItems(src.slug, copies, round, random), now: new Date(T0 + round * 3600_000 + si).toISOString(), source: { lastFetchedAt: new Date(T0 + round * 3600_000).toISOString() },
          });
        }

        for (const target of targets) {
          for (const format of FORMATS) {
            const limit = 1 + Math.floor(random() * 40);
            const newest = await feeds.getFeed(target, format, { limit });
            const page = idsOf(format, newest.body.toString('utf8'));
            assert.equal(new Set(page.ids).size, page.ids.length, `${target.slug}.${format}?limit=${limit}: ${page.ids.join(' ')}`);
            // Cursor pages, walked to the end.
            let next: string | undefined = `${BASE}/feeds/${target.kind === 'source' ? 'sources/' : ''}${target.slug}.${format}?limit=${1 + Math.floor(random() * 9)}&after=0`;
            for (let p = 0; p < 200 && next; p++) {
              const f = follow(next);
              const cur = idsOf(format, (await feeds.getFeed(f.target, f.format, f.query)).body.toString('utf8'));
              assert.equal(new Set(cur.ids).size, cur.ids.length, `${next}: ${cur.ids.join(' ')}`);
              if (cur.ids.length === 0) break;
              next = cur.next;
            }
          }
        }

        // The partner keeps its place across rounds and stores each item by id.
        for (let p = 0; p < 500; p++) {
          const f = follow(partnerNext);
          const cur = idsOf('json', (await feeds.getFeed(f.target, f.format, f.query)).body.toString('utf8'));
          cur.ids.forEach((id, i) => partner.set(id, cur.titles[i]!));
          partnerNext = cur.next!;
          if (cur.ids.length === 0) break;
        }
        const all = idsOf('json', (await feeds.getFeed({ kind: 'channel', slug: 'all' }, 'json', { limit: 500 })).body.toString('utf8'));
        const expected = new Map(all.ids.map((id, i) => [id, all.titles[i]!]));
        assert.deepEqual(new Map([...partner].sort()), new Map([...expected].sort()), `round ${round}: the partner holds the newest revision of every story`);
        duplicatesCollapsed += (await storage.articles.count()) - all.ids.length;
      }
      assert.ok(duplicatesCollapsed > 0, 'the sources did share ids (the property was exercised)');
    });
  }
});
