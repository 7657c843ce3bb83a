import { afterEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../errors/errors.js';
import { createDeadlineGuard, type DeadlineGuard } from './deadline-guard.js';

/** An operation that never settles unless aborted, as a request to a stopped server behaves. */
const hang = (signal: AbortSignal) =>
  new Promise<never>((_, fail) => signal.addEventListener('abort', () => fail(new Error('aborted'))));

describe('deadline guard', () => {
  let guard: DeadlineGuard | undefined;
  afterEach(() => guard?.close());

  it('fails an operation at its deadline with StoreUnavailableError, keeping the cause', async () => {
    guard = createDeadlineGuard({
      name: 'Store',
      timeoutMs: 150,
      stallMs: 10_000,
      pingTimeoutMs: 50,
      ping: async () => {},
    });
    const started = Date.now();
    const error = await guard.run(hang).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/did not answer within 150 ms/);
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(guard.healthy).toBe(true);
  });

  it('lets a slow operation finish while the backend answers pings', async () => {
    let pings = 0;
    guard = createDeadlineGuard({
      name: 'Store',
      timeoutMs: 5000,
      stallMs: 50,
      pingTimeoutMs: 50,
      ping: async () => void pings++,
    });
    const value = await guard.run(() => new Promise((ok) => setTimeout(() => ok('done'), 400)));
    expect(value).toBe('done');
    expect(pings).toBeGreaterThan(0);
  });

  it('aborts everything in flight when a ping goes unanswered, fails new work at once, and recovers', async () => {
    let alive = false;
    guard = createDeadlineGuard({
      name: 'Store',
      timeoutMs: 60_000,
      stallMs: 100,
      pingTimeoutMs: 100,
      ping: (ms) =>
        alive
          ? Promise.resolve()
          : new Promise((_, fail) => setTimeout(() => fail(new StoreUnavailableError('no answer')), ms)),
    });
    const g = guard;
    const started = Date.now();
    const results = await Promise.all([g.run(hang).catch((e: unknown) => e), g.run(hang).catch((e: unknown) => e)]);
    for (const r of results) {
      expect(r).toBeInstanceOf(StoreUnavailableError);
      expect((r as Error).message).toMatch(/health check/);
    }
    expect(Date.now() - started).toBeLessThan(3000);
    expect(g.healthy).toBe(false);
    // While down, new work fails without waiting.
    const quick = Date.now();
    await expect(g.run(async () => 'x')).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(Date.now() - quick).toBeLessThan(50);
    // The server comes back: the guard notices by itself.
    alive = true;
    await expect.poll(() => g.healthy, { timeout: 3000 }).toBe(true);
    expect(await g.run(async () => 'back')).toBe('back');
  });
});
