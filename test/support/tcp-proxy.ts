// A loopback TCP relay in front of the test PostgreSQL server, to take the database away from
// one instance without touching the shared server: `cut` drops every connection and refuses new
// ones (server down), `freeze` stops relaying bytes without closing anything (a network
// partition: both ends believe the connection is alive), `restore` relays again (held bytes
// included).
import net from 'node:net';

export interface TcpProxy {
  readonly port: number;
  cut(): void;
  freeze(): void;
  restore(): void;
  close(): Promise<void>;
}

type Mode = 'open' | 'cut' | 'frozen';

interface Pair {
  client: net.Socket;
  upstream?: net.Socket;
  /** Bytes each way received while frozen (or before the upstream connected). */
  toUpstream: Buffer[];
  toClient: Buffer[];
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: Mode = 'open';
  const pairs = new Set<Pair>();

  const drop = (p: Pair): void => {
    pairs.delete(p);
    p.client.destroy();
    p.upstream?.destroy();
  };

  const connectUpstream = (p: Pair): void => {
    const up = net.connect(target.port, target.host);
    p.upstream = up;
    up.on('data', (d: Buffer) => (mode === 'frozen' ? p.toClient.push(d) : p.client.write(d)));
    up.on('error', () => drop(p));
    up.on('close', () => drop(p));
    flush(p);
  };

  const flush = (p: Pair): void => {
    if (!p.upstream) return;
    for (const d of p.toUpstream.splice(0)) p.upstream.write(d);
    for (const d of p.toClient.splice(0)) p.client.write(d);
  };

  const server = net.createServer((client) => {
    if (mode === 'cut') {
      client.destroy();
      return;
    }
    const p: Pair = { client, toUpstream: [], toClient: [] };
    pairs.add(p);
    client.on('data', (d: Buffer) => (mode === 'frozen' || !p.upstream ? p.toUpstream.push(d) : p.upstream.write(d)));
    client.on('error', () => drop(p));
    client.on('close', () => drop(p));
    if (mode === 'open') connectUpstream(p);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      mode = 'cut';
      for (const p of [...pairs]) drop(p);
    },
    freeze() {
      mode = 'frozen';
    },
    restore() {
      mode = 'open';
      for (const p of pairs) {
        if (p.upstream) flush(p);
        else connectUpstream(p);
      }
    },
    async close() {
      for (const p of [...pairs]) drop(p);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
