// The cursor proof under real concurrency (issue 13): four writer processes ingest through the
// real PostgreSQL write path (new articles, and changes that give existing ones new seqs) while
// three cursor readers page `after` the last seq they saw. Whatever the interleaving, a reader
// that only moves forward must end up with every article's final (id, seq): a seq committed
// after a reader passed it (what a plain sequence allows, see seq-commit-order.test.ts) would be
// missing. Skipped without WIREFEED_TEST_DATABASE_URL.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openStorage } from '../src/storage/open.js';
import type { Storage } from '../src/storage/repos.js';
import { describePg, dropSchema, freshSchemaName, PG_TEST_URL } from './support/pg-schema.js';

const WRITERS = 4;
const ROUNDS = 120;
const READERS = 3;
const PAGE = 50;
const CHILD = fileURLToPath(new URL('./support/cursor-writer-child.ts', import.meta.url));

interface WriterResult {
  sourceId: number;
  articles: number;
  writes: number;
}

function runWriter(schema: string, sourceId: number): Promise<WriterResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, PG_TEST_URL!, schema, String(sourceId), String(ROUNDS)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as WriterResult) : reject(new Error(`writer ${sourceId} exited ${code}: ${err}`))));
  });
}

/** Pages forward until the writers are done and a page after that comes back empty. */
async function follow(storage: Storage, writersDone: () => boolean): Promise<{ id: number; seq: number }[]> {
  const seen: { id: number; seq: number }[] = [];
  let after = 0;
  for (;;) {
    // Read the flag before the page: an empty page read after every writer exited is the end.
    const finished = writersDone();
    const page = await storage.articles.query({ after, limit: PAGE, includeWithdrawn: true });
    for (const a of page) seen.push({ id: a.id, seq: a.seq });
    if (page.length) after = page[page.length - 1]!.seq;
    else if (finished) return seen;
    else await new Promise((r) => setTimeout(r, 2));
  }
}

async function withClient<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_TEST_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

describePg('cursor readers never skip while several processes write (PostgreSQL)', function () {
  this.timeout(60_000);
  let schema: string;
  const opened: Storage[] = [];
  beforeEach(async () => {
    schema = freshSchemaName();
    await withClient((c) => c.query(`CREATE SCHEMA ${schema}`));
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    await dropSchema(schema);
  });

  it('every reader sees every final (id, seq) once, in increasing seq order', async () => {
    // Migrated (and the sources made) here, before the children and readers open the schema.
    const setup = await openStorage({ url: PG_TEST_URL!, schema, poolSize: 1, instanceId: 'setup' });
    opened.push(setup);
    const T0 = '2025-01-01T00:00:00.000Z';
    const sourceIds: number[] = [];
    for (let w = 0; w < WRITERS; w++) sourceIds.push((await setup.sources.create({ url: `https://w${w}.example/rss`, slug: `w${w}`, nextFetchAt: T0, now: T0 })).id);
    const readers: Storage[] = [];
    for (let r = 0; r < READERS; r++) {
      const s = await openStorage({ url: PG_TEST_URL!, schema, poolSize: 1, instanceId: `reader-${r}` });
      opened.push(s);
      readers.push(s);
    }

    let done = false;
    const writing = Promise.all(sourceIds.map((id) => runWriter(schema, id))).finally(() => (done = true));
    const reading = Promise.all(readers.map((s) => follow(s, () => done)));
    const [written, seenByReader] = await Promise.all([writing, reading]);

    const finals = await withClient(async (c) => (await c.query<{ id: string; seq: string }>(`SELECT id, seq FROM ${schema}.articles ORDER BY seq`)).rows.map((r) => ({ id: Number(r.id), seq: Number(r.seq) })));
    const articles = written.reduce((n, w) => n + w.articles, 0);
    const writes = written.reduce((n, w) => n + w.writes, 0);
    assert.equal(finals.length, articles, 'the database holds every article the writers made');
    assert.ok(writes > articles, 'some writes changed existing articles');

    for (const [r, seen] of seenByReader.entries()) {
      for (let i = 1; i < seen.length; i++) {
        assert.ok(seen[i]!.seq > seen[i - 1]!.seq, `reader ${r}: seq ${seen[i]!.seq} after ${seen[i - 1]!.seq}`);
      }
      const pairs = new Set(seen.map((e) => `${e.id}:${e.seq}`));
      const missing = finals.filter((f) => !pairs.has(`${f.id}:${f.seq}`));
      assert.deepEqual(missing.slice(0, 10), [], `reader ${r} skipped ${missing.length} of ${finals.length} final (id, seq)`);
      assert.equal(seen.at(-1)?.seq, finals.at(-1)?.seq, `reader ${r} reached the newest seq`);
    }
  });
});
