// Structured logging: one home for pino. Messages are constant; facts go in the object.
// Secrets never reach a log line: every line passes through redactSecrets, which masks bearer
// credentials, `key=` query parameters and anything shaped like a partner key, wherever they
// appear (a URL field, a header object, an error message).
import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type Logger = Pick<PinoLogger, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'child' | 'level'>;

const MASK = '[REDACTED]';
const SECRET_PATTERNS: [RegExp, string][] = [
  [/(Bearer[ \t]+)[^\s"',;]+/gi, `$1${MASK}`],
  [/([?&;]key=)[^&#\s"']*/gi, `$1${MASK}`],
  [/wf_live_[A-Za-z0-9_-]+/g, `wf_live_${MASK}`],
];
const SECRET_FIELDS = new Set(['authorization', 'key', 'secret', 'token', 'x-api-key', 'cookie']);
const MAX_DEPTH = 5;

/** Matches whenever any of SECRET_PATTERNS could: most log strings need no replace at all. */
const MAY_HOLD_SECRET = /bearer|key=|wf_live_/i;

function redactString(s: string): string {
  if (!MAY_HOLD_SECRET.test(s)) return s;
  let out = s;
  for (const [re, rep] of SECRET_PATTERNS) out = out.replace(re, rep);
  return out;
}

/** A copy of a log object with secrets masked (exported for tests). */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (value instanceof Error) {
    return { type: value.name, message: redactString(value.message), ...(value.stack ? { stack: redactString(value.stack) } : {}) };
  }
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_FIELDS.has(k.toLowerCase()) && v !== undefined ? MASK : redactSecrets(v, depth + 1);
  return out;
}

function options(level: LevelWithSilent): pino.LoggerOptions {
  return {
    level,
    base: { service: 'wirefeed' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { log: (obj) => redactSecrets(obj) as Record<string, unknown> },
  };
}

/** `fd` 2 sends logs to stderr: the CLI keeps stdout for its own output. */
export function createLogger(level: LevelWithSilent = 'info', fd: 1 | 2 = 1): Logger {
  return pino(options(level), pino.destination({ fd, sync: fd === 2 }));
}

/** A logger writing to `stream` (tests read what was logged). */
export function createStreamLogger(level: LevelWithSilent, stream: { write(line: string): void }): Logger {
  return pino(options(level), stream);
}

/** A logger that drops everything: tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
