// A loopback HTTP server serving canned responses by path, for end-to-end tests.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Canned {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Delay before answering, ms. */
  delayMs?: number;
}

export interface FixtureServer {
  origin: string;
  port: number;
  routes: Map<string, Canned>;
  hits: string[];
  close(): Promise<void>;
}

export async function startFixtureServer(routes: Record<string, Canned> = {}): Promise<FixtureServer> {
  const map = new Map(Object.entries(routes));
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    const c = map.get(req.url ?? '');
    const answer = () => {
      if (!c) {
        res.writeHead(404).end('not found');
        return;
      }
      res.writeHead(c.status ?? 200, c.headers ?? {});
      res.end(c.body ?? '');
    };
    if (c?.delayMs) setTimeout(answer, c.delayMs);
    else answer();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    routes: map,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
