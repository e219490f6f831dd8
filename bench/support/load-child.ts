// Child process: HTTP load with autocannon against the wirefeed server, bounded in time.
import { createRequire } from 'node:module';
import { serveParent, type Msg } from './child.js';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as (opts: Record<string, unknown>) => Promise<{
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  requests: { total: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}>;

serveParent(async (m: Msg) => {
  if (m.type !== 'load') return;
  const paths = m.paths as string[];
  const r = await autocannon({
    url: m.url as string,
    connections: (m.connections as number) ?? 10,
    duration: m.seconds as number,
    requests: paths.map((p) => ({ method: 'GET', path: p, headers: { 'accept-encoding': 'gzip' } })),
  });
  return { type: 'load-done', p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, requests: r.requests.total, rps: r.requests.average, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts };
});
