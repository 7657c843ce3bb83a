import { describe, expect, it } from 'vitest';
import {
  chiSquareSurvival,
  erfc,
  kolmogorovSurvival,
  logGamma,
  normalCdf,
  normalSurvival,
  regularizedGammaP,
  regularizedGammaQ,
} from './special-functions.js';

// Reference values: Python's math.lgamma / math.erfc, closed forms (Poisson sums, odd-dof chi-square),
// and the scipy documentation (chisquare([16, 18, 16, 14, 12, 12]) → p = 0.84914503608460956).
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('logGamma', () => {
  it.each([
    [0.5, 0.5723649429247004],
    [1e-5, 11.512919692895824],
    [0.1, 2.2527126517342055],
    [3.7, 1.4280723266653883],
    [100.5, 361.4355404677776],
    [171.3, 708.114947038997],
  ])('ln Γ(%d)', (x, expected) => {
    expect(rel(logGamma(x), expected)).toBeLessThan(1e-12);
  });

  it('matches ln((n−1)!) for integers', () => {
    let logFactorial = 0;
    for (let n = 1; n <= 30; n++) {
      expect(Math.abs(logGamma(n) - logFactorial)).toBeLessThan(1e-12 * Math.max(1, logFactorial));
      logFactorial += Math.log(n);
    }
  });

  it('rejects non-positive arguments', () => {
    expect(() => logGamma(0)).toThrow(RangeError);
    expect(() => logGamma(Number.NaN)).toThrow(RangeError);
  });
});

describe('regularised incomplete gamma', () => {
  it('P(1, x) = 1 − e^−x and P + Q = 1', () => {
    for (const x of [1e-6, 0.3, 1, 2.5, 10, 50]) {
      expect(Math.abs(regularizedGammaP(1, x) - (1 - Math.exp(-x)))).toBeLessThan(1e-14);
      expect(Math.abs(regularizedGammaP(4.2, x) + regularizedGammaQ(4.2, x) - 1)).toBeLessThan(1e-14);
    }
  });

  it('Q(10, x) equals the Poisson sum e^−x Σ_{k<10} x^k/k!', () => {
    expect(rel(regularizedGammaQ(10, 3), 0.9988975118698844)).toBeLessThan(1e-12);
    expect(rel(regularizedGammaQ(10, 15), 0.06985366069940976)).toBeLessThan(1e-12);
    expect(rel(regularizedGammaQ(10, 30), 7.121750862815577e-6)).toBeLessThan(1e-10);
  });

  it('keeps relative precision deep in the upper tail', () => {
    // Q(1, x) = e^−x exactly; 1 − P would round to 0 here.
    expect(rel(regularizedGammaQ(1, 60), Math.exp(-60))).toBeLessThan(1e-12);
  });

  it('handles the edges', () => {
    expect(regularizedGammaP(2, 0)).toBe(0);
    expect(regularizedGammaQ(2, 0)).toBe(1);
    expect(regularizedGammaQ(2, Number.POSITIVE_INFINITY)).toBe(0);
    expect(() => regularizedGammaP(0, 1)).toThrow(RangeError);
    expect(() => regularizedGammaQ(1, -1)).toThrow(RangeError);
  });
});

describe('chiSquareSurvival', () => {
  it('reproduces scipy chisquare([16, 18, 16, 14, 12, 12]): χ² = 2, dof 5', () => {
    expect(rel(chiSquareSurvival(2, 5), 0.84914503608460956)).toBeLessThan(1e-12);
  });

  it('is e^(−x/2) for 2 degrees of freedom', () => {
    for (const x of [0.1, 2.7777777777777777, 20, 200])
      expect(rel(chiSquareSurvival(x, 2), Math.exp(-x / 2))).toBeLessThan(1e-12);
  });

  it('gives the textbook 5% critical values', () => {
    expect(Math.abs(chiSquareSurvival(3.841458820694124, 1) - 0.05)).toBeLessThan(1e-9);
    expect(Math.abs(chiSquareSurvival(16.918977604620448, 9) - 0.05)).toBeLessThan(1e-9);
  });
});

describe('normal distribution', () => {
  it('matches known quantiles and tails', () => {
    expect(Math.abs(normalCdf(1.959963984540054) - 0.975)).toBeLessThan(1e-14);
    expect(Math.abs(normalCdf(0) - 0.5)).toBeLessThan(1e-15);
    expect(rel(normalSurvival(8), 6.220960574271819e-16)).toBeLessThan(1e-10);
    expect(rel(normalCdf(-8), 6.220960574271819e-16)).toBeLessThan(1e-10);
    expect(Math.abs(erfc(-1) - (2 - erfc(1)))).toBeLessThan(1e-15);
  });
});

describe('kolmogorovSurvival', () => {
  it.each([
    [0.5, 0.9639452436648751],
    [1.0, 0.26999967167735456],
    [1.3581, 0.0499996304316674],
    [1.6276, 0.010001537333060776],
    [2.0, 0.0006709252557796953],
    [3.0, 3.045995948942526e-8],
  ])('Q_KS(%d)', (lambda, expected) => {
    expect(rel(kolmogorovSurvival(lambda), expected)).toBeLessThan(1e-9);
  });

  it('is 1 at and below 0 and decreasing', () => {
    expect(kolmogorovSurvival(0)).toBe(1);
    let prev = 1;
    for (let l = 0.05; l < 4; l += 0.05) {
      const q = kolmogorovSurvival(l);
      expect(q).toBeLessThanOrEqual(prev);
      prev = q;
    }
  });
});
