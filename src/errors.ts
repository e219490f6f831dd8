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
