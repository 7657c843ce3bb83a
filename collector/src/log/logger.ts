/**
 * The collector's log: leveled lines with fields, backed by pino. One JSON object per line for log
 * shippers (the default when stdout is not a terminal), or coloured single lines for a person at a
 * terminal. Every module takes a `Logger` and names what it logs in fields, never by building
 * strings; `child()` binds fields (a module, a request ID) to every line below it.
 */
import { type DestinationStream, type Logger as PinoLogger, pino, stdSerializers } from 'pino';
import pretty from 'pino-pretty';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `bindings` to every line. */
  child(bindings: LogFields): Logger;
  /** Whether lines of `level` are written (to skip building costly fields). */
  enabled(level: Exclude<LogLevel, 'silent'>): boolean;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** `json` (one object per line) or `pretty`; default: pretty on a terminal, JSON otherwise. */
  format?: LogFormat;
  /** Where lines go; standard output by default. */
  destination?: DestinationStream & { isTTY?: boolean };
}

/** A pino-backed logger. Errors under `err` are serialised with their type, message and stack. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stdout;
  const format = options.format ?? (destination.isTTY ? 'pretty' : 'json');
  const stream =
    format === 'pretty'
      ? pretty({
          destination,
          sync: true,
          colorize: Boolean(destination.isTTY),
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname',
          singleLine: true,
        })
      : destination;
  const base = pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: { err: stdSerializers.err },
    },
    stream,
  );
  return wrap(base);
}

function wrap(p: PinoLogger<never>): Logger {
  return {
    debug: (message, fields) => (fields ? p.debug(fields, message) : p.debug(message)),
    info: (message, fields) => (fields ? p.info(fields, message) : p.info(message)),
    warn: (message, fields) => (fields ? p.warn(fields, message) : p.warn(message)),
    error: (message, fields) => (fields ? p.error(fields, message) : p.error(message)),
    child: (bindings) => wrap(p.child(bindings)),
    enabled: (level) => p.isLevelEnabled(level),
  };
}

/** Writes nothing; for tests and library callers that pass no logger. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
  enabled: () => false,
};
