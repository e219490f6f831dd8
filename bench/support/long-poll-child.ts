// Child process for the long-polling benchmark: either the real wirefeed server (startServer on
// a temp SQLite file, compiled dist/ as shipped) or the baseline, a raw node:http server that
// holds requests the same way and answers them all from one in-process event with the same
// bytes. The parent's load generator holds the requests; this side reports when the new story
// was committed (or the baseline's event fired), how many are held, and its RSS.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RunningServer } from '../../src/main.js';
import { onParentExit, serveParent, type Msg } from './child.js';

const base = process.env.WIREFEED_BENCH_SOURCE === '1' ? '../../src/' : '../../dist/src/';

let server: RunningServer | undefined;
let raw: http.Server | undefined;
let held: http.ServerResponse[] = [];
let sourceId = 0;
let n = 0;

onParentExit(async () => {
  if (server) await server.stop();
  raw?.closeAllConnections();
});

function story(i: number) {
  return {
    identityKey: `story-${i}`,
    identityKind: 'guid' as const,
    guid: `story-${i}`,
    url: `https://wire.example.com/story-${i}`,
    title: `Story ${i}`,
    summary: 'A wire story of ordinary size for the long-polling benchmark.',
    contentHtml: '<p>Body.</p>'.repeat(20),
    authors: [{ name: 'Wire Staff' }],
    categories: [{ term: 'World' }],
    publishedAt: new Date().toISOString(),
    assets: [],
    contentHash: `hash-${i}-${Date.now()}`,
  };
}

serveParent(async (m: Msg) => {
  switch (m.type) {
    case 'init-wirefeed': {
      const { loadConfig } = (await import(`${base}config.js`)) as typeof import('../../src/config.js');
      const { silentLogger } = (await import(`${base}log.js`)) as typeof import('../../src/log.js');
      const { startServer } = (await import(`${base}main.js`)) as typeof import('../../src/main.js');
      const config = loadConfig({
        WIREFEED_DATA_DIR: m.dataDir as string,
        WIREFEED_DEMO: '0',
        WIREFEED_SCHEDULER: '0',
        WIREFEED_ADMIN_TOKEN: 'bench-admin-token-0123456789',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
      });
      server = await startServer(config, silentLogger());
      const now = new Date().toISOString();
      sourceId = (await server.core.storage.sources.create({ url: 'https://wire.example.com/feed.xml', slug: 'wire', nextFetchAt: now, now })).id;
      await server.core.storage.ingest.recordFetch({ sourceId, startedAt: now, ms: 1, outcome: 'modified', warnings: [], items: [story(n++)], now, source: { lastFetchedAt: now } });
      return { type: 'ready', port: server.port, cursor: await server.core.storage.articles.maxSeq() };
    }
    case 'init-raw': {
      const body = Buffer.from(m.body as string);
      raw = http.createServer((_req, res) => {
        held.push(res);
      });
      raw.on('listening', () => undefined);
      await new Promise<void>((r) => raw!.listen(0, '127.0.0.1', r));
      (raw as http.Server & { body?: Buffer }).body = body;
      return { type: 'ready', port: (raw.address() as AddressInfo).port, cursor: 0 };
    }
    case 'held':
      return { type: 'held', held: server ? server.core.feeds.held : held.length, rssMB: process.memoryUsage().rss / 2 ** 20 };
    case 'publish': {
      // The commit time is taken before the write starts: answers are timed from no later than the commit.
      const at = Date.now();
      if (server) {
        const now = new Date().toISOString();
        await server.core.storage.ingest.recordFetch({ sourceId, startedAt: now, ms: 1, outcome: 'modified', warnings: [], items: [story(n++)], now, source: { lastFetchedAt: now } });
      } else {
        const body = (raw as http.Server & { body: Buffer }).body;
        const all = held;
        held = [];
        for (const res of all) res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length }).end(body);
      }
      return { type: 'published', at };
    }
  }
});
