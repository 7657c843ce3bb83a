import { describe, expect, it } from 'vitest';
import type { MetricSampleQuery } from '../store/metrics.js';
import type { EvaluationStore } from './evaluate-rule.js';
import { createSampleCache } from './sample-cache.js';

const MIN = 60_000;
const ns = (ms: number) => BigInt(ms) * 1_000_000n;

function countingStore(fail = false) {
  const calls: MetricSampleQuery[] = [];
  const store: EvaluationStore = {
    async metricSample(_p, q) {
      calls.push(q);
      if (fail) throw new Error('store down');
      return { kind: 'rate', successes: calls.length, trials: 100 };
    },
    async metricSeries() {
      return [];
    },
    async listVersions() {
      return [];
    },
    async listRuns() {
      return { runs: [] };
    },
    async getRun() {
      return [];
    },
    async runsTouching() {
      return [];
    },
  };
  return { store, calls };
}

const query = (
  fromMs: number,
  toMs: number,
  metric: MetricSampleQuery['metric'] = 'error_rate',
): MetricSampleQuery => ({
  metric,
  agentName: 'support',
  fromNs: ns(fromMs),
  toNs: ns(toMs),
});

describe('sample cache', () => {
  it('answers a settled past window from memory and asks the store for the current one every time', async () => {
    let now = 100 * MIN;
    const cache = createSampleCache({ now: () => now });
    const { store, calls } = countingStore();
    const view = cache.wrap(store);
    const baseline = query(0, 50 * MIN);
    const first = await view.metricSample('p', baseline);
    now += MIN;
    expect(await view.metricSample('p', baseline)).toEqual(first);
    await view.metricSample('p', query(40 * MIN, now));
    await view.metricSample('p', query(40 * MIN, now));
    expect(calls).toHaveLength(3);
    expect([cache.hits, cache.misses]).toEqual([1, 1]);
    // Another project, metric or agent is another entry.
    await view.metricSample('q', baseline);
    await view.metricSample('p', query(0, 50 * MIN, 'refusal_rate'));
    expect(calls).toHaveLength(5);
  });

  it('asks again after the time to live, and forgets the least recently used beyond its size', async () => {
    let now = 100 * MIN;
    const cache = createSampleCache({ now: () => now, ttlMs: 10 * MIN, maxEntries: 2 });
    const { store, calls } = countingStore();
    const view = cache.wrap(store);
    await view.metricSample('p', query(0, 10 * MIN));
    now += 11 * MIN;
    await view.metricSample('p', query(0, 10 * MIN));
    expect(calls).toHaveLength(2);
    await view.metricSample('p', query(0, 20 * MIN));
    await view.metricSample('p', query(0, 10 * MIN)); // hit: now the most recent
    await view.metricSample('p', query(0, 30 * MIN)); // evicts 0–20
    await view.metricSample('p', query(0, 10 * MIN));
    expect(calls).toHaveLength(4);
    await view.metricSample('p', query(0, 20 * MIN));
    expect(calls).toHaveLength(5);
  });

  it('does not remember a failed lookup', async () => {
    const cache = createSampleCache({ now: () => 100 * MIN });
    const failing = countingStore(true);
    await expect(cache.wrap(failing.store).metricSample('p', query(0, MIN))).rejects.toThrow(/store down/);
    const ok = countingStore();
    await cache.wrap(ok.store).metricSample('p', query(0, MIN));
    expect(ok.calls).toHaveLength(1);
  });
});
