import { describe, expect, it, vi } from 'vitest';
import type { Step } from '../model/step.js';
import { buildRun, DAY0 } from '../store/conformance.fixtures.js';
import type { ChainEntry, ChainLeaf } from '../store/evidence.js';
import { captureLogger } from '../testing/capture-logger.js';
import { createMemoryStore } from '../testing/memory-store.js';
import { entryHash, genesisHash } from './chain.js';
import { createChainRecorder } from './chain-recorder.js';
import { createSigner, generateSigningKey, headMessage, parsePublicKey, verifySignature } from './signing.js';
import { verifyIntegrity } from './verify.js';

describe('chain recorder', () => {
  it('appends one entry per project per append, coalescing what became durable meanwhile, each naming the hash before it', async () => {
    const store = createMemoryStore();
    const recorder = createChainRecorder({ store, collectorId: 'c1', appendDelayMs: 0 });
    const a = buildRun({ projectId: 'a', startNs: DAY0 });
    const b = buildRun({ projectId: 'b', startNs: DAY0 });
    recorder.record([...a, ...b]);
    // Both arrive while the first append is in flight: one entry.
    recorder.record(buildRun({ projectId: 'a', startNs: DAY0 + 1n }));
    recorder.record(buildRun({ projectId: 'a', startNs: DAY0 + 2n }));
    await recorder.close();

    const entries = await store.listChainEntries('a', { limit: 10 });
    expect(entries.map((e) => e.seq)).toEqual([0n, 1n]);
    expect(entries.map((e) => e.spanCount)).toEqual([5, 10]);
    expect(entries[0]?.prevHash).toBe(genesisHash('a', recorder.chainId));
    expect(entries[1]?.prevHash).toBe(entries[0]?.hash);
    for (const e of entries) expect(entryHash(e)).toBe(e.hash);
    expect(entries[0]?.chainId).toMatch(/^c1~/);
    expect(await store.listChainEntries('b', { limit: 10 })).toHaveLength(1);
  });

  it('waits up to its delay so that batches durable within it share one entry, and appends at once on flush or enough spans', async () => {
    const store = createMemoryStore();
    let appends = 0;
    const counting = {
      appendChain: (entries: readonly ChainEntry[], leaves: readonly ChainLeaf[]) => {
        appends += 1;
        return store.appendChain(entries, leaves);
      },
    };
    const recorder = createChainRecorder({
      store: counting,
      collectorId: 'c1',
      appendDelayMs: 60_000,
      appendSpans: 12,
    });
    const runs = [0, 1, 2, 3].map((i) => buildRun({ projectId: 'a', startNs: DAY0 + BigInt(i) }));
    for (const run of runs) await store.writeSteps(run);
    recorder.record(runs[0] as Step[]);
    recorder.record(runs[1] as Step[]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(appends).toBe(0);
    expect(recorder.pendingSpans).toBe(10);
    // A third run brings 15 spans waiting, over the 12 that start an append without the delay.
    recorder.record(runs[2] as Step[]);
    await vi.waitFor(() => expect(recorder.pendingSpans).toBe(0));
    expect(appends).toBe(1);
    recorder.record(runs[3] as Step[]);
    await recorder.flush();
    expect(appends).toBe(2);
    const entries = await store.listChainEntries('a', { limit: 10 });
    expect(entries.map((e) => e.spanCount)).toEqual([15, 5]);
    await recorder.close();
    expect((await verifyIntegrity(store, 'a', {})).ok).toBe(true);
  });

  it('appends what waits for its delay once the delay is over', async () => {
    const store = createMemoryStore();
    const recorder = createChainRecorder({ store, collectorId: 'c1', appendDelayMs: 30 });
    recorder.record(buildRun({ projectId: 'a', startNs: DAY0 }));
    recorder.record(buildRun({ projectId: 'a', startNs: DAY0 + 1n }));
    expect(recorder.pendingSpans).toBe(10);
    await vi.waitFor(() => expect(recorder.pendingSpans).toBe(0), { timeout: 5000 });
    expect((await store.listChainEntries('a', { limit: 10 })).map((e) => e.spanCount)).toEqual([10]);
    await recorder.close();
  });

  it('keeps a failed append and retries it, so nothing durable is left out of the chain', async () => {
    const store = createMemoryStore();
    let failing = 2;
    const { log, lines } = captureLogger();
    const flaky = {
      appendChain: async (entries: readonly ChainEntry[], leaves: readonly ChainLeaf[]) => {
        if (failing-- > 0) throw new Error('store unavailable');
        await store.appendChain(entries, leaves);
      },
    };
    const recorder = createChainRecorder({ store: flaky, collectorId: 'c1', retryMs: 5, log });
    const run = buildRun({ projectId: 'a', startNs: DAY0 });
    await store.writeSteps(run);
    recorder.record(run);
    expect(recorder.pendingSpans).toBe(5);
    await recorder.flush();
    expect(recorder.pendingSpans).toBe(0);
    expect(lines[0]).toMatchObject({
      level: 'warn',
      msg: 'appending to the chain failed; retrying',
      failures: 1,
      spansWaiting: 5,
      err: { message: 'store unavailable' },
    });
    expect(lines.at(-1)).toMatchObject({ level: 'info', msg: 'chain appends work again', failedAttempts: 2 });
    expect((await verifyIntegrity(store, 'a', {})).ok).toBe(true);
  });

  it('orders a retention entry after the batches recorded before it, and signs every entry', async () => {
    const store = createMemoryStore();
    const key = generateSigningKey();
    const signer = createSigner(key.privateKeyPem);
    const recorder = createChainRecorder({ store, collectorId: 'c1', signer });
    recorder.record(buildRun({ projectId: 'a', startNs: DAY0 }));
    const retention = await recorder.appendEvent('a', 'retention', { beforeNs: '5' });
    await recorder.close();
    expect(retention.seq).toBe(1n);
    expect(JSON.parse(retention.detail)).toEqual({ beforeNs: '5' });
    const publicKey = parsePublicKey(key.publicKeyPem);
    if (!publicKey) throw new Error('no key');
    for (const e of await store.listChainEntries('a', { limit: 10 })) {
      expect(verifySignature(publicKey, headMessage(e.hash), e.signature)).toBe(true);
    }
    expect(() => createSigner('not a key')).toThrow(/not a PEM private key/);
  });

  it('drops the oldest waiting batch beyond its bound, and says so', async () => {
    const { log, lines } = captureLogger();
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const store = createMemoryStore();
    const slow = {
      appendChain: async (e: readonly ChainEntry[], l: readonly ChainLeaf[]) => {
        await gate;
        return store.appendChain(e, l);
      },
    };
    const recorder = createChainRecorder({
      store: slow,
      collectorId: 'c1',
      maxPendingSpans: 10,
      log,
    });
    const runs: Step[][] = [0, 1, 2, 3].map((i) => buildRun({ projectId: 'a', startNs: DAY0 + BigInt(i) }));
    for (const run of runs) recorder.record(run);
    await new Promise((resolve) => setTimeout(resolve, 10));
    release();
    await recorder.close();
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        droppedSoFar: expect.any(Number),
        msg: expect.stringMatching(/queue full/),
      }),
    );
    const leaves = await store.chainLeaves(
      'a',
      runs.map((r) => (r[0] as Step).traceId),
    );
    expect(leaves.length).toBeLessThan(20);
  });
});
