// Structured logging: one home for pino. Messages are constant; facts go in the object.
import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type Logger = Pick<PinoLogger, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'child' | 'level'>;

/** `fd` 2 sends logs to stderr: the CLI keeps stdout for its own output. */
export function createLogger(level: LevelWithSilent = 'info', fd: 1 | 2 = 1): Logger {
  return pino({ level, base: { service: 'wirefeed' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd, sync: fd === 2 }));
}

/** A logger that drops everything: tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
