// Structured logging: one home for pino. Messages are constant; facts go in the object.
import { pino, type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type Logger = Pick<PinoLogger, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'child' | 'level'>;

export function createLogger(level: LevelWithSilent = 'info'): Logger {
  return pino({ level, base: { service: 'wirefeed' }, timestamp: pino.stdTimeFunctions.isoTime });
}

/** A logger that drops everything: tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
