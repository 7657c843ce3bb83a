import { describe, expect, it } from 'vitest';
import { createRandom, type Random } from '../random/random.js';
import { jensenShannon } from './categorical-tests.js';
import { jsNullExceedance, psiNullExceedance, wassersteinNullExceedance } from './noise-floor.js';
import { populationStd, psi, sortedCopy, wassersteinSorted } from './numeric-tests.js';

const TRIALS = 1500;
// Binomial standard error of an estimated rate near 0.3 over TRIALS trials is ≈ 0.012; allow ~4 of them.
const TOLERANCE = 0.05;

function simulatedRate(trials: number, exceeded: (rng: Random) => boolean, seed: number): number {
  const rng = createRandom(seed);
  let hits = 0;
  for (let t = 0; t < trials; t++) if (exceeded(rng)) hits++;
  return hits / trials;
}

describe('noise exceedance estimates agree with simulated no-change windows', () => {
  it('PSI (10 quantile bins, n = m = 200)', () => {
    const threshold = 0.1;
    const predicted = psiNullExceedance(threshold, 10, 200, 200);
    const observed = simulatedRate(
      TRIALS,
      (rng) => {
        const a = Array.from({ length: 200 }, () => rng.lognormal(5, 1));
        const b = Array.from({ length: 200 }, () => rng.lognormal(5, 1));
        return psi(a, b).statistic >= threshold;
      },
      101,
    );
    expect(predicted).toBeGreaterThan(0.2);
    expect(Math.abs(observed - predicted)).toBeLessThan(TOLERANCE);
  });

  it('Jensen–Shannon (5 categories, n = 300, m = 150)', () => {
    const threshold = 0.06;
    const predicted = jsNullExceedance(threshold, 5, 300, 150);
    const weights = [0.4, 0.25, 0.15, 0.12, 0.08];
    const counts = (rng: Random, n: number) => {
      const c = [0, 0, 0, 0, 0];
      for (let i = 0; i < n; i++) c[rng.categoricalIndex(weights)]!++;
      return c;
    };
    const observed = simulatedRate(
      TRIALS,
      (rng) => jensenShannon(counts(rng, 300), counts(rng, 150)).distance >= threshold,
      102,
    );
    expect(predicted).toBeGreaterThan(0.1);
    expect(Math.abs(observed - predicted)).toBeLessThan(TOLERANCE);
  });

  it.each([
    ['normal', (rng: Random) => rng.normal(100, 15)],
    ['lognormal', (rng: Random) => rng.lognormal(5, 0.8)],
  ])('normalised Wasserstein (%s, n = 400, m = 200)', (_name, draw) => {
    const threshold = 0.12;
    const setup = createRandom(103);
    const reference = sortedCopy(Array.from({ length: 400 }, () => draw(setup)));
    const predicted = wassersteinNullExceedance(reference, threshold, 200, 1000);
    // Resampling from the fixed reference mimics "same distribution" without knowing the true law.
    const observed = simulatedRate(
      TRIALS,
      (rng) => {
        const a = sortedCopy(Array.from({ length: 400 }, () => draw(rng)));
        const b = sortedCopy(Array.from({ length: 200 }, () => draw(rng)));
        return wassersteinSorted(a, b) / populationStd(a) >= threshold;
      },
      104,
    );
    expect(predicted).toBeGreaterThan(0.05);
    expect(Math.abs(observed - predicted)).toBeLessThan(TOLERANCE);
  });

  it('is deterministic for the same data', () => {
    const rng = createRandom(6);
    const reference = sortedCopy(Array.from({ length: 300 }, () => rng.lognormal(3, 1)));
    expect(wassersteinNullExceedance(reference, 0.15, 100)).toBe(wassersteinNullExceedance(reference, 0.15, 100));
  });

  it('falls to ~0 once windows are large', () => {
    expect(psiNullExceedance(0.2, 10, 5000, 5000)).toBeLessThan(1e-6);
    expect(jsNullExceedance(0.1, 10, 5000, 5000)).toBeLessThan(1e-6);
    const rng = createRandom(5);
    const reference = sortedCopy(Array.from({ length: 5000 }, () => rng.normal()));
    expect(wassersteinNullExceedance(reference, 0.1, 5000)).toBe(0);
  });
});
