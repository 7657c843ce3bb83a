import { describe, expect, it } from 'vitest';
import { biggestShift, describeChange, formatNumber, formatPercent, formatPValue, statsNote } from './describe.js';

const numeric = (values: number[]) => ({ kind: 'numeric' as const, values });
const counts = (entries: Array<[string, number]>) => ({ kind: 'categorical' as const, counts: new Map(entries) });

describe('change descriptions', () => {
  it('says how a numeric metric moved, in its own words and unit', () => {
    expect(describeChange('latency_ms', false, numeric([1_000, 1_000, 1_200]), numeric([2_100, 2_100, 2_500]))).toBe(
      'runs 2.1× slower (median 1,000 → 2,100 ms, p95 1,180 → 2,460)',
    );
    expect(describeChange('latency_ms', true, numeric([100]), numeric([80]))).toMatch(/^calls 20% faster/);
    expect(describeChange('tokens_per_run', false, numeric([1_000]), numeric([1_300]))).toMatch(
      /^30% more tokens per run \(median 1,000 → 1,300 tokens/,
    );
    expect(describeChange('steps_per_run', false, numeric([4, 4, 5, 9]), numeric([4, 4, 5, 30]))).toBe(
      'steps_per_run distribution changed (median 4.5 → 4.5 steps, p95 8.4 → 26.2)',
    );
  });

  it('names the category whose share moved most, preferring the one that grew on a tie', () => {
    const ref = counts([['search_kb', 100]]);
    const cur = counts([
      ['search_kb', 82],
      ['send_email', 18],
    ]);
    expect(describeChange('tool_call_mix', false, ref, cur)).toBe('send_email 0% → 18% of tool calls');
    expect(biggestShift(ref.counts, cur.counts)).toEqual({ label: 'send_email', from: 0, to: 0.18 });
  });

  it('gives per-run tool shares of runs, not of (run, tool) pairs', () => {
    // 100 runs each; in the current window 25 of them also call translate_text.
    const ref = { ...counts([['search_kb', 100]]), runs: 100 };
    const cur = {
      ...counts([
        ['search_kb', 100],
        ['translate_text', 25],
      ]),
      runs: 100,
    };
    expect(describeChange('tool_mix', false, ref, cur)).toBe('translate_text 0% → 25% of runs');
  });

  it('gives rates with their counts', () => {
    const text = describeChange(
      'llm_refusal_rate',
      false,
      { kind: 'rate', successes: 3, trials: 300 },
      { kind: 'rate', successes: 30, trials: 250 },
    );
    expect(text).toBe('1% → 12% of LLM calls refused (3/300 → 30/250)');
    expect(
      describeChange(
        'refusal_rate',
        false,
        { kind: 'rate', successes: 3, trials: 100 },
        { kind: 'rate', successes: 12, trials: 100 },
      ),
    ).toBe('3% → 12% of runs ended in a refusal (3/100 → 12/100)');
  });

  it('formats numbers, shares and p-values for people', () => {
    expect([formatNumber(1160.4), formatNumber(3.456), formatNumber(0.00213), formatNumber(0)]).toEqual([
      '1,160',
      '3.46',
      '0.0021',
      '0',
    ]);
    expect([formatPercent(0), formatPercent(0.0004), formatPercent(0.021), formatPercent(0.184)]).toEqual([
      '0%',
      '<0.1%',
      '2.1%',
      '18%',
    ]);
    expect([formatPValue(3.2e-9), formatPValue(0.0412), formatPValue(0)]).toEqual(['3e-9', '0.041', '<1e-300']);
    const base = { metric: 'tool_mix' as const, statistic: 0.31, threshold: 0.2 };
    expect(statsNote({ ...base, test: 'psi' })).toBe('(psi 0.31 ≥ 0.2)');
    expect(statsNote({ ...base, test: 'chi2', pValue: 3e-9, adjustedPValue: 9e-9 })).toBe(
      '(chi2 p=3e-9, adjusted 9e-9)',
    );
  });

  it('keeps control characters and huge labels out of the sentence', () => {
    const evil = `a\nb${'x'.repeat(100)}`;
    const text = describeChange('tool_mix', false, counts([['ok', 10]]), counts([[evil, 10]]));
    expect(text).not.toContain('\n');
    expect(text.length).toBeLessThan(120);
  });
});
