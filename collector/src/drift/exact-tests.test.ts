import { describe, expect, it } from 'vitest';
import { createRandom } from '../random/random.js';
import { exactMidP, smallestExpectedCount } from './exact-tests.js';
import { evaluateDrift } from './verdict.js';

const rate = (successes: number, trials: number) => ({ successes, trials });

describe('exactMidP', () => {
  // scipy 1.17: fisher_exact(table).pvalue − hypergeom(N, K, n).pmf(observed) / 2 (no other table
  // as likely as the observed one in these).
  it.each([
    [rate(29, 960), rate(5, 40), 0.0055051011314782],
    [rate(0, 1000), rate(3, 40), 2.6426032145181842e-5],
    [rate(500, 100_000), rate(20, 2000), 0.00492448853766396],
    [rate(10, 20), rate(0, 5), 0.033003952569169964],
    [rate(5, 1000), rate(2, 40), 0.014235233059238387],
    [rate(29, 960), rate(0, 40), 0.4750984061385189],
  ])('%o vs %o → %f (scipy)', (ref, cur, expected) => {
    expect(exactMidP(ref, cur)).toBeCloseTo(expected, 10);
  });

  it('halves every table as likely as the observed one, not only the observed one', () => {
    // Hypergeometric(8, 4, 4): 1, 16, 36, 16, 1 (/70). Observed 1: less likely 0 and 4, as likely 1 and 3.
    expect(exactMidP(rate(3, 4), rate(1, 4))).toBeCloseTo((2 + 32 / 2) / 70, 12);
  });

  it('is 1 when nothing can differ (no successes at all, or all of them)', () => {
    expect(exactMidP(rate(0, 500), rate(0, 40))).toBe(1);
    expect(exactMidP(rate(500, 500), rate(40, 40))).toBe(1);
  });

  it('stays fast and finite on millions of trials', () => {
    const p = exactMidP(rate(30_000, 1_000_000), rate(40_000, 1_000_000));
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(1e-100);
  });
});

describe('ztest on few expected successes', () => {
  it('switches to the exact mid-p below 5 expected in any cell, and keeps the z statistic', () => {
    expect(smallestExpectedCount(rate(29, 960), rate(5, 40))).toBeLessThan(5);
    const v = evaluateDrift({ kind: 'rate', test: 'ztest', reference: rate(29, 960), current: rate(5, 40) });
    expect(v.pValue).toBeCloseTo(0.0055051011314782, 10);
    expect(v.statistic).toBeGreaterThan(3); // the normal approximation alone would say p ≈ 0.001
  });

  it('keeps a rare event calibrated: 0.5% errors, 40 runs, 2,000 windows alarm at most at the nominal 2%', () => {
    const random = createRandom(42);
    let alarms = 0;
    const windows = 2000;
    for (let i = 0; i < windows; i++) {
      const draw = (n: number) => {
        let s = 0;
        for (let j = 0; j < n; j++) if (random.next() < 0.005) s++;
        return rate(s, n);
      };
      const v = evaluateDrift({
        kind: 'rate',
        test: 'ztest',
        reference: draw(960),
        current: draw(40),
        minReference: 1,
      });
      if (v.state === 'drift') alarms++;
    }
    // The plain z-test alarms on 2 errors in 40 (p ≈ 1e-4 there); the chance of that is ≈ 1.7%.
    expect(alarms / windows).toBeLessThanOrEqual(0.02);
  });
});
