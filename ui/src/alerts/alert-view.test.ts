import type { AlertEventDto, AlertRuleDto } from '@casefile/contract';
import { describe, expect, it } from 'vitest';
import { parseDriftState } from '../drift/drift-url';
import { eventCompareHref, eventDriftHref, eventHeadline, formatMs, summaryEntries, verdictText } from './alert-view';

const result = {
  metric: 'tool_mix' as const,
  test: 'chi2',
  state: 'drift' as const,
  statistic: 41.234,
  pValue: 0.00002,
  threshold: 0.05,
  referenceSummary: {},
  currentSummary: {},
};

const event: AlertEventDto = {
  id: 'r1:1',
  ruleId: 'r1',
  ruleName: 'mix',
  timeNs: '1763700060000000000',
  from: 'ok',
  to: 'firing',
  window: { fromNs: '1763700000000000000', toNs: '1763700060000000000' },
  reference: { fromNs: '1763690000000000000', toNs: '1763693600000000000', label: 'baseline' },
  results: [result, { ...result, metric: 'steps_per_run', test: 'ks', pValue: 0.3, state: 'ok' }],
  exampleRuns: { reference: ['aaa', 'aab'], current: ['ccc'] },
  summary: 'tool_mix drifted',
};

describe('alert text and links', () => {
  it('formats durations in the largest whole unit', () => {
    expect([formatMs(60_000), formatMs(2_000), formatMs(7_200_000), formatMs(86_400_000), formatMs(1500)]).toEqual([
      '1 min',
      '2 s',
      '2 h',
      '1 d',
      '1500 ms',
    ]);
    expect([formatMs(136_648), formatMs(90_000), formatMs(3_900_000)]).toEqual(['2m 17s', '1m 30s', '65 min']);
  });

  it('states the verdict with test, statistic, p-value and threshold, or why there is none', () => {
    expect(verdictText(result)).toBe('chi2 · statistic 41.2 · p < 0.0001 · threshold 0.05 → drift');
    expect(
      verdictText({
        ...result,
        state: 'insufficient_data',
        statistic: null,
        pValue: undefined,
        reason: 'current n=3 < 30',
      }),
    ).toBe('chi2: insufficient data (current n=3 < 30)');
    expect(
      verdictText({
        ...result,
        metric: 'refusal_rate',
        test: 'ztest',
        statistic: 2.1,
        pValue: 0.03,
        threshold: 0.02,
        pooled: { windows: 2, n: 80, pValue: 0.0011 },
      }),
    ).toBe('ztest · statistic 2.1 · p 0.03 · last 2 windows together (n 80) p 0.0011 · threshold 0.02 → drift');
  });

  it('headlines an event with its smallest p-value', () => {
    expect(eventHeadline(event)).toBe('tool_mix: chi2 p < 0.0001');
    expect(eventHeadline({ ...event, results: [], observed: 0.125 })).toBe('observed 0.125');
  });

  it('shows window summaries as text pairs, label counts inline', () => {
    expect(
      summaryEntries({
        n: 150,
        top: [
          ['search_kb', 140],
          ['<img>', 10],
        ],
        meta: { a: 1 },
      }),
    ).toEqual([
      ['n', '150'],
      ['top', 'search_kb: 140, <img>: 10'],
      ['meta', '{"a":1}'],
    ]);
    const top = [
      { category: 'search_kb', count: 160, share: 0.5714 },
      { category: '<b>x</b>', count: 3 },
    ];
    expect(summaryEntries({ top })).toEqual([['top', 'search_kb: 160 (57.1%), <b>x</b>: 3']]);
  });

  it('links to the compare view with one example run of each window', () => {
    expect(eventCompareHref('p1', event)).toBe('/compare?project=p1&a=aaa&b=ccc');
    expect(eventCompareHref('p1', { ...event, exampleRuns: { reference: [], current: ['c'] } })).toBeUndefined();
  });

  it('links to the drift page at the rule scope with the event window selected', () => {
    const rule = {
      kind: 'drift',
      agentName: 'support',
      toolName: '',
      metrics: ['tool_mix'],
      reference: { type: 'baseline', fromMs: 10, toMs: 20 },
    } as unknown as AlertRuleDto;
    const href = eventDriftHref('p1', event, rule)!;
    const s = parseDriftState(new URL(href, 'http://x').searchParams, 0);
    expect(s).toMatchObject({
      agent: 'support',
      metric: 'tool_mix',
      reference: { type: 'baseline', fromMs: 10, toMs: 20 },
      windowMs: 60_000,
      endMs: 1_763_700_060_000,
    });
    // The chart reaches back to the reference's start (within 30 days) and a little past the window.
    expect(s.fromMs).toBe(1_763_690_000_000);
    expect(s.toMs).toBe(1_763_700_180_000);
    // A previous window of the rule's own length stays that length on the drift page.
    const longer = { ...rule, reference: { type: 'previous-window', windowMs: 7_200_000 } } as unknown as AlertRuleDto;
    const url = new URL(eventDriftHref('p1', event, longer)!, 'http://x');
    expect(url.searchParams.get('reference')).toBe('previous-window:2h');
    expect(parseDriftState(url.searchParams, 0).reference).toEqual({ type: 'previous-window', windowMs: 7_200_000 });
  });
});
