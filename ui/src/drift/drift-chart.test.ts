import type { AlertEventDto, AlertRuleDto, DriftCompareDto } from '@casefile/contract';
import { describe, expect, it } from 'vitest';
import {
  alertMarkers,
  categoryLabels,
  distributionRows,
  histogramQuantile,
  proportionInterval,
  referenceBand,
  rulesOnScope,
  seriesRows,
  timeTicks,
} from './drift-chart';

const window = { fromNs: '0', toNs: '1', label: 'w' };
const result = {
  metric: 'tool_mix' as const,
  test: 'chi2',
  state: 'drift' as const,
  statistic: 40,
  pValue: 0.0001,
  threshold: 0.05,
  referenceSummary: {},
  currentSummary: {},
};

describe('drift chart data', () => {
  it('sorts points and shows rates and top-label shares in percent', () => {
    const rows = seriesRows({
      metric: 'tool_mix',
      kind: 'categorical',
      bucketMs: 60_000,
      points: [
        { startMs: 120_000, count: 10, value: 0.7, top: [['search_kb', 7]] },
        { startMs: 60_000, count: 4, value: 0.25, top: [['lookup', 1]] },
      ],
    });
    expect(rows).toEqual([
      { startMs: 60_000, count: 4, value: 25, topLabel: 'lookup' },
      { startMs: 120_000, count: 10, value: 70, topLabel: 'search_kb' },
    ]);
    const numeric = seriesRows({
      metric: 'latency_ms',
      kind: 'numeric',
      bucketMs: 1,
      points: [{ startMs: 0, count: 3, value: 12.34567, p50: 10, p95: 30.12345 }],
    });
    expect(numeric[0]).toEqual({ startMs: 0, count: 3, value: 12.346, p50: 10, p95: 30.123 });
  });

  it('interpolates histogram quantiles inside the bin', () => {
    const bins = [
      { from: 0, to: 10, count: 50 },
      { from: 10, to: 20, count: 50 },
    ];
    expect(histogramQuantile(bins, 0.5)).toBe(10);
    expect(histogramQuantile(bins, 0.05)).toBe(1);
    expect(histogramQuantile(bins, 0.95)).toBe(19);
    expect(histogramQuantile([], 0.5)).toBeUndefined();
  });

  it('computes the reference band: p5–p95, rate ± CI, top-label share ± CI', () => {
    const numeric = referenceBand({
      ...window,
      n: 100,
      histogram: [
        { from: 0, to: 10, count: 50 },
        { from: 10, to: 20, count: 50 },
      ],
    });
    expect(numeric).toEqual({ low: 1, high: 19, label: 'reference p5–p95' });
    const rate = referenceBand({ ...window, n: 100, rate: { successes: 10, trials: 100 } })!;
    expect(rate.low).toBeCloseTo(4.12, 1);
    expect(rate.high).toBeCloseTo(15.88, 1);
    const cat = referenceBand({
      ...window,
      n: 200,
      categories: [
        ['a', 50],
        ['b', 150],
      ],
    })!;
    expect(cat.label).toContain('share of b');
    expect(cat.low).toBeLessThan(75);
    expect(cat.high).toBeGreaterThan(75);
    expect(referenceBand({ ...window, n: 0 })).toBeUndefined();
  });

  it('clamps a proportion interval to [0, 1]', () => {
    expect(proportionInterval(0, 10)).toEqual({ p: 0, low: 0, high: 0 });
    expect(proportionInterval(10, 10).high).toBe(1);
  });

  it('lines up category shares of both windows, largest first, with the tail as "other"', () => {
    const cmp: DriftCompareDto = {
      metric: 'tool_mix',
      reference: {
        ...window,
        n: 100,
        categories: [
          ['search_kb', 90],
          ['lookup', 10],
        ],
      },
      current: {
        ...window,
        n: 50,
        categories: [
          ['send_email', 40],
          ['search_kb', 10],
        ],
      },
      result,
    };
    expect(distributionRows(cmp)).toEqual([
      { label: 'search_kb', reference: 90, current: 20 },
      { label: 'send_email', reference: 0, current: 80 },
      { label: 'lookup', reference: 10, current: 0 },
    ]);
    const capped = distributionRows(cmp, 1);
    expect(capped[1]).toEqual({ label: 'other (2)', reference: 10, current: 80 });
  });

  it('matches histogram bins by edge and shows a rate as one pair of percentages', () => {
    const hist = distributionRows({
      metric: 'latency_ms',
      reference: { ...window, n: 4, histogram: [{ from: 0, to: 5, count: 4 }] },
      current: {
        ...window,
        n: 4,
        histogram: [
          { from: 0, to: 5, count: 1 },
          { from: 5, to: 10, count: 3 },
        ],
      },
      result,
    });
    expect(hist).toEqual([
      { label: '0–5', reference: 100, current: 25 },
      { label: '5–10', reference: 0, current: 75 },
    ]);
    const rate = distributionRows({
      metric: 'error_rate',
      reference: { ...window, n: 10, rate: { successes: 1, trials: 10 } },
      current: { ...window, n: 4, rate: { successes: 2, trials: 4 } },
      result,
    });
    expect(rate).toEqual([{ label: 'rate', reference: 10, current: 50 }]);
  });

  it('marks only events of rules on this exact scope, inside the range', () => {
    const rule = (id: string, agentName: string, metrics: string[]) =>
      ({ id, agentName, toolName: '', kind: 'drift', metrics }) as unknown as AlertRuleDto;
    const rules = [
      rule('r1', 'support', ['tool_mix']),
      rule('r2', 'billing', ['tool_mix']),
      rule('r3', 'support', ['latency_ms']),
    ];
    const on = rulesOnScope(rules, { agent: 'support', metric: 'tool_mix', tool: '' });
    expect(on.map((r) => r.id)).toEqual(['r1']);
    const event = (ruleId: string, toMs: number, to: AlertEventDto['to']) =>
      ({ ruleId, ruleName: ruleId, to, summary: 's', window: { fromNs: '0', toNs: `${toMs}000000` } }) as AlertEventDto;
    const markers = alertMarkers(
      [
        event('r1', 5000, 'resolved'),
        event('r1', 2000, 'firing'),
        event('r2', 3000, 'firing'),
        event('r1', 99_000, 'firing'),
      ],
      new Set(['r1']),
      0,
      10_000,
    );
    expect(markers.map((m) => [m.timeMs, m.state])).toEqual([
      [2000, 'firing'],
      [5000, 'resolved'],
    ]);
  });

  it('puts axis ticks on round times inside the range', () => {
    expect(timeTicks(90_000, 3_700_000)).toEqual([900_000, 1_800_000, 2_700_000, 3_600_000]);
    const day = timeTicks(0, 86_400_000);
    expect(day.length).toBeLessThanOrEqual(7);
    expect(day.every((t) => t % 3_600_000 === 0)).toBe(true);
  });

  it('draws one line per frequent label, so a tool that appears late is visible', () => {
    const series = {
      metric: 'tool_mix' as const,
      kind: 'categorical' as const,
      bucketMs: 60_000,
      points: [
        {
          startMs: 0,
          count: 10,
          value: 0.6,
          top: [
            ['search_kb', 6],
            ['lookup', 4],
          ] as [string, number][],
        },
        {
          startMs: 60_000,
          count: 10,
          value: 0.7,
          top: [
            ['send_email', 7],
            ['search_kb', 3],
          ] as [string, number][],
        },
      ],
    };
    const labels = categoryLabels(series);
    expect(labels).toEqual(['search_kb', 'send_email', 'lookup']);
    const rows = seriesRows(series, labels);
    expect(rows.map((r) => r.shares)).toEqual([
      [60, 0, 40],
      [30, 70, 0],
    ]);
    const full = {
      ...series,
      points: [
        { startMs: 0, count: 10, value: 0.2, top: ['a', 'b', 'c', 'd', 'e'].map((l) => [l, 2]) as [string, number][] },
      ],
    };
    // With a full top-5 list a missing label is unknown (a gap), not zero.
    expect(seriesRows(full, ['a', 'zz'])[0]!.shares).toEqual([20, undefined]);
  });
});
