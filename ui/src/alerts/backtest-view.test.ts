import type { AlertRuleInput, BacktestAnswerDto, BacktestWindowDto } from '@casefile/contract';
import { describe, expect, it } from 'vitest';
import { parseDriftState } from '../drift/drift-url';
import { backtestCounts, backtestHeadline, backtestWindowHref, backtestWindowTitle } from './backtest-view';

const HOUR_NS = 3_600_000_000_000n;
const T0 = 1_772_409_600_000_000_000n; // 2026-03-02 00:00 UTC

function win(h: number, state: BacktestWindowDto['state'], fired = false): BacktestWindowDto {
  return {
    windowEndNs: String(T0 + BigInt(h) * HOUR_NS),
    window: { fromNs: String(T0 + BigInt(h - 1) * HOUR_NS), toNs: String(T0 + BigInt(h) * HOUR_NS), label: 'current' },
    reference: { fromNs: String(T0 - 24n * HOUR_NS), toNs: String(T0), label: 'baseline' },
    outcome: state === 'firing' ? 'breach' : 'ok',
    state,
    fired,
    resolved: false,
    recentBreaches: fired ? 1 : 0,
    results: [{ metric: 'tool_mix', test: 'chi2', state: 'ok', statistic: 1, pValue: 0.5, threshold: 0.02 }],
    summary: fired ? 'tool_mix drifted: translate_text 0% → 25% of runs' : 'no drift',
  };
}

const answer = (windows: BacktestWindowDto[], firings: number): BacktestAnswerDto => ({
  ruleId: 'unsaved',
  fromNs: String(T0),
  toNs: String(T0 + 48n * HOUR_NS),
  windowsInRange: windows.length,
  stepMs: 3_600_000,
  windows,
  firings,
  complete: true,
  notes: [],
  elapsedMs: 120,
  limits: { maxRangeMs: 1, maxWindows: 2000, timeBudgetMs: 20_000 },
});

const rule: AlertRuleInput = {
  kind: 'drift',
  name: 'mix',
  agentName: 'support-bot',
  metrics: ['tool_mix'],
  windowMs: 3_600_000,
  intervalMs: 3_600_000,
  reference: { type: 'baseline', fromMs: Number((T0 - 24n * HOUR_NS) / 1_000_000n), toMs: Number(T0 / 1_000_000n) },
};

describe('back-test view', () => {
  it('says how often the rule would have fired, over which windows', () => {
    const quiet = answer([win(1, 'ok'), win(2, 'ok')], 0);
    expect(backtestHeadline(quiet)).toBe(
      'This rule would not have fired in 2 windows (2026-03-02 00:00:00.000 – 2026-03-02 02:00:00.000).',
    );
    const loud = answer(
      [win(1, 'ok'), win(2, 'firing', true), win(3, 'firing'), win(4, 'ok'), win(5, 'firing', true)],
      2,
    );
    expect(backtestHeadline(loud)).toMatch(/^This rule would have fired 2 times in 5 windows/);
    expect(backtestHeadline(answer([win(1, 'firing', true)], 1))).toMatch(/would have fired once in 1 window \(/);
    expect(backtestHeadline(answer([], 0))).toBe('No window of this rule ends inside the range.');
    expect(backtestCounts(loud)).toEqual({ ok: 2, firing: 3, resolved: 0, insufficient_data: 0 });
    expect(backtestWindowTitle(win(2, 'firing', true))).toMatch(/starts firing\. tool_mix drifted/);
  });

  it("links a window to its comparison with the rule's reference on the drift page", () => {
    const href = backtestWindowHref('p1', rule, win(25, 'firing', true));
    const url = new URL(href ?? '', 'http://x');
    expect(url.pathname).toBe('/drift');
    const state = parseDriftState(url.searchParams, 0);
    expect(state).toMatchObject({
      agent: 'support-bot',
      metric: 'tool_mix',
      windowMs: 3_600_000,
      endMs: Number((T0 + 25n * HOUR_NS) / 1_000_000n),
      reference: { type: 'baseline' },
    });
    expect(url.searchParams.get('project')).toBe('p1');
  });
});
