// Child process: a loopback fleet of feed servers, one per address 127.0.0.2 … 127.0.0.(1+hosts)
// (or distinct ports on 127.0.0.1 when those cannot be bound). Source i is served at
// /s/<i>; the first `crowded` sources share host 0. Deterministic behaviours by source:
// 2% answer 500, 1% 404, 0.5% hang (a timeout for the client; cut after 10 s), 3% are slow
// (200–500 ms), the rest answer a small feed with an ETag. Sources with i % 10 < 6 keep
// version 1 and answer 304 to a matching If-None-Match; the others change every cycle
// (all of them in 'churn' mode). Records the max concurrent requests per host and the requests
// per source since the last reset (how many sources were fetched once, never, or more often).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FORMATS, generateFeed } from './corpus.js';
import { serveParent, type Msg } from './child.js';

interface Options {
  sources: number;
  hosts: number;
  crowded: number;
  items: number;
}

let opts: Options = { sources: 0, hosts: 0, crowded: 0, items: 5 };
let cycle = 1;
let churn = false;
const servers: http.Server[] = [];
const active = new Map<string, number>();
const maxActive = new Map<string, number>();
let requests = 0;
let perSource = new Uint32Array(0);
const bodies = new Map<number, { version: number; bytes: Buffer; type: string }>();

export type Behaviour = 'ok' | 'slow' | 'e500' | 'e404' | 'hang';
export function behaviourOf(i: number): Behaviour {
  const r = Math.imul(i + 1, 2654435761) >>> 0;
  const b = r % 1000;
  if (b < 20) return 'e500';
  if (b < 30) return 'e404';
  if (b < 35) return 'hang';
  if (b < 65) return 'slow';
  return 'ok';
}
export const keepsVersion = (i: number): boolean => i % 10 < 6;

function versionOf(i: number): number {
  return churn || !keepsVersion(i) ? cycle : 1;
}

function feedFor(i: number): { version: number; bytes: Buffer; type: string } {
  const version = versionOf(i);
  const hit = bodies.get(i);
  if (hit && hit.version === version) return hit;
  const f = generateFeed({ key: `s${i}`, format: FORMATS[i % FORMATS.length]!, items: opts.items, version, firstItem: 100 + version, paragraphs: 1, seed: i });
  const entry = { version, bytes: f.bytes, type: f.contentType };
  bodies.set(i, entry);
  return entry;
}

function handler(hostKey: string) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    requests++;
    const n = (active.get(hostKey) ?? 0) + 1;
    active.set(hostKey, n);
    if (n > (maxActive.get(hostKey) ?? 0)) maxActive.set(hostKey, n);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      active.set(hostKey, (active.get(hostKey) ?? 1) - 1);
    };
    res.on('finish', finish);
    res.on('close', finish);
    const m = /^\/s\/(\d+)$/.exec(req.url ?? '');
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const i = Number(m[1]);
    if (i < perSource.length) perSource[i]!++;
    const answer = () => {
      if (res.destroyed) return;
      const f = feedFor(i);
      const etag = `"s${i}-v${f.version}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag }).end();
        return;
      }
      res.writeHead(200, { 'content-type': f.type, etag, 'content-length': f.bytes.length, 'cache-control': 'max-age=60' }).end(f.bytes);
    };
    switch (behaviourOf(i)) {
      case 'e500':
        res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
        return;
      case 'e404':
        res.writeHead(404, { 'content-type': 'text/plain' }).end('nope');
        return;
      case 'hang': {
        const t = setTimeout(() => res.destroy(), 10_000);
        res.on('close', () => clearTimeout(t));
        return;
      }
      case 'slow':
        setTimeout(answer, 200 + ((i * 37) % 300));
        return;
      default:
        answer();
    }
  };
}

async function listen(host: string, key: string): Promise<number> {
  const srv = http.createServer({ keepAliveTimeout: 30_000 }, handler(key));
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, host, () => resolve());
  });
  servers.push(srv);
  return (srv.address() as AddressInfo).port;
}

serveParent(async (m: Msg) => {
  switch (m.type) {
    case 'start': {
      opts = { ...opts, ...(m.opts as Options) };
      perSource = new Uint32Array(opts.sources);
      const origins: string[] = [];
      let distinctAddresses = true;
      try {
        for (let h = 0; h < opts.hosts; h++) {
          const host = `127.0.0.${2 + h}`;
          origins.push(`http://${host}:${await listen(host, host)}`);
        }
      } catch {
        // Fallback: distinct ports on 127.0.0.1 (each port is its own "host" for the limiter).
        distinctAddresses = false;
        for (const s of servers.splice(0)) s.close();
        origins.length = 0;
        for (let h = 0; h < opts.hosts; h++) {
          const port = await listen('127.0.0.1', `h${h}`);
          origins.push(`http://127.0.0.1:${port}`);
        }
      }
      const urls = Array.from({ length: opts.sources }, (_, i) => {
        const h = i < opts.crowded ? 0 : 1 + ((i - opts.crowded) % (opts.hosts - 1));
        return `${origins[h]}/s/${i}`;
      });
      const counts: Record<string, number> = {};
      for (let i = 0; i < opts.sources; i++) counts[behaviourOf(i)] = (counts[behaviourOf(i)] ?? 0) + 1;
      return { type: 'started', urls, crowdedOrigin: origins[0], distinctAddresses, counts };
    }
    case 'cycle':
      cycle = m.cycle as number;
      churn = !!m.churn;
      return { type: 'cycled' };
    case 'reset':
      maxActive.clear();
      requests = 0;
      perSource.fill(0);
      return { type: 'reset-done' };
    case 'stats': {
      let max = 0;
      for (const v of maxActive.values()) max = Math.max(max, v);
      const crowded = servers[0] ? (() => { const a = servers[0]!.address() as AddressInfo; return a.address === '127.0.0.1' ? 'h0' : a.address; })() : '';
      const fetched = { once: 0, never: 0, more: 0 };
      for (const n of perSource) fetched[n === 1 ? 'once' : n === 0 ? 'never' : 'more']++;
      return { type: 'stats', maxPerHost: max, crowdedMax: maxActive.get(crowded) ?? 0, requests, fetched };
    }
  }
});
