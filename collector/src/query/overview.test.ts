import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../model/step.js';
import { aggregateOverview, percentile, pickBucketMs } from './overview.js';

const MS = 1_000_000n;
function run(startMs: number, durationMs: number, over: Partial<RunSummary> = {}): RunSummary {
  return {
    traceId: `${startMs}`,
    startNs: BigInt(startMs) * MS,
    endNs: BigInt(startMs + durationMs) * MS,
    name: 'r',
    serviceName: 'svc',
    agentName: 'support',
    agentVersion: '',
    conversationId: '',
    status: 'ok',
    stepCount: 1,
    errorCount: 0,
    toolNames: [],
    promptVersion: '',
    policyVersion: '',
    models: [],
    inputTokens: 10,
    outputTokens: 5,
    runInput: '',
    findingCount: 0,
    ...over,
  };
}

describe('overview', () => {
  it('computes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile([], 95)).toBe(0);
  });

  it('buckets runs by start time and per agent, keeping empty buckets', () => {
    const runs = [
      run(0, 100),
      run(10, 300, { status: 'error', findingCount: 2 }),
      run(2_500, 50, { agentName: 'billing' }),
      run(99_999, 1), // outside the range
    ];
    const o = aggregateOverview(runs, { fromNs: 0n, toNs: 4_000n * MS, bucketMs: 1_000 });
    expect(o.buckets.map((b) => b.runs)).toEqual([2, 0, 1, 0]);
    expect(o.buckets[0]).toMatchObject({ errors: 1, errorRate: 0.5, p50Ms: 100, p95Ms: 300, withFindings: 1 });
    expect(o.totals).toMatchObject({ runs: 3, inputTokens: 30, outputTokens: 15 });
    expect(o.agents.map((a) => [a.agent, a.runs])).toEqual([
      ['support', 2],
      ['billing', 1],
    ]);
  });

  it('picks about 48 buckets, never more than 500', () => {
    expect(pickBucketMs(0, 86_400_000)).toBe(3_600_000);
    expect(pickBucketMs(0, 3_600_000)).toBe(300_000);
    expect(pickBucketMs(0, 30 * 86_400_000, 'minute')).toBe(Math.ceil((30 * 86_400_000) / 500));
  });
});
