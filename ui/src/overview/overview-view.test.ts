import type { OverviewDto } from '@casefile/contract';
import { describe, expect, it } from 'vitest';
import { bucketRunsHref, chartRows, overviewQuery } from './overview-view';

describe('overview view', () => {
  it('turns the URL into an API query: a preset range or explicit bounds, plus the agent', () => {
    const q = overviewQuery(new URLSearchParams('range=1h&agent=support'), 'p1', 10_000_000);
    expect(Object.fromEntries(q)).toEqual({
      project: 'p1',
      from: String(10_000_000 - 3_600_000),
      to: '10000000',
      agent: 'support',
    });
    expect(Object.fromEntries(overviewQuery(new URLSearchParams('from=5&to=9'), '', 0))).toEqual({
      from: '5',
      to: '9',
    });
  });

  it('links a clicked bucket to the runs list filtered on its time range and agent', () => {
    expect(bucketRunsHref('p1', 0, 3_600_000, 'support')).toBe(
      '/runs?project=p1&from=1970-01-01T00%3A00%3A00.000Z&to=1970-01-01T01%3A00%3A00.000Z&agent=support',
    );
  });

  it('makes chart rows with error rate in percent and total tokens', () => {
    const figures = {
      runs: 4,
      errors: 1,
      errorRate: 0.25,
      p50Ms: 10.4,
      p95Ms: 99.6,
      inputTokens: 5,
      outputTokens: 7,
      withFindings: 2,
    };
    const o: OverviewDto = {
      fromMs: 0,
      toMs: 3_600_000,
      bucketMs: 3_600_000,
      totals: figures,
      buckets: [{ startMs: 0, ...figures }],
      agents: [],
      scannedRuns: 4,
      maxRuns: 20_000,
      truncated: false,
    };
    expect(chartRows(o)).toEqual([
      { label: '00:00', startMs: 0, runs: 4, errorRatePct: 25, p50Ms: 10, p95Ms: 100, tokens: 12, withFindings: 2 },
    ]);
  });
});
