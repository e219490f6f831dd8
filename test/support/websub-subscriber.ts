// A WebSub subscriber on loopback, written from the spec's subscriber requirements, for the hub
// tests: it confirms only the intents it declared (§5.3.1: echo hub.challenge, else 404),
// checks X-Hub-Signature on pushes (§8) and records everything it saw. Runs in-process or, via
// websub-subscriber-child.ts, as a separate process.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Verification {
  mode: string;
  topic: string;
  challenge: string;
  leaseSeconds?: string;
  /** What we answered. */
  status: number;
  path: string;
}

export interface Push {
  path: string;
  contentType?: string;
  link?: string;
  signature?: string;
  /** true/false: signature checked against the secret; undefined: no secret or no signature. */
  valid?: boolean;
  body: Buffer;
  at: number;
}

export interface TestSubscriber {
  origin: string;
  /** A callback URL on this subscriber (unique per call unless a name is given). */
  callback(name?: string): string;
  /** Declares intent: the next verification of (mode, topic) on any callback is confirmed. */
  intend(mode: 'subscribe' | 'unsubscribe', topic: string): void;
  /** Stops confirming an intent (answers 404 from now on). */
  forget(mode: 'subscribe' | 'unsubscribe', topic: string): void;
  secret?: string;
  /** How the next pushes are answered (each entry used once), e.g. [500, 500] then 2xx. */
  failNext: number[];
  /** How a verification is answered instead of echoing: 'wrong-echo' | a status code. */
  verifyAnswer?: 'wrong-echo' | number;
  verifications: Verification[];
  pushes: Push[];
  waitFor<T>(fn: () => T | undefined, what: string, ms?: number): Promise<T>;
  close(): Promise<void>;
}

export function signatureValid(secret: string, header: string | undefined, body: Buffer): boolean | undefined {
  if (header === undefined) return undefined;
  const m = /^(sha1|sha256|sha384|sha512)=([0-9a-f]+)$/i.exec(header.trim());
  if (!m) return false;
  const want = createHmac(m[1]!.toLowerCase(), secret).update(body).digest();
  const got = Buffer.from(m[2]!, 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

export async function startSubscriber(opts: { secret?: string; onEvent?: (e: { kind: 'verification'; v: Verification } | { kind: 'push'; p: Push }) => void } = {}): Promise<TestSubscriber> {
  const intents = new Set<string>();
  let n = 0;
  const sub: TestSubscriber = {
    origin: '',
    callback: (name) => `${sub.origin}/cb/${name ?? `c${++n}`}`,
    intend: (mode, topic) => void intents.add(`${mode} ${topic}`),
    forget: (mode, topic) => void intents.delete(`${mode} ${topic}`),
    secret: opts.secret,
    failNext: [],
    verifications: [],
    pushes: [],
    async waitFor(fn, what, ms = 5_000) {
      const end = Date.now() + ms;
      for (;;) {
        const v = fn();
        if (v !== undefined) return v;
        if (Date.now() > end) throw new Error(`subscriber: timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: async () => {},
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET') {
      const mode = url.searchParams.get('hub.mode') ?? '';
      const topic = url.searchParams.get('hub.topic') ?? '';
      const challenge = url.searchParams.get('hub.challenge') ?? '';
      const intended = intents.has(`${mode} ${topic}`) && challenge !== '';
      const answer = sub.verifyAnswer;
      let status = intended ? 200 : 404;
      let body = intended ? challenge : 'no such intent';
      if (intended && answer === 'wrong-echo') body = `${challenge}x`;
      else if (intended && typeof answer === 'number') {
        status = answer;
        body = challenge;
      }
      const v: Verification = { mode, topic, challenge, leaseSeconds: url.searchParams.get('hub.lease_seconds') ?? undefined, status, path: url.pathname };
      sub.verifications.push(v);
      opts.onEvent?.({ kind: 'verification', v });
      if (status >= 300 && status < 400) res.setHeader('Location', `${sub.origin}/elsewhere`);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const signature = req.headers['x-hub-signature'] as string | undefined;
      const p: Push = {
        path: url.pathname,
        contentType: req.headers['content-type'],
        link: req.headers.link as string | undefined,
        signature,
        valid: sub.secret === undefined ? undefined : (signatureValid(sub.secret, signature, body) ?? false),
        body,
        at: Date.now(),
      };
      sub.pushes.push(p);
      opts.onEvent?.({ kind: 'push', p });
      const fail = sub.failNext.shift();
      res.writeHead(fail ?? 202).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  sub.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sub.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return sub;
}

/** Sends a form-encoded hub request, as a subscriber does (§5.1). */
export async function hubRequest(hub: string, form: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await fetch(hub, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  return { status: res.status, text: await res.text() };
}
