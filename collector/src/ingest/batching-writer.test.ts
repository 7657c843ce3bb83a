import { describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../errors/errors.js';
import { emptyStep, type Step } from '../model/step.js';
import { createBatchingWriter, QueueFullError } from './batching-writer.js';

const steps = (n: number, tag = 's'): Step[] =>
  Array.from({ length: n }, (_, i) => emptyStep('p', 'a'.repeat(32), `${tag}${i}`.padStart(16, '0')));

/** An in-memory store whose writes complete only when the test says so. */
function createFakeStore() {
  const batches: Step[][] = [];
  const durable: Step[] = [];
  const waiting: { resolve: () => void; reject: (e: unknown) => void; steps: Step[] }[] = [];
  return {
    batches,
    durable,
    waiting,
    writeSteps(batch: readonly Step[]) {
      batches.push([...batch]);
      return new Promise<void>((resolve, reject) => {
        waiting.push({
          steps: [...batch],
          resolve: () => {
            durable.push(...batch);
            resolve();
          },
          reject,
        });
      });
    },
    completeNext() {
      waiting.shift()?.resolve();
    },
    failNext(error: unknown) {
      waiting.shift()?.reject(error);
    },
  };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
const settled = (p: Promise<unknown>) => {
  const state = { done: false, error: undefined as unknown };
  p.then(
    () => {
      state.done = true;
    },
    (e) => {
      state.done = true;
      state.error = e;
    },
  );
  return state;
};

describe('createBatchingWriter', () => {
  it('resolves a write only once its batch is durable', async () => {
    const store = createFakeStore();
    const writer = createBatchingWriter(store, { maxRows: 3, maxDelayMs: 10_000 });
    const state = settled(writer.write(steps(3)));
    await tick();
    expect(store.batches).toHaveLength(1);
    expect(state.done).toBe(false);
    store.completeNext();
    await tick();
    expect(state).toEqual({ done: true, error: undefined });
    expect(store.durable).toHaveLength(3);
  });

  it('writes at once when the store is idle: a lone request waits for one store write, not a timer', async () => {
    const store = createFakeStore();
    const writer = createBatchingWriter(store);
    const state = settled(writer.write(steps(1)));
    await tick();
    expect(store.batches.map((b) => b.length)).toEqual([1]);
    store.completeNext();
    await tick();
    expect(state.done).toBe(true);
  });

  it('coalesces everything that arrives during a write into the next one (group commit)', async () => {
    const store = createFakeStore();
    const writer = createBatchingWriter(store, { maxRows: 100 });
    const first = settled(writer.write(steps(2, 'a')));
    await tick();
    const later = [writer.write(steps(3, 'b')), writer.write(steps(1, 'c')), writer.write(steps(4, 'd'))];
    await tick(20);
    // Still one write in flight; the three later requests wait together.
    expect(store.batches.map((b) => b.length)).toEqual([2]);
    expect(writer.pendingRows).toBe(10);
    store.completeNext();
    await tick();
    expect(first.done).toBe(true);
    expect(store.batches.map((b) => b.length)).toEqual([2, 8]);
    store.completeNext();
    await Promise.all(later);
    expect(store.durable.map((s) => s.spanId)).toEqual(
      [...steps(2, 'a'), ...steps(3, 'b'), ...steps(1, 'c'), ...steps(4, 'd')].map((s) => s.spanId),
    );
  });

  it('bounds a batch by payload bytes as well as rows', async () => {
    const store = createFakeStore();
    const big = (tag: string) => steps(2, tag).map((s) => ({ ...s, toolArguments: 'x'.repeat(10_000) }));
    const writer = createBatchingWriter(store, { maxRows: 1000, maxBytes: 25_000 });
    const writes = [writer.write(big('a')), writer.write(big('b')), writer.write(big('c'))];
    for (let i = 0; i < 5; i++) {
      await tick();
      while (store.waiting.length > 0) store.completeNext();
    }
    await Promise.all(writes);
    // ~20 kB per request: the first goes alone (store idle), then b and c cannot share a batch.
    expect(store.batches.map((b) => b.length)).toEqual([2, 2, 2]);
  });

  it('merges small writes into one batch after maxDelayMs', async () => {
    const store = createFakeStore();
    const writer = createBatchingWriter(store, { maxRows: 100, maxDelayMs: 40 });
    const writes = [writer.write(steps(2, 'a')), writer.write(steps(3, 'b')), writer.write(steps(1, 'c'))];
    await tick(10);
    expect(store.batches).toHaveLength(0);
    await tick(60);
    expect(store.batches.map((b) => b.length)).toEqual([6]);
    store.completeNext();
    await Promise.all(writes);
  });

  it('never writes more than maxRows in one batch and keeps order', async () => {
    const store = createFakeStore();
    const writer = createBatchingWriter(store, { maxRows: 5, maxDelayMs: 5, maxQueuedRows: 100 });
    const writes = [1, 2, 3, 4].map((i) => writer.write(steps(3, `w${i}`)));
    for (let i = 0; i < 10 && store.waiting.length + store.durable.length < 12; i++) {
      await tick(10);
      while (store.waiting.length > 0) store.completeNext();
    }
    await Promise.all(writes);
    expect(store.batches.every((b) => b.length <= 5)).toBe(true);
    expect(store.durable.map((s) => s.spanId)).toEqual(
      [1, 2, 3, 4].flatMap((i) => steps(3, `w${i}`).map((s) => s.spanId)),
    );
  });

  it('rejects every write of a failed batch with the store error, and later batches still succeed', async () => {
    const store = createFakeStore();
    const writer = createBatchingWriter(store, { maxRows: 4, maxDelayMs: 10_000 });
    const a = settled(writer.write(steps(2, 'a')));
    const b = settled(writer.write(steps(2, 'b')));
    await tick();
    store.failNext(new StoreUnavailableError('down'));
    await tick();
    expect(a.error).toBeInstanceOf(StoreUnavailableError);
    expect(b.error).toBeInstanceOf(StoreUnavailableError);
    const c = writer.write(steps(4, 'c'));
    await tick();
    store.completeNext();
    await expect(c).resolves.toBeUndefined();
  });

  it('refuses writes at once with QueueFullError when too many rows wait', async () => {
    const store = createFakeStore();
    const writer = createBatchingWriter(store, { maxRows: 10, maxDelayMs: 20, maxQueuedRows: 20 });
    const first = writer.write(steps(10, 'a')); // goes in flight
    const second = writer.write(steps(8, 'b'));
    await expect(writer.write(steps(3, 'c'))).rejects.toBeInstanceOf(QueueFullError);
    expect(writer.pendingRows).toBe(18);
    await tick();
    store.completeNext();
    await first;
    // Once the first batch is durable there is room again.
    const third = writer.write(steps(3, 'd'));
    for (let i = 0; i < 5; i++) {
      await tick(30);
      while (store.waiting.length > 0) store.completeNext();
    }
    await Promise.all([second, third]);
    expect(store.durable).toHaveLength(21);
  });

  it('flushes on close and refuses writes afterwards', async () => {
    const store = createFakeStore();
    const writer = createBatchingWriter(store, { maxRows: 100, maxDelayMs: 60_000 });
    const pending = writer.write(steps(7));
    const closed = writer.close();
    await tick();
    expect(store.batches.map((b) => b.length)).toEqual([7]);
    store.completeNext();
    await closed;
    await pending;
    await expect(writer.write(steps(1))).rejects.toThrow(/closed/);
  });
});
