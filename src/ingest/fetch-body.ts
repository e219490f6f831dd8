// A fetched response body read safely (DESIGN.md §1 step 3): Content-Encoding decoded (gzip,
// deflate in either framing, br), and the decompressed size capped, so a small compressed body
// cannot expand past the limit. fetch.ts hands it undici's body stream.
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import { errorMessage, FetchError, WirefeedError } from '../errors.js';
import type { BodyLease } from './byte-budget.js';

export type Headers = Record<string, string | string[] | undefined>;

export function header(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function formatBytes(n: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (n >= size && n % (size / 1024) === 0) return `${Number((n / size).toFixed(2))} ${unit}`;
  }
  return `${n} bytes`;
}

/**
 * Inflates HTTP `deflate`. RFC 9110 §8.4.1.2 says that is the zlib format (RFC 1950), but some
 * servers send raw deflate (RFC 1951); the first two bytes tell them apart: a zlib header has
 * compression method 8 and is a multiple of 31 read as a big-endian number (RFC 1950 §2.2).
 */
class InflateAuto extends Transform {
  private inner?: zlib.Inflate | zlib.InflateRaw;
  private head: Buffer = Buffer.alloc(0);

  private start(): zlib.Inflate | zlib.InflateRaw {
    const h = this.head;
    const wrapped = h.length >= 2 && (h[0]! & 0x0f) === 8 && ((h[0]! << 8) | h[1]!) % 31 === 0;
    const inner = wrapped ? zlib.createInflate() : zlib.createInflateRaw();
    inner.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) inner.pause();
    });
    inner.on('error', (err) => this.destroy(err));
    this.inner = inner;
    return inner;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    let inner = this.inner;
    if (!inner) {
      this.head = this.head.length ? Buffer.concat([this.head, chunk]) : chunk;
      if (this.head.length < 2) return cb();
      inner = this.start();
      chunk = this.head;
      this.head = Buffer.alloc(0);
    }
    inner.write(chunk, () => cb());
  }

  override _read(size: number): void {
    this.inner?.resume();
    super._read(size);
  }

  override _flush(cb: TransformCallback): void {
    // A body shorter than two bytes never started the inflater: feed it what there is.
    const inner = this.inner ?? this.start();
    inner.once('end', () => cb());
    inner.end(this.head);
  }

  override _destroy(err: Error | null, cb: (error?: Error | null) => void): void {
    this.inner?.destroy();
    cb(err);
  }
}

function decoderFor(coding: string): Transform {
  switch (coding) {
    case 'gzip':
    case 'x-gzip': // RFC 9110 §8.4.1.3: recipients should treat x-gzip as gzip
      return zlib.createGunzip();
    case 'deflate':
      return new InflateAuto();
    case 'br':
      return zlib.createBrotliDecompress();
    default:
      throw new FetchError(`fetch: unsupported Content-Encoding ${JSON.stringify(coding)}`, { code: 'unsupported_encoding' });
  }
}

/** Content-Encoding codings in the order they were applied; identity dropped. */
function parseContentEncoding(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c && c !== 'identity');
}

export function tooLarge(maxBytes: number, stage: string): FetchError {
  return new FetchError(`fetch: body over ${formatBytes(maxBytes)}${stage} (limit WIREFEED_MAX_FEED_BYTES)`, { code: 'body_too_large' });
}

/**
 * Reads a response body, decoding its Content-Encoding, and fails as soon as more than maxBytes
 * arrive (raw) or come out of the decoders, so a decompression bomb is never inflated in full.
 */
/** The total deadline of one fetch, which can stop while the fetch waits on us rather than on the server. */
export interface Deadline {
  pause(): void;
  resume(): void;
  clear(): void;
}

export function startDeadline(ms: number, expire: () => void): Deadline {
  let left = ms;
  let since = performance.now();
  let timer: NodeJS.Timeout | undefined = setTimeout(expire, left);
  return {
    pause() {
      if (!timer) return;
      clearTimeout(timer);
      timer = undefined;
      left -= performance.now() - since;
    },
    resume() {
      if (timer) return;
      since = performance.now();
      timer = setTimeout(expire, Math.max(0, left));
    },
    clear() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}

/** The fetch budget (byte-budget.ts) a body is counted against while it is read. */
export interface BodyBudget {
  lease: BodyLease;
  /** Stopped while waiting for the budget: that wait is this process's, not the server's. */
  deadline: Deadline;
  signal: AbortSignal;
}

export async function readBody(body: Readable, headers: Headers, maxBytes: number, budget?: BodyBudget): Promise<Buffer> {
  const codings = parseContentEncoding(header(headers, 'content-encoding'));
  let decoders: Transform[];
  try {
    decoders = [...codings].reverse().map(decoderFor);
  } catch (err) {
    drop(body);
    throw err;
  }
  // Compressed bytes are capped too, with the slack incompressible data needs (deflate stores
  // it with ~5 bytes per 16 KiB block, brotli similar), so a body that fits decoded also fits raw.
  const rawLimit = codings.length ? maxBytes + Math.ceil(maxBytes / 64) + 1024 : maxBytes;
  const declared = Number(header(headers, 'content-length'));
  if (Number.isFinite(declared) && declared > rawLimit) {
    drop(body);
    throw tooLarge(maxBytes, codings.length ? ' before decompression' : '');
  }
  let raw = 0;
  let decoded: Readable = body;
  let decodeError: unknown;
  for (const d of decoders) d.once('error', (err) => (decodeError ??= err));
  if (decoders.length > 0) {
    body.on('data', (chunk: Buffer) => {
      raw += chunk.length;
      if (raw > rawLimit) body.destroy(tooLarge(maxBytes, ' before decompression'));
    });
    decoded = pipeline([body, ...decoders], () => {}) as unknown as Readable;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of decoded as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > maxBytes) throw tooLarge(maxBytes, '');
      // While this waits, nothing more is read: the socket and the decoders apply backpressure.
      if (budget && !budget.lease.tryGrow(chunk.length)) {
        budget.deadline.pause();
        try {
          await budget.lease.grow(chunk.length, budget.signal);
        } catch (cause) {
          throw new FetchError(`fetch: ${errorMessage(cause).replace(/^fetch: /, '')} while waiting for memory to read the body (other fetches hold the body budget)`, { cause, code: 'body_budget' });
        } finally {
          budget.deadline.resume();
        }
      }
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof WirefeedError) throw err;
    if (decodeError !== undefined && decodeError === err) {
      if (raw === 0) throw new FetchError('fetch: empty body', { code: 'empty_body' });
      throw new FetchError(`fetch: corrupt or truncated ${codings.join(', ')} body (${errorMessage(err)})`, { cause: err, code: 'bad_encoding' });
    }
    throw err;
  } finally {
    if (!body.destroyed && !body.readableEnded) drop(body);
  }
  if (total === 0) throw new FetchError('fetch: empty body', { code: 'empty_body' });
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

/** Destroys a body we will not read (the socket goes with it); undici then emits an abort error. */
export function drop(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}
