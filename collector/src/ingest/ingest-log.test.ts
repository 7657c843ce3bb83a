import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../errors/errors.js';
import { emptyStep, type Step } from '../model/step.js';
import { captureLogger } from '../testing/capture-logger.js';
import { QueueFullError } from './batching-writer.js';
import { createIngestLog } from './ingest-log.js';

const steps = (n: number, tag: string): Step[] =>
  Array.from({ length: n }, (_, i) => ({
    ...emptyStep('p', 'a'.repeat(32), `${tag}${i}`.padStart(16, '0')),
    startNs: 1_773_100_800_000_000_000n + BigInt(i),
    attributes: { note: `café ${tag} \uD83D\uDE00` },
  }));

/** An in-memory store whose writes complete only when the test says so (or at once when `auto`). */
function createFakeStore(auto = false) {
  const batches: Step[][] = [];
  const waiting: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  return {
    batches,
    waiting,
    writeSteps(batch: readonly Step[]) {
      batches.push([...batch]);
      if (auto) return Promise.resolve();
      return new Promise<void>((resolve, reject) => waiting.push({ resolve, reject }));
    },
    completeNext() {
      waiting.shift()?.resolve();
    },
    failNext(error: unknown) {
      waiting.shift()?.reject(error);
    },
  };
}

const until = async (check: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
};

const dirs: string[] = [];
const freshDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'casefile-ingest-log-'));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('ingest log', () => {
  it('acknowledges once logged, while the store is still busy, then stores everything in order in large batches', async () => {
    const dir = await freshDir();
    const store = createFakeStore();
    const log = await createIngestLog(store, { dir, maxRows: 100 });
    await log.write(steps(10, 'a')); // the store has not answered: acknowledged from the log alone
    expect(store.batches).toHaveLength(1);
    for (const tag of ['b', 'c', 'd', 'e']) await log.write(steps(30, tag));
    expect(log.pendingRows).toBe(130);
    store.completeNext();
    // Everything that arrived during the first write is the next one (up to 100 rows, whole requests).
    await until(() => store.batches.length === 2);
    expect(store.batches[1]?.map((s) => s.spanId.slice(-2))).toEqual(
      steps(30, 'b')
        .concat(steps(30, 'c'), steps(30, 'd'))
        .map((s) => s.spanId.slice(-2)),
    );
    store.completeNext();
    await until(() => store.batches.length === 3);
    store.completeNext();
    await until(() => log.pendingRows === 0);
    await log.close();
    expect(store.batches.flat().map((s) => s.spanId)).toEqual(
      ['a', 'b', 'c', 'd', 'e'].flatMap((t) => steps(t === 'a' ? 10 : 30, t).map((s) => s.spanId)),
    );
    // Stored segments are deleted.
    expect(await readdir(dir)).toEqual([]);
  });

  it('with a store delay, waits for more logged steps before a write, unless a full batch waits', async () => {
    const dir = await freshDir();
    const store = createFakeStore(true);
    const log = await createIngestLog(store, { dir, maxRows: 100, storeDelayMs: 300 });
    const started = Date.now();
    await log.write(steps(10, 'a'));
    await log.write(steps(20, 'b'));
    expect(store.batches).toHaveLength(0); // acknowledged, not yet written
    await until(() => store.batches.length === 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(store.batches[0]).toHaveLength(30); // both requests in one write
    // A full batch does not wait.
    const full = Date.now();
    await log.write(steps(100, 'c'));
    await until(() => store.batches.length === 2);
    expect(Date.now() - full).toBeLessThan(250);
    await log.close();
    expect(log.pendingRows).toBe(0);
  });

  it('keeps acknowledged steps across a crash: a new process stores them on replay, a torn last record is dropped', async () => {
    const dir = await freshDir();
    const stuck = createFakeStore(); // the store never answers before the "crash"
    const first = await createIngestLog(stuck, { dir });
    const sent = [steps(5, 'x'), steps(7, 'y'), steps(3, 'z')];
    for (const s of sent) await first.write(s);
    // The crash: the process is gone without closing anything; a half-written append is left behind.
    const files = await readdir(dir);
    expect(files.length).toBeGreaterThan(0);
    await appendFile(join(dir, files.sort().at(-1) as string), Buffer.from([200, 0, 0, 0, 1, 2, 3]));

    const store = createFakeStore(true);
    const logged = captureLogger();
    const second = await createIngestLog(store, { dir, log: logged.log });
    const replayed = await second.replay();
    expect(replayed).toEqual({ records: 3, steps: 15, torn: 1 });
    expect(logged.lines).toMatchObject([{ level: 'warn', file: join(dir, files.sort().at(-1) as string) }]);
    expect(store.batches.flat()).toEqual(sent.flat()); // bigints, maps and emoji survive the round trip
    expect(await readdir(dir)).toEqual([]);
    await second.write(steps(2, 'n'));
    await until(() => store.batches.flat().length === 17);
    await second.close();
    expect(await readdir(dir)).toEqual([]);
  });

  it('retries a failed store write with the same steps; answers QueueFullError when too much waits', async () => {
    const dir = await freshDir();
    const store = createFakeStore();
    const logged = captureLogger();
    const log = await createIngestLog(store, {
      dir,
      maxRows: 10,
      maxQueuedRows: 20,
      retryMs: 5,
      log: logged.log,
    });
    await log.write(steps(10, 'a'));
    await log.write(steps(10, 'b'));
    await expect(log.write(steps(5, 'c'))).rejects.toBeInstanceOf(QueueFullError);
    store.failNext(new StoreUnavailableError('ClickHouse is unreachable'));
    await until(() => store.batches.length === 2);
    expect(store.batches[1]).toEqual(store.batches[0]);
    expect(logged.lines[0]).toMatchObject({
      level: 'warn',
      msg: 'storing logged steps failed; they stay in the log for a retry',
      steps: 10,
      err: { type: 'StoreUnavailableError', message: 'ClickHouse is unreachable' },
    });
    store.completeNext();
    await until(() => store.batches.length === 3);
    store.completeNext();
    await until(() => log.pendingRows === 0);
    await log.write(steps(5, 'c'));
    await until(() => store.batches.length === 4);
    store.completeNext();
    await log.close();
    expect(await readdir(dir)).toEqual([]);
  });

  it('leaves what the store did not take at close in the log for the next start', async () => {
    const dir = await freshDir();
    const down = {
      writeSteps: () => Promise.reject(new StoreUnavailableError('ClickHouse is unreachable')),
    };
    const first = await createIngestLog(down, { dir, retryMs: 1_000 });
    await first.write(steps(4, 'q'));
    await first.close();
    const store = createFakeStore(true);
    const second = await createIngestLog(store, { dir });
    expect(await second.replay()).toEqual({ records: 1, steps: 4, torn: 0 });
    expect(store.batches.flat()).toEqual(steps(4, 'q'));
    await second.close();
  });
});
