import { describe, expect, it } from 'vitest';
import { createRandom } from '../random/random.js';
import {
  ksAsymptoticPValue,
  ksExactPValue,
  ksStatisticSorted,
  ksTwoSample,
  psi,
  quantileSorted,
  sortedCopy,
  wasserstein,
  wassersteinNormalized,
} from './numeric-tests.js';

/** Every way to split `pooled` into groups of sizes m and n: the exact permutation distribution of D. */
function bruteForceKsPValue(a: number[], b: number[]): number {
  const pooled = [...a, ...b];
  const m = a.length;
  const observed = ksStatisticSorted(sortedCopy(a), sortedCopy(b));
  let extreme = 0;
  let total = 0;
  const pick = (start: number, chosen: number[]): void => {
    if (chosen.length === m) {
      const chosenSet = new Set(chosen);
      const x = chosen.map((i) => pooled[i]!);
      const y = pooled.filter((_, i) => !chosenSet.has(i));
      total++;
      if (ksStatisticSorted(sortedCopy(x), sortedCopy(y)) >= observed - 1e-12) extreme++;
      return;
    }
    for (let i = start; i <= pooled.length - (m - chosen.length); i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return extreme / total;
}

describe('Kolmogorov–Smirnov', () => {
  it('measures the largest CDF gap, stepping over ties together', () => {
    expect(ksStatisticSorted([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(ksStatisticSorted([1, 2, 3], [4, 5, 6])).toBe(1);
    // At x = 3: F_a = 3/3, F_b = 2/4 → 1/2 (at x = 2 the gap is only 2/3 − 1/4).
    expect(ksStatisticSorted([1, 2, 3], [2, 3, 4, 5])).toBeCloseTo(0.5, 12);
  });

  it('gives 2/C(2n, n) for completely separated samples', () => {
    expect(ksExactPValue(1, 5, 5)).toBeCloseTo(2 / 252, 12);
    expect(ksExactPValue(1, 3, 3)).toBeCloseTo(2 / 20, 12);
  });

  it('matches the brute-force permutation p-value on small samples', () => {
    const rng = createRandom(7);
    for (const [m, n] of [
      [4, 4],
      [5, 7],
      [6, 6],
      [3, 9],
      [7, 5],
    ] as const) {
      for (let trial = 0; trial < 6; trial++) {
        const shift = trial * 0.3;
        const a = Array.from({ length: m }, () => rng.normal());
        const b = Array.from({ length: n }, () => rng.normal(shift));
        const exact = ksTwoSample(a, b, { method: 'exact' });
        expect(exact.pValue).toBeCloseTo(bruteForceKsPValue(a, b), 10);
      }
    }
  });

  it('switches to the asymptotic law for large samples, which agrees with the exact one', () => {
    const rng = createRandom(11);
    const a = Array.from({ length: 400 }, () => rng.normal());
    const b = Array.from({ length: 300 }, () => rng.normal(0.2));
    const exact = ksTwoSample(a, b, { method: 'exact' });
    const asymptotic = ksTwoSample(a, b, { method: 'asymptotic' });
    expect(Math.abs(exact.pValue - asymptotic.pValue)).toBeLessThan(0.01);
    expect(ksTwoSample(a, b).method).toBe('exact');
    const big = Array.from({ length: 5000 }, () => rng.normal());
    expect(ksTwoSample(big, b).method).toBe('asymptotic');
  });

  it('uses the effective-n correction (λ = (√nₑ + 0.12 + 0.11/√nₑ)·D)', () => {
    // nₑ = 100·100/200 = 50; D = 0.2 → λ = (√50 + 0.12 + 0.11/√50)·0.2 ≈ 1.4416 → Q_KS ≈ 0.0313.
    expect(ksAsymptoticPValue(0.2, 100, 100)).toBeCloseTo(0.0313, 3);
  });

  it('refuses empty samples', () => {
    expect(() => ksTwoSample([], [1])).toThrow(RangeError);
  });
});

describe('Wasserstein-1', () => {
  it('reproduces scipy wasserstein_distance([0, 1, 3], [5, 6, 8]) = 5', () => {
    expect(wasserstein([0, 1, 3], [5, 6, 8])).toBeCloseTo(5, 12);
    expect(wasserstein([5, 6, 8], [0, 1, 3])).toBeCloseTo(5, 12);
  });

  it('equals the integral of the quantile-function gap (brute force on a common grid)', () => {
    const rng = createRandom(3);
    for (let trial = 0; trial < 20; trial++) {
      const a = sortedCopy(Array.from({ length: 1 + rng.int(0, 8) }, () => rng.int(0, 5)));
      const b = sortedCopy(Array.from({ length: 1 + rng.int(0, 8) }, () => rng.lognormal()));
      const L = a.length * b.length;
      let brute = 0;
      for (let k = 0; k < L; k++) brute += Math.abs(a[Math.floor(k / b.length)]! - b[Math.floor(k / a.length)]!);
      expect(wasserstein(a, b)).toBeCloseTo(brute / L, 10);
    }
  });

  it('normalises by the reference population standard deviation (Evidently)', () => {
    // std([0, 1, 3]) with ddof = 0 is √(42/27).
    expect(wassersteinNormalized([0, 1, 3], [5, 6, 8])).toBeCloseTo(5 / Math.sqrt(42 / 27), 12);
    // A constant reference uses the 0.001 floor instead of dividing by zero.
    expect(wassersteinNormalized([2, 2, 2], [3, 3])).toBeCloseTo(1000, 9);
  });
});

describe('PSI', () => {
  const reference = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

  it('cuts bins at reference quantiles', () => {
    expect(psi(reference, reference, { bins: 2 }).edges).toEqual([5.5]);
    expect(psi(reference, reference).edges).toHaveLength(9);
    expect(psi(reference, reference).statistic).toBe(0);
  });

  it('matches a hand computation', () => {
    // Current: 3 of 8 at or below 5.5 → Σ (c − r)·ln(c/r) over shares (0.5, 0.5) → (0.375, 0.625).
    const expected = (0.375 - 0.5) * Math.log(0.375 / 0.5) + (0.625 - 0.5) * Math.log(0.625 / 0.5);
    expect(psi(reference, [1, 2, 3, 7, 8, 9, 10, 11], { bins: 2 }).statistic).toBeCloseTo(expected, 12);
  });

  it('gives an empty bin a share of 1e-4 instead of an infinite term', () => {
    const expected = 0.5 * Math.log(2) + (1e-4 - 0.5) * Math.log(1e-4 / 0.5);
    expect(psi(reference, [1, 2, 3], { bins: 2 }).statistic).toBeCloseTo(expected, 12);
  });

  it('collapses repeated quantiles of a discrete metric, and still sees a constant reference move', () => {
    const steps = [1, 1, 1, 1, 2, 2, 2, 3, 3, 4];
    // Quantiles at 0.1…0.9 (type 7): 1, 1, 1, 1.6, 2, 2, 2.3, 3, 3.1 → six distinct edges, seven bins.
    const edges = psi(steps, steps, { bins: 10 }).edges;
    expect(edges).toHaveLength(6);
    [1, 1.6, 2, 2.3, 3, 3.1].forEach((e, i) => {
      expect(edges[i]).toBeCloseTo(e, 12);
    });
    const constant = psi([5, 5, 5, 5], [6, 6, 6]);
    expect(constant.edges).toEqual([5]);
    expect(constant.statistic).toBeGreaterThan(5);
  });

  it('rejects a bad bin count', () => {
    expect(() => psi(reference, reference, { bins: 1 })).toThrow(RangeError);
  });
});

describe('quantileSorted', () => {
  it('interpolates linearly like numpy', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, 3, 4], 0.95)).toBeCloseTo(3.85, 12);
    expect(quantileSorted([7], 0.3)).toBe(7);
  });
});
