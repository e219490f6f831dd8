// One writer process of test/cursor-concurrent-writers.test.ts:
//   node --import tsx cursor-writer-child.ts URL SCHEMA SOURCE_ID ROUNDS
// Opens the real PostgreSQL storage on the test's schema and, as fast as it goes, records ROUNDS
// fetches for its source through ingest.recordFetch: each adds NEW_PER_ROUND articles and changes
// UPDATES_PER_ROUND earlier ones (a new content hash, so the article takes a new seq). Prints
// one JSON line with what it wrote, then exits.
import type { ArticleInput } from '../../src/model/types.js';
import { openStorage } from '../../src/storage/open.js';

const NEW_PER_ROUND = 3;
const UPDATES_PER_ROUND = 2;
const T0 = Date.parse('2025-01-01T00:00:00.000Z');

const [url, schema, sourceArg, roundsArg] = process.argv.slice(2);
const sourceId = Number(sourceArg);
const rounds = Number(roundsArg);

function item(n: number, revision: number): ArticleInput {
  const key = `s${sourceId}-${n}`;
  return {
    identityKey: key,
    identityKind: 'guid',
    guid: key,
    title: `Story ${key} r${revision}`,
    contentHtml: `<p>Revision ${revision} of ${key}</p>`,
    authors: [],
    categories: [],
    assets: [],
    contentHash: `${key}-r${revision}`,
  };
}

const storage = await openStorage({ url: url!, schema: schema!, poolSize: 2, instanceId: `writer-${sourceId}` });
let made = 0;
let writes = 0;
try {
  for (let round = 1; round <= rounds; round++) {
    const items: ArticleInput[] = [];
    for (let i = 0; i < NEW_PER_ROUND; i++) items.push(item(made++, round));
    // Earlier articles, spread over the whole history (never one of this round's new ones).
    const earlier = made - NEW_PER_ROUND;
    const picked = new Set<number>();
    for (let u = 0; u < UPDATES_PER_ROUND && earlier > 0; u++) picked.add((round * (7 + 6 * u) + u) % earlier);
    for (const n of picked) items.push(item(n, round));
    const now = new Date(T0 + round * 1000).toISOString();
    const r = await storage.ingest.recordFetch({ sourceId, startedAt: now, ms: 1, outcome: 'modified', httpStatus: 200, warnings: [], items, source: { lastFetchedAt: now }, now });
    if (r.itemsNew !== NEW_PER_ROUND || r.itemsUpdated !== picked.size) throw new Error(`round ${round}: ${JSON.stringify(r)}`);
    writes += items.length;
  }
} finally {
  await storage.close();
}
process.stdout.write(`${JSON.stringify({ sourceId, articles: made, writes })}\n`);
