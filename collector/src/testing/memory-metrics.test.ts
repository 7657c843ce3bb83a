import { describe, expect, it } from 'vitest';
import { emptyStep } from '../model/step.js';
import { createMemoryStore } from './memory-store.js';

// The store battery (memory-store.test.ts) holds these metrics to the adapters'; these are the edges it does not reach.

describe('in-memory metrics edge cases', () => {
  const T = 1_000_000_000_000n;
  const tool = (n: number, over: Partial<ReturnType<typeof emptyStep>>) => ({
    ...emptyStep('p', `${'a'.repeat(31)}${n.toString(16)}`, `${'b'.repeat(15)}${n.toString(16)}`),
    kind: 'tool' as const,
    toolName: 't',
    startNs: T + BigInt(n),
    endNs: T + BigInt(n) + 2_000_000n,
    ...over,
  });

  it('counts a call that ended before it started as 0 ms, not negative', async () => {
    const store = createMemoryStore();
    await store.writeSteps([tool(1, { endNs: T - 5n })]);
    const sample = await store.metricSample('p', { metric: 'latency_ms', toolName: 't', fromNs: 0n, toNs: 2n * T });
    expect(sample).toEqual({ kind: 'numeric', values: [0], total: 1 });
  });

  it('ignores cost attributes that are not plain decimals', async () => {
    const store = createMemoryStore();
    await store.writeSteps([
      tool(1, { attributes: { 'llm.cost.total': '1e999' } }),
      tool(2, { attributes: { 'llm.cost.total': '0x10', 'casefile.cost.usd': ' 2' } }),
    ]);
    const sample = await store.metricSample('p', { metric: 'cost_per_run', fromNs: 0n, toNs: 2n * T });
    expect(sample).toEqual({ kind: 'numeric', values: [], total: 0 });
  });

  it('samples 10,000 of 12,000 values by default, the same ones every time', async () => {
    const store = createMemoryStore();
    await store.writeSteps(Array.from({ length: 12_000 }, (_, i) => tool(i, { endNs: T + BigInt(i) * 1_000_001n })));
    const q = { metric: 'latency_ms' as const, toolName: 't', fromNs: 0n, toNs: 2n * T };
    const [a, b] = [await store.metricSample('p', q), await store.metricSample('p', q)];
    if (a.kind !== 'numeric') throw new Error('numeric expected');
    expect(a.total).toBe(12_000);
    expect(a.values).toHaveLength(10_000);
    expect(b).toEqual(a);
    // Uniform, not the first 10,000 by time: the largest values are represented.
    expect(a.values.filter((v) => v > 10_000).length).toBeGreaterThan(1_000);
  });

  it('rejects a negative maxValues', async () => {
    const store = createMemoryStore();
    await expect(
      store.metricSample('p', { metric: 'latency_ms', fromNs: 0n, toNs: 1n, maxValues: -1 }),
    ).rejects.toThrow(/maxValues/);
  });
});
