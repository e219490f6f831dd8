// Child process: the scheduler bench's baseline. A bare conditional-GET loop with undici
// request() (same keep-alive agent settings, timeouts, global and per-host limits as the
// fetcher), bodies discarded, validators kept in a Map between cycles.
import { Agent, request } from 'undici';
import { createHostLimiter } from '../../src/services/host-limiter.js';
import { serveParent, type Msg } from './child.js';

const etags = new Map<string, string>();

serveParent(async (m: Msg) => {
  if (m.type !== 'cycle') return;
  const urls = m.urls as string[];
  const timeoutMs = m.timeoutMs as number;
  const limiter = createHostLimiter(m.concurrency as number, m.perHost as number);
  const agent = new Agent({ connections: 4, keepAliveTimeout: 4_000, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
  const statuses: Record<string, number> = {};
  const t0 = performance.now();
  await Promise.all(
    urls.map((url) =>
      limiter.run(new URL(url).host, async () => {
        try {
          const etag = etags.get(url);
          const res = await request(url, { dispatcher: agent, headers: etag ? { 'if-none-match': etag } : {}, signal: AbortSignal.timeout(timeoutMs) });
          await res.body.dump({ limit: 64 * 1024 * 1024 });
          const e = res.headers.etag;
          if (typeof e === 'string') etags.set(url, e);
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        } catch {
          statuses.error = (statuses.error ?? 0) + 1;
        }
      }),
    ),
  );
  const ms = performance.now() - t0;
  await agent.close();
  return { type: 'cycle-done', ms, statuses };
});
