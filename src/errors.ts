// Typed errors. The message starts with the pipeline stage ("fetch: …", "parse: …") so a log
// line or a fetch-log row says where it failed; `cause` keeps the underlying error.

export class WirefeedError extends Error {
  /** Machine-readable code used by the HTTP error handler and the CLI. */
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export class ConfigError extends WirefeedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('config_invalid', message, options);
  }
}

/** Bad input from a user or client: maps to HTTP 400/409/422 and CLI exit code 2. */
export class ValidationError extends WirefeedError {
  readonly status: 400 | 409 | 422;
  readonly details?: unknown;
  constructor(code: string, message: string, status: 400 | 409 | 422 = 422, details?: unknown) {
    super(code, message);
    this.status = status;
    this.details = details;
  }
}

export class NotFoundError extends WirefeedError {
  constructor(message: string) {
    super('not_found', message);
  }
}

export class FetchError extends WirefeedError {
  /** HTTP status when the failure came from a response. */
  readonly httpStatus?: number;
  constructor(message: string, options?: { cause?: unknown; httpStatus?: number; code?: string }) {
    super(options?.code ?? 'fetch_failed', message, options);
    this.httpStatus = options?.httpStatus;
  }
}

export class DecodeError extends WirefeedError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('decode_failed', message, options);
  }
}

export class ParseError extends WirefeedError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'parse_failed', message, options);
  }
}

export class StorageError extends WirefeedError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'storage_failed', message, options);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * A typed error as plain data, to cross a worker-thread boundary: structured clone keeps
 * neither the class nor the extra fields (code, status), so callers could not tell a threaded
 * failure from an inline one.
 */
export interface SerializedError {
  name: string;
  code: string;
  message: string;
  status?: number;
  details?: unknown;
  httpStatus?: number;
  /** The underlying error's name, message and code (e.g. SQLITE_CONSTRAINT_UNIQUE). */
  cause?: { name: string; message: string; code?: unknown };
}

export function serializeError(err: unknown, fallbackCode: string): SerializedError {
  const e = err instanceof Error ? err : new Error(String(err));
  const out: SerializedError = { name: e.name, code: err instanceof WirefeedError ? err.code : fallbackCode, message: e.message };
  if (err instanceof ValidationError) {
    out.status = err.status;
    if (err.details !== undefined) out.details = structuredCloneable(err.details);
  }
  if (err instanceof FetchError && err.httpStatus !== undefined) out.httpStatus = err.httpStatus;
  const cause = e.cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    out.cause = { name: cause.name, message: cause.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return out;
}

function structuredCloneable(v: unknown): unknown {
  try {
    return structuredClone(v);
  } catch {
    return String(v);
  }
}

/** Rebuilds the typed error `serializeError` described (unknown names become WirefeedError). */
export function reviveError(e: SerializedError): WirefeedError {
  const cause = e.cause ? Object.assign(new Error(e.cause.message), { name: e.cause.name }, e.cause.code !== undefined ? { code: e.cause.code } : {}) : undefined;
  const opts = cause ? { cause, code: e.code } : { code: e.code };
  switch (e.name) {
    case 'ValidationError':
      return new ValidationError(e.code, e.message, (e.status as 400 | 409 | 422 | undefined) ?? 422, e.details);
    case 'NotFoundError':
      return new NotFoundError(e.message);
    case 'StorageError':
      return new StorageError(e.message, opts);
    case 'ParseError':
      return new ParseError(e.message, opts);
    case 'DecodeError':
      return new DecodeError(e.message, opts);
    case 'FetchError':
      return new FetchError(e.message, { ...opts, httpStatus: e.httpStatus });
    case 'ConfigError':
      return new ConfigError(e.message, opts);
    default:
      return new WirefeedError(e.code, e.message, opts);
  }
}
