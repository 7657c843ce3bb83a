import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyDrift, benjaminiHochberg, bonferroni } from './multiple-comparisons.js';

describe('Bonferroni', () => {
  it('multiplies by the number of tests and caps at 1', () => {
    const r = bonferroni([0.01, 0.02, 0.4], 0.05);
    expect(r.adjusted[0]).toBeCloseTo(0.03, 12);
    expect(r.adjusted[1]).toBeCloseTo(0.06, 12);
    expect(r.adjusted[2]).toBe(1);
    expect(r.rejected).toEqual([true, false, false]);
  });
});

describe('Benjamini–Hochberg', () => {
  it('matches a hand computation of R p.adjust(c(0.01, 0.04, 0.03, 0.005), "BH")', () => {
    // Sorted 0.005, 0.01, 0.03, 0.04 → ×4/rank = 0.02, 0.02, 0.04, 0.04 (running minimum from the top).
    const r = benjaminiHochberg([0.01, 0.04, 0.03, 0.005], 0.05);
    [0.02, 0.04, 0.04, 0.02].forEach((p, i) => {
      expect(r.adjusted[i]).toBeCloseTo(p, 12);
    });
    expect(r.rejected).toEqual([true, true, true, true]);
  });

  it('rejects where Bonferroni does not', () => {
    expect(anyDrift([0.03, 0.04], 'bonferroni', 0.05)).toBe(false);
    expect(anyDrift([0.03, 0.04], 'benjamini-hochberg', 0.05)).toBe(true);
  });

  it('is never stricter than Bonferroni and keeps adjusted values monotone in the raw p-values', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 30 }), (ps) => {
        const bh = benjaminiHochberg(ps).adjusted;
        const bf = bonferroni(ps).adjusted;
        ps.forEach((p, i) => {
          expect(bh[i]!).toBeLessThanOrEqual(bf[i]! + 1e-15);
          expect(bh[i]!).toBeGreaterThanOrEqual(p - 1e-15);
          ps.forEach((q, j) => {
            if (p <= q) expect(bh[i]!).toBeLessThanOrEqual(bh[j]! + 1e-15);
          });
        });
      }),
    );
  });
});

describe('input checks', () => {
  it('rejects p-values outside [0, 1] and a bad alpha', () => {
    expect(() => bonferroni([1.2])).toThrow(RangeError);
    expect(() => benjaminiHochberg([Number.NaN])).toThrow(RangeError);
    expect(() => bonferroni([0.1], 0)).toThrow(RangeError);
    expect(anyDrift([])).toBe(false);
  });
});

describe('anyDrift', () => {
  it('uses a family-wise α of 0.01 by default', () => {
    expect(anyDrift([0.004, 0.9])).toBe(true);
    expect(anyDrift([0.006, 0.9])).toBe(false);
  });
});
