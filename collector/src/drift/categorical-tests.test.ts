import { describe, expect, it } from 'vitest';
import {
  alignCounts,
  chiSquareHomogeneity,
  jensenShannon,
  poolRareCategories,
  twoProportionZTest,
} from './categorical-tests.js';

describe('Jensen–Shannon', () => {
  it('reproduces scipy jensenshannon([1, 0, 0], [0, 1, 0], base=2) = 1', () => {
    const r = jensenShannon([1, 0, 0], [0, 1, 0]);
    expect(r.distance).toBeCloseTo(1, 12);
    expect(r.divergence).toBeCloseTo(1, 12);
  });

  it('reproduces scipy jensenshannon([1, 0], [0.5, 0.5]) = 0.4645014 (natural log), converted to base 2', () => {
    // A base-2 divergence is the natural-log one divided by ln 2, so the distance scales by 1/√ln 2.
    expect(jensenShannon([1, 0], [0.5, 0.5]).distance).toBeCloseTo(0.46450140402245893 / Math.sqrt(Math.LN2), 12);
  });

  it('normalises counts and is symmetric and zero for equal shares', () => {
    expect(jensenShannon([2, 6], [10, 30]).distance).toBe(0);
    expect(jensenShannon([3, 1, 4], [1, 5, 9]).distance).toBeCloseTo(jensenShannon([1, 5, 9], [3, 1, 4]).distance, 14);
  });

  it('rejects mismatched, negative or empty inputs', () => {
    expect(() => jensenShannon([1], [1, 2])).toThrow(RangeError);
    expect(() => jensenShannon([1, -1], [1, 2])).toThrow(RangeError);
    expect(() => jensenShannon([0, 0], [1, 2])).toThrow(RangeError);
  });
});

describe('chi-square test of homogeneity', () => {
  it('reproduces scipy chi2_contingency([[10, 10, 20], [20, 20, 20]])', () => {
    const r = chiSquareHomogeneity([
      [10, 10, 20],
      [20, 20, 20],
    ]);
    expect(r.statistic).toBeCloseTo(2.7777777777777777, 12);
    expect(r.dof).toBe(2);
    expect(r.pValue).toBeCloseTo(0.24935220877729619, 12);
    expect(r.expected).toEqual([
      [12, 12, 16],
      [18, 18, 24],
    ]);
  });

  it('applies the Yates correction only on request and only at dof 1', () => {
    const table = [
      [12, 8],
      [5, 15],
    ];
    // Expected 8.5 / 11.5 in every cell pair; |O − E| = 3.5 → 3.0 with the correction.
    const plain = (3.5 ** 2 / 8.5 + 3.5 ** 2 / 11.5) * 2;
    const corrected = (3 ** 2 / 8.5 + 3 ** 2 / 11.5) * 2;
    expect(chiSquareHomogeneity(table).statistic).toBeCloseTo(plain, 12);
    expect(chiSquareHomogeneity(table, { yates: true }).statistic).toBeCloseTo(corrected, 12);
  });

  it('ignores categories seen in neither window and has nothing to say with one category', () => {
    const withEmpty = chiSquareHomogeneity([
      [10, 0, 20],
      [20, 0, 20],
    ]);
    expect(withEmpty.dof).toBe(1);
    expect(
      chiSquareHomogeneity([
        [10, 0],
        [20, 0],
      ]),
    ).toMatchObject({ statistic: 0, dof: 0, pValue: 1 });
  });
});

describe('two-proportion z-test', () => {
  it('matches a hand computation: 10/100 vs 20/100', () => {
    // Pooled 0.15, SE = √(0.15·0.85·0.02) → z = 1.980295, two-sided p = 0.047676.
    const r = twoProportionZTest({ successes: 10, trials: 100 }, { successes: 20, trials: 100 });
    expect(r.statistic).toBeCloseTo(0.1 / Math.sqrt(0.15 * 0.85 * 0.02), 12);
    expect(r.pValue).toBeCloseTo(0.04767, 4);
    expect(r.currentRate).toBe(0.2);
  });

  it('agrees with the 2×2 chi-square test: z² = χ² and equal p-values', () => {
    const z = twoProportionZTest({ successes: 7, trials: 130 }, { successes: 19, trials: 80 });
    const chi = chiSquareHomogeneity([
      [7, 123],
      [19, 61],
    ]);
    expect(z.statistic ** 2).toBeCloseTo(chi.statistic, 10);
    expect(z.pValue).toBeCloseTo(chi.pValue, 12);
    expect(z.statistic).toBeGreaterThan(0);
  });

  it('has nothing to detect when both windows are all-zero', () => {
    expect(twoProportionZTest({ successes: 0, trials: 50 }, { successes: 0, trials: 40 }).pValue).toBe(1);
  });

  it('rejects impossible counts', () => {
    expect(() => twoProportionZTest({ successes: 5, trials: 3 }, { successes: 0, trials: 1 })).toThrow(RangeError);
    expect(() => twoProportionZTest({ successes: 0, trials: 0 }, { successes: 0, trials: 1 })).toThrow(RangeError);
  });
});

describe('category alignment and pooling', () => {
  it('aligns two count maps on a sorted union of categories, even odd names', () => {
    const a = alignCounts(
      new Map([
        ['search', 3],
        ['__proto__', 1],
      ]),
      new Map([['fetch', 2]]),
    );
    expect(a).toEqual({ categories: ['__proto__', 'fetch', 'search'], reference: [1, 0, 3], current: [0, 2, 0] });
  });

  it('pools categories whose expected count in the smaller window is below 5 into one trailing column', () => {
    const aligned = alignCounts(
      new Map([
        ['a', 500],
        ['b', 400],
        ['rare1', 3],
        ['rare2', 2],
      ]),
      new Map([
        ['a', 50],
        ['b', 45],
        ['rare3', 1],
      ]),
    );
    const pooled = poolRareCategories(aligned);
    expect(pooled.categories).toEqual(['a', 'b']);
    expect(pooled.pooled).toBe(3);
    expect(pooled.reference).toEqual([500, 400, 5]);
    expect(pooled.current).toEqual([50, 45, 1]);
  });
});
