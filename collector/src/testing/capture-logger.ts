import { createLogger, type Logger, type LogLevel } from '../log/logger.js';

/** One logged line as a log shipper reads it: level, message, time and the fields. */
export interface LoggedLine {
  level: string;
  msg: string;
  time: string;
  [field: string]: unknown;
}

/** A real (pino) logger writing JSON lines into memory, for tests that read what was logged. */
export function captureLogger(level: LogLevel = 'debug'): { log: Logger; lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const destination = {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line) lines.push(JSON.parse(line) as LoggedLine);
    },
  };
  return { log: createLogger({ level, format: 'json', destination }), lines };
}
