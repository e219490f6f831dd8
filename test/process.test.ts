import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ParseError, WirefeedError } from '../src/errors.js';
import { PARSE_HEAP_MB, createFeedProcessor, processFeedInline, replyMessages, type FeedProcessor, type ProcessReply } from '../src/ingest/process.js';

const OPTS = { documentUrl: 'https://big.example.org/feed.xml', now: '2026-06-01T00:00:00.000Z' };
const CRASHING = new URL('./fixtures/ingest/crashing-worker.ts', import.meta.url);

function bigFeed(items: number, marker = ''): Buffer {
  const body = Array.from({ length: items }, (_, i) =>
    `<item><guid>item-${i}</guid><title>Item ${i} – “quoted”</title><link>https://big.example.org/${i}</link><pubDate>Mon, 05 Jan 2026 10:00:00 GMT</pubDate><description>&lt;p&gt;Paragraph ${i} ${'lorem ipsum '.repeat(20)}&lt;/p&gt;</description><category>c${i % 7}</category></item>`,
  ).join('\n');
  return Buffer.from(`<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Big ${marker}</title>${body}</channel></rss>`);
}

describe('worker replies in item slices', () => {
  const reply = (n: number): ProcessReply => ({
    id: 7,
    ok: true,
    feed: { meta: { format: 'rss2' }, lint: [], items: Array.from({ length: n }, (_, i) => ({ identityKey: `k${i}` }) as never) },
  });
  const cases: [number, number[]][] = [
    [0, [0]],
    [200, [200]],
    [201, [200, 1]],
    [400, [200, 200]],
    [450, [200, 200, 50]],
  ];
  for (const [n, sizes] of cases) {
    it(`${n} items → messages of ${sizes.join(', ')}, the reply last, order kept`, () => {
      const msgs = replyMessages(reply(n), 200);
      assert.deepEqual(msgs.map((m) => ('ok' in m ? (m.ok ? m.feed.items.length : -1) : m.items.length)), sizes);
      assert.ok(msgs.slice(0, -1).every((m) => !('ok' in m)) && 'ok' in msgs[msgs.length - 1]!);
      const keys = msgs.flatMap((m) => ('ok' in m ? (m.ok ? m.feed.items : []) : m.items)).map((i) => i.identityKey);
      assert.deepEqual(keys, Array.from({ length: n }, (_, i) => `k${i}`));
    });
  }
  it('an error reply is one message', () => {
    assert.equal(replyMessages({ id: 1, ok: false, error: { name: 'ParseError', code: 'x', message: 'm' } as never }).length, 1);
  });
});


/** OS threads of this process (Linux /proc): a worker thread that stopped is gone from the count. */
function threadCount(): number {
  return Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]);
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) if (check()) return true;
  return check();
}

describe('createFeedProcessor', () => {
  const processors: FeedProcessor[] = [];
  const make = (...args: Parameters<typeof createFeedProcessor>): FeedProcessor => {
    const p = createFeedProcessor(...args);
    processors.push(p);
    return p;
  };
  after(async () => {
    await Promise.all(processors.map((p) => p.close()));
  });

  it('a document above the threshold goes through the worker (items in slices) and equals the inline result', async () => {
    const bytes = bigFeed(450);
    const p = make({ workerThresholdBytes: 1024 });
    const [threaded, inline] = await Promise.all([p.process(bytes, OPTS), processFeedInline(bytes, OPTS)]);
    assert.equal(threaded.items.length, 450);
    assert.deepEqual(threaded, inline);
  });

  it('a worker idle for idleMs stops (its thread goes away) and the next document starts one again', async () => {
    const p = make({ workerThresholdBytes: 0, idleMs: 300 });
    const before = threadCount();
    assert.equal((await p.process(bigFeed(20), OPTS)).items.length, 20);
    const busy = threadCount();
    assert.ok(busy > before, `a worker thread started (${before} → ${busy})`);
    assert.ok(await until(() => threadCount() < busy, 10_000), 'the idle worker stopped');
    assert.equal((await p.process(bigFeed(30), OPTS)).items.length, 30);
  });

  it('keeps the event loop turning while a large document is processed', async function () {
    // 6,000 items through a worker: about 30 s at a load average of 18 on two cores. The check
    // is the turns counted, not the time taken.
    this.timeout(120_000);
    const bytes = bigFeed(6000);
    assert.ok(bytes.length > 2_000_000);
    const p = make({ workerThresholdBytes: 1024 });
    let done = false;
    let ticks = 0;
    const work = p.process(bytes, OPTS).finally(() => (done = true));
    while (!done) {
      await new Promise((r) => setImmediate(r));
      ticks++;
    }
    assert.equal((await work).items.length, 6000);
    assert.ok(ticks > 10, `only ${ticks} event-loop turns while the worker parsed`);
  });

  it('typed errors cross back from the worker with code and message', async () => {
    const p = make({ workerThresholdBytes: 10 });
    const html = Buffer.from('<!DOCTYPE html><html><head><title>x</title></head><body>a page, not a feed</body></html>');
    await assert.rejects(p.process(html, OPTS), (e: unknown) => e instanceof ParseError && e.code === 'not_a_feed' && e.message === 'parse: not a feed (got an HTML page)');
    await assert.rejects(p.process(Buffer.from('<rss version="2.0"><channel><item></channel></rss>'), OPTS), (e: unknown) => e instanceof ParseError && e.code === 'parse_failed' && /^parse: malformed XML at line 1/.test(e.message));
  });

  it('small documents run inline; a crashed worker is replaced', async () => {
    const p = make({ workerThresholdBytes: 5000, workerUrl: CRASHING });
    // Under the threshold: never reaches the (crashing) worker.
    const small = Buffer.from('<rss version="2.0"><channel><title>CRASH-NOW</title><item><guid>a</guid><title>a</title></item></channel></rss>');
    assert.equal((await p.process(small, OPTS)).items.length, 1);
    await assert.rejects(p.process(bigFeed(50, 'CRASH-NOW'), OPTS), (e: unknown) => e instanceof WirefeedError && e.code === 'worker_crashed');
    assert.equal((await p.process(bigFeed(50), OPTS)).items.length, 50);
  });

  // Each case: one document through a worker with a small heap, then an ordinary document
  // through the same processor (the next source must not pay for the one before).
  const heapCases: { name: string; heapMb: number; items: number; tooLarge: boolean }[] = [
    { name: '50 items fit in 16 MiB', heapMb: 16, items: 50, tooLarge: false },
    { name: '20,000 items (8 MiB) do not fit in 16 MiB', heapMb: 16, items: 20_000, tooLarge: true },
    { name: '3,000 items fit in the default heap', heapMb: PARSE_HEAP_MB, items: 3000, tooLarge: false },
  ];
  for (const c of heapCases) {
    it(`heap limit: ${c.name}; the next document still succeeds`, async function () {
      this.timeout(120_000);
      const p = make({ workerThresholdBytes: 0, heapMb: c.heapMb });
      const work = p.process(bigFeed(c.items), OPTS);
      if (c.tooLarge) {
        await assert.rejects(work, (e: unknown) => e instanceof ParseError && e.code === 'too_large_to_parse' && new RegExp(`^parse: document too large to parse in ${c.heapMb} MiB \\(\\d+\\.\\d MiB body`).test(e.message));
      } else {
        assert.equal((await work).items.length, c.items);
      }
      assert.equal((await p.process(bigFeed(30), OPTS)).items.length, 30);
    });
  }

  it('queues more jobs than workers and answers each', async () => {
    const p = make({ workerThresholdBytes: 1024, workers: 2 });
    const results = await Promise.all([10, 20, 30, 40, 50].map((n) => p.process(bigFeed(n), OPTS)));
    assert.deepEqual(results.map((r) => r.items.length), [10, 20, 30, 40, 50]);
  });

  it('close() terminates workers and refuses further work', async () => {
    const p = createFeedProcessor({ workerThresholdBytes: 1024 });
    assert.equal((await p.process(bigFeed(20), OPTS)).items.length, 20);
    await p.close();
    await assert.rejects(p.process(bigFeed(20), OPTS), (e: unknown) => e instanceof WirefeedError && e.code === 'processor_closed');
  });
});

describe('demo feeds', () => {
  const DEMO = new URL('../data/demo/', import.meta.url);
  const FEEDS: [string, string, number][] = [
    ['world.rss.xml', 'rss2', 4],
    ['tech.atom.xml', 'atom10', 4],
    ['culture.feed.json', 'json11', 4],
  ];
  for (const [file, format, count] of FEEDS) {
    it(`${file} parses into ${count} items with absolute URLs`, async () => {
      const feed = await processFeedInline(readFileSync(new URL(file, DEMO)), { documentUrl: `http://127.0.0.1:8080/demo/${file}`, now: '2026-12-31T00:00:00.000Z' });
      assert.equal(feed.meta.format, format);
      assert.equal(feed.items.length, count);
      for (const item of feed.items) {
        assert.match(item.url ?? '', /^http:\/\/127\.0\.0\.1:8080\/demo\/stories\//);
        assert.ok(item.title && item.summary, `${item.identityKey} has a title and a summary`);
        assert.ok(item.authors.length > 0 && item.categories.length > 0);
        assert.match(item.publishedAt!, /^2026-/);
        for (const a of item.assets) assert.match(a.url, /^http:\/\/127\.0\.0\.1:8080\/demo\/images\/[a-z]+\.svg$/);
      }
      assert.ok(feed.items.some((i) => i.assets[0]?.caption && i.assets[0]?.credit), 'a captioned, credited image');
      assert.deepEqual(feed.lint.map((l) => l.code).filter((c) => c !== 'relative_links' && c !== 'html_in_title'), []);
    });
  }
});
