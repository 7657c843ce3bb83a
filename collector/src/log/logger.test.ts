import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

function sink(isTTY = false) {
  const out: string[] = [];
  const destination = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        out.push(String(chunk));
        done();
      },
    }),
    { isTTY },
  );
  return { out, destination };
}

describe('logger', () => {
  it('writes one JSON object per line with level name, ISO time, message, fields and bound fields', () => {
    const { out, destination } = sink();
    const log = createLogger({ level: 'info', destination }).child({ module: 'alerts' });
    log.debug('not written');
    log.warn('webhook failed', { attempt: 2 });
    expect(out).toHaveLength(1);
    const line = JSON.parse(out[0] as string);
    expect(line).toMatchObject({ level: 'warn', module: 'alerts', msg: 'webhook failed', attempt: 2 });
    expect(Number.isNaN(Date.parse(line.time))).toBe(false);
  });

  it('serialises an error under err with its type and stack', () => {
    const { out, destination } = sink();
    createLogger({ destination }).error('request failed', { err: new TypeError('boom') });
    const line = JSON.parse(out[0] as string);
    expect(line.err).toMatchObject({ type: 'TypeError', message: 'boom' });
    expect(line.err.stack).toContain('boom');
  });

  it('writes readable single lines in the pretty format, the default on a terminal', () => {
    const { out, destination } = sink(true);
    createLogger({ destination }).info('collector listening', { url: 'http://localhost:4318' });
    const text = out.join('');
    expect(text).toContain('INFO');
    expect(text).toContain('collector listening');
    expect(text).toContain('http://localhost:4318');
    expect(() => JSON.parse(text)).toThrow();
  });

  it('silent writes nothing', () => {
    const { out, destination } = sink();
    const log = createLogger({ level: 'silent', destination });
    log.error('nothing');
    expect(log.enabled('error')).toBe(false);
    expect(out).toEqual([]);
  });
});
