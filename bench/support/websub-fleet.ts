// Child process: N WebSub subscribers on one loopback port (/cb/<n>), for bench/websub.bench.ts.
// Confirms every verification (echoes hub.challenge), checks each push's X-Hub-Signature as a
// real subscriber must, and reports when the expected number of pushes has arrived.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveParent, onParentExit, toParent, type Msg } from './child.js';

let secret = '';
let expected = 0;
let count = 0;
let bad = 0;
let firstAt = 0;
let lastAt = 0;

const server = http.createServer((req, res) => {
  if (req.method === 'GET') {
    const url = new URL(req.url ?? '/', 'http://x');
    res.writeHead(200, { 'content-type': 'text/plain' }).end(url.searchParams.get('hub.challenge') ?? '');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const sig = String(req.headers['x-hub-signature'] ?? '');
    const want = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
    const got = Buffer.from(sig);
    if (got.length !== want.length || !timingSafeEqual(got, want)) bad++;
    res.writeHead(202).end();
    const now = Date.now();
    if (count === 0) firstAt = now;
    count++;
    lastAt = now;
    if (expected > 0 && count === expected) toParent({ type: 'done', count, bad, firstAt, lastAt });
  });
});

onParentExit(() => new Promise<void>((r) => server.close(() => r())));

serveParent(async (m: Msg) => {
  if (m.type === 'init') {
    secret = m.secret as string;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return { type: 'ready', origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }
  if (m.type === 'expect') {
    expected = m.count as number;
    count = bad = firstAt = lastAt = 0;
    return { type: 'expecting' };
  }
  return undefined;
});
