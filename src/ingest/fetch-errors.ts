// What a failed fetch says: whatever undici, node:net, node:tls or zlib threw, or the deadline
// or the caller aborted with, becomes one FetchError with a code the schedule acts on
// (timeout, network, …) and a message an operator can read. Shared by the feed fetcher and the
// WebSub callback client (fetch.ts).
import { FetchError, ValidationError, errorMessage } from '../errors.js';

const NETWORK_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed temporarily',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed',
  UND_ERR_SOCKET: 'connection closed by the server',
  CERT_HAS_EXPIRED: 'TLS certificate expired',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed TLS certificate',
  ERR_TLS_CERT_ALTNAME_INVALID: 'TLS certificate does not match the host',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'TLS certificate cannot be verified',
};

/** Maps whatever undici, node:net or zlib threw to one FetchError with a readable message. */
export function toFetchError(err: unknown, deadline: AbortSignal, timeoutMs: number, connectTimeoutMs: number): FetchError {
  if (err instanceof FetchError && err.code === 'body_budget') return err;
  if (deadline.aborted && deadline.reason instanceof FetchError) return deadline.reason;
  if (err instanceof FetchError) return err;
  if (err instanceof ValidationError) return new FetchError(`fetch: ${err.message}`, { cause: err, code: err.code });
  const code = String((err as { code?: unknown })?.code ?? '');
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new FetchError(`fetch: connect timed out after ${connectTimeoutMs} ms`, { cause: err, code: 'timeout' });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new FetchError(`fetch: timed out after ${timeoutMs} ms`, { cause: err, code: 'timeout' });
  }
  const cause = (err as { cause?: unknown })?.cause;
  if (cause instanceof FetchError) return cause;
  const what = NETWORK_ERRORS[code];
  return new FetchError(`fetch: ${what ? `${what} (${code})` : errorMessage(err)}`, { cause: err, code: 'network' });
}
