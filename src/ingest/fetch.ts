// Fetching one feed URL safely (DESIGN.md §1 step 3): conditional GET with undici request() on our
// own keep-alive Agent, manual redirects with the private-network guard on every hop and again on
// the resolved address at connect time, a total deadline that really aborts, and a cap on the
// decompressed body. The one home of undici (DESIGN.md §2).
import { STATUS_CODES } from 'node:http';
import type { Agent, Dispatcher, buildConnector } from 'undici';
import { FetchError, ValidationError } from '../errors.js';
import { toFetchError } from './fetch-errors.js';
import type { ByteBudget } from './byte-budget.js';
import { drop, header, readBody, startDeadline, tooLarge, type Deadline, type Headers } from './fetch-body.js';
import { freshnessSeconds, retryAfterUntil } from './http-dates.js';
import {
  createGuardedLookup,
  isAllowlisted,
  literalAddressError,
  lookupFrom,
  validateFeedUrl,
  type NetPolicy,
  type ResolveHost,
} from './net-guard.js';
import type { FetchFeed, FetchOptions, FetchRequest, FetchResult, RedirectHop } from './types.js';

const ACCEPT =
  'application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8';
const ACCEPT_ENCODING = 'gzip, deflate, br';
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const DEFAULT_MAX_REDIRECTS = 5;
/** Connect (DNS + TCP + TLS) gets its own, shorter budget inside the total deadline. */
const MAX_CONNECT_TIMEOUT_MS = 10_000;
/**
 * Connections per origin. Politeness per host is the refresh limiter's (WIREFEED_PER_HOST_
 * CONCURRENCY); this pool must not be a second, hidden queue: a body paused while the fetch
 * budget is spent keeps its socket, and requests queued behind it here would spend their
 * deadline waiting (with 4, 40 of 80 valid big documents timed out in bench hostile-memory).
 */
const CONNECTIONS_PER_ORIGIN = 16;

const connectTimeoutMs = (timeoutMs: number): number => Math.min(timeoutMs, MAX_CONNECT_TIMEOUT_MS);

export interface FetcherDeps {
  /** Host name resolution; tests inject one so no real DNS is needed. Defaults to dns.lookup. */
  resolve?: ResolveHost;
  /**
   * Bytes of body held across all fetches in flight: every chunk is counted against it while it
   * is read (reading waits while the budget is spent), and a body's bytes stay counted until its
   * caller calls the result's release(). Without one, bodies are bounded only one by one.
   */
  budget?: ByteBudget;
}

export interface Fetcher {
  fetchFeed: FetchFeed;
  /** Closes idle keep-alive connections and refuses new fetches. */
  close(): Promise<void>;
}

async function discard(body: Dispatcher.ResponseData['body']): Promise<void> {
  // Reading a small remainder lets the connection be reused; dump() destroys it past the limit.
  await body.dump({ limit: 64 * 1024 }).catch(() => {});
}

/**
 * An undici Agent whose every new connection passes the private-network guard: exempt hosts
 * connect normally; others must be a global IP literal or a name whose resolved addresses are
 * all global (checked in lookup, so DNS rebinding is caught too).
 */
function guardedAgent(undici: Undici, policy: NetPolicy, o: { timeoutMs: number; connections: number; resolve?: ResolveHost }): Agent {
  const { Agent, buildConnector } = undici;
  const connectTimeout = connectTimeoutMs(o.timeoutMs);
  const openLookup = o.resolve ? { lookup: lookupFrom(o.resolve) } : {};
  const openConnect = buildConnector({ timeout: connectTimeout, ...openLookup });
  const guardedConnect = buildConnector({ timeout: connectTimeout, lookup: createGuardedLookup(o.resolve) });
  const connect: buildConnector.connector = (c, cb) => {
    const port = c.port || (c.protocol === 'https:' ? '443' : '80');
    if (policy.allowPrivateNetworks || isAllowlisted(c.hostname, port, policy.allowlist)) return openConnect(c, cb);
    const refused = literalAddressError(c.hostname);
    if (refused) return cb(refused, null);
    return guardedConnect(c, cb);
  };
  return new Agent({
    connect,
    connections: o.connections,
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 60_000,
    headersTimeout: o.timeoutMs,
    bodyTimeout: o.timeoutMs,
  });
}

type Undici = typeof import('undici');

interface LazyAgent {
  /** undici's request() and the agent, both made on the first call. */
  get(): Promise<{ request: Undici['request']; agent: Agent }>;
  close(): Promise<void>;
}

/**
 * undici is imported on the first request, not at start-up: a process that never fetches over
 * the network (a serve-only instance with WIREFEED_SCHEDULER=0, the offline demo) does not
 * carry it (≈ 15 MB of RSS). After close() a first request meets a closed agent, as it would
 * have with an agent made up front.
 */
function lazyAgent(make: (undici: Undici) => Agent): LazyAgent {
  let ready: Promise<{ request: Undici['request']; agent: Agent }> | undefined;
  let closed = false;
  return {
    get: () =>
      (ready ??= import('undici').then((undici) => {
        const agent = make(undici);
        if (closed) void agent.close();
        return { request: undici.request, agent };
      })),
    async close() {
      closed = true;
      if (ready) await (await ready).agent.close();
    },
  };
}

export function createFetcher(opts: FetchOptions, deps: FetcherDeps = {}): Fetcher {
  const policy: NetPolicy = { allowPrivateNetworks: opts.allowPrivateNetworks, allowlist: opts.privateNetworkAllowlist };
  const maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const clock = opts.now ?? (() => new Date());

  const client = lazyAgent((undici) => guardedAgent(undici, policy, { timeoutMs: opts.timeoutMs, connections: CONNECTIONS_PER_ORIGIN, resolve: deps.resolve }));

  function validate(raw: string, context: string): URL {
    try {
      return validateFeedUrl(raw, policy);
    } catch (err) {
      if (err instanceof ValidationError) throw new FetchError(`fetch: ${context}${err.message}`, { cause: err, code: err.code });
      throw err;
    }
  }

  async function follow(req: FetchRequest, signal: AbortSignal, deadline: Deadline, startedAt: number): Promise<FetchResult> {
    let url = validate(req.url, '');
    const requestHeaders: Record<string, string> = {
      'user-agent': opts.userAgent,
      accept: ACCEPT,
      'accept-encoding': ACCEPT_ENCODING,
    };
    // Validators go on every hop: they were stored from the final response of the last fetch.
    if (req.etag) requestHeaders['if-none-match'] = req.etag;
    if (req.lastModified) requestHeaders['if-modified-since'] = req.lastModified;
    const redirects: RedirectHop[] = [];
    const visited = new Set([url.href]);
    const { request, agent } = await client.get();

    for (;;) {
      const res = await request(url, { dispatcher: agent, method: 'GET', headers: requestHeaders, signal });
      const status = res.statusCode;
      const headers = res.headers as Headers;

      if (REDIRECT_STATUSES.has(status)) {
        await discard(res.body);
        const rawLocation = headers.location;
        const location = (Array.isArray(rawLocation) ? rawLocation[0] : rawLocation)?.trim();
        if (!location) {
          throw new FetchError(`fetch: HTTP ${status} redirect from ${url.href} has no Location header`, { httpStatus: status, code: 'bad_redirect' });
        }
        let next: URL;
        try {
          next = new URL(location, url); // RFC 9110 §10.2.2: relative to the request URL
        } catch {
          throw new FetchError(`fetch: HTTP ${status} redirect from ${url.href} to an invalid Location ${JSON.stringify(location)}`, { httpStatus: status, code: 'bad_redirect' });
        }
        next = validate(next.href, `redirect from ${url.href} refused: `);
        if (visited.has(next.href)) throw new FetchError(`fetch: redirect loop at ${next.href}`, { httpStatus: status, code: 'redirect_loop' });
        if (redirects.length >= maxRedirects) {
          throw new FetchError(`fetch: too many redirects (more than ${maxRedirects}) from ${req.url}`, { httpStatus: status, code: 'too_many_redirects' });
        }
        redirects.push({ from: url.href, to: next.href, status });
        visited.add(next.href);
        url = next;
        continue;
      }

      const now = clock();
      const permanent = redirects.length > 0 && redirects.every((r) => r.status === 301 || r.status === 308);
      const common = {
        finalUrl: url.href,
        redirects,
        status,
        ...(permanent ? { permanentUrl: url.href } : {}),
      };
      const etag = header(headers, 'etag');
      const lastModified = header(headers, 'last-modified');
      const freshForS = freshnessSeconds(
        { cacheControl: header(headers, 'cache-control'), expires: header(headers, 'expires'), date: header(headers, 'date'), age: header(headers, 'age') },
        now,
      );
      const elapsed = () => Math.round(performance.now() - startedAt);

      if (status === 304) {
        await discard(res.body);
        return { kind: 'not-modified', ...common, ms: elapsed(), ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}), ...(freshForS !== undefined ? { freshForS } : {}) };
      }
      if (status === 410) {
        await discard(res.body);
        return { kind: 'gone', ...common, ms: elapsed() };
      }
      if (status === 429 || status === 503) {
        await discard(res.body);
        const until = retryAfterUntil(header(headers, 'retry-after'), now).toISOString();
        return { kind: 'retry-later', ...common, ms: elapsed(), until };
      }
      if (status >= 200 && status < 300 && status !== 206) {
        const lease = deps.budget?.lease();
        let body: Buffer;
        try {
          body = await readBody(res.body, headers, opts.maxBytes, lease && { lease, deadline, signal });
        } catch (err) {
          lease?.release();
          throw err;
        }
        const contentType = header(headers, 'content-type');
        const link = header(headers, 'link');
        return {
          kind: 'modified',
          ...common,
          ms: elapsed(),
          body,
          ...(lease ? { release: () => lease.release() } : {}),
          ...(contentType ? { contentType } : {}),
          ...(link ? { link } : {}),
          ...(etag ? { etag } : {}),
          ...(lastModified ? { lastModified } : {}),
          ...(freshForS !== undefined ? { freshForS } : {}),
        };
      }
      await discard(res.body);
      throw new FetchError(`fetch: HTTP ${status} ${STATUS_CODES[status] ?? 'Unknown Status'}`, { httpStatus: status, code: 'http_status' });
    }
  }

  const fetchFeed: FetchFeed = async (req, signal) => {
    if (signal?.aborted) throw new FetchError('fetch: aborted', { cause: signal.reason, code: 'aborted' });
    if (deps.budget) {
      // Wait while the body budget is spent, before taking a connection or starting the deadline:
      // a request opened now would only hold a socket (and other sources' turn at this host).
      // A full-size body must fit: then a body rarely has to wait half-way, holding its socket.
      await deps.budget.room(Math.min(opts.maxBytes, deps.budget.limit), signal).catch((cause: unknown) => {
        throw new FetchError('fetch: aborted while waiting for memory to read a body', { cause, code: 'aborted' });
      });
    }
    const startedAt = performance.now();
    // One controller carries both the total deadline (covering every hop and the body) and the
    // caller's signal; aborting it makes undici destroy the socket.
    const deadline = new AbortController();
    const timer = startDeadline(opts.timeoutMs, () => deadline.abort(new FetchError(`fetch: timed out after ${opts.timeoutMs} ms`, { code: 'timeout' })));
    const onAbort = () => deadline.abort(new FetchError('fetch: aborted', { cause: signal?.reason, code: 'aborted' }));
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await follow(req, deadline.signal, timer, startedAt);
    } catch (err) {
      throw toFetchError(err, deadline.signal, opts.timeoutMs, connectTimeoutMs(opts.timeoutMs));
    } finally {
      timer.clear();
      signal?.removeEventListener('abort', onAbort);
    }
  };

  return {
    fetchFeed,
    close: () => client.close(),
  };
}

// ---- WebSub callbacks (services/push.ts): the same guard, one request, no redirects ----

export interface CallbackRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: Buffer;
}

export interface CallbackResponse {
  status: number;
  /** The first `maxBodyBytes` of the body (the hub only ever needs the echoed challenge). */
  body: string;
  headers: Headers;
}

export interface CallbackClient {
  /**
   * One request to a subscriber's callback or a source's hub. Redirects are not followed
   * (WebSub §7: "subscribers MUST NOT use HTTP redirects"); the caller judges the status.
   * Throws FetchError for network failures, timeouts and guarded addresses.
   */
  send(req: CallbackRequest): Promise<CallbackResponse>;
  close(): Promise<void>;
}

export function createCallbackClient(
  opts: { timeoutMs: number; userAgent: string; allowPrivateNetworks: boolean; privateNetworkAllowlist: string[]; maxBodyBytes?: number; connections?: number },
  deps: FetcherDeps = {},
): CallbackClient {
  const policy: NetPolicy = { allowPrivateNetworks: opts.allowPrivateNetworks, allowlist: opts.privateNetworkAllowlist };
  const client = lazyAgent((undici) => guardedAgent(undici, policy, { timeoutMs: opts.timeoutMs, connections: opts.connections ?? 16, resolve: deps.resolve }));
  const maxBody = opts.maxBodyBytes ?? 16 * 1024;

  async function send(req: CallbackRequest): Promise<CallbackResponse> {
    const deadline = AbortSignal.timeout(opts.timeoutMs);
    try {
      const url = validateFeedUrl(req.url, policy, 'callback URL');
      const { request, agent } = await client.get();
      const res = await request(url, {
        dispatcher: agent,
        method: req.method,
        headers: { 'user-agent': opts.userAgent, ...req.headers },
        body: req.body,
        signal: deadline,
      });
      const chunks: Buffer[] = [];
      let n = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        if (n < maxBody) chunks.push(chunk);
        n += chunk.length;
        if (n >= maxBody) break;
      }
      if (n >= maxBody) drop(res.body);
      return { status: res.statusCode, body: Buffer.concat(chunks).subarray(0, maxBody).toString('utf8'), headers: res.headers as Headers };
    } catch (err) {
      if (deadline.aborted) throw new FetchError(`fetch: timed out after ${opts.timeoutMs} ms`, { cause: err, code: 'timeout' });
      throw toFetchError(err, deadline, opts.timeoutMs, connectTimeoutMs(opts.timeoutMs));
    }
  }

  return { send, close: () => client.close() };
}
