import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../errors/errors.js';
import { createRandom } from '../random/random.js';
import type { CategoricalSummary, NumericSummary, RateSummary } from './summaries.js';
import { type DriftRequest, evaluateDrift } from './verdict.js';

const normals = (seed: number, n: number, mean = 0, sd = 1) => {
  const rng = createRandom(seed);
  return Array.from({ length: n }, () => rng.normal(mean, sd));
};

describe('evaluateDrift: minimum sample sizes', () => {
  it('says insufficient_data below 100 reference or 30 current observations, with summaries', () => {
    const v = evaluateDrift({ kind: 'numeric', test: 'ks', reference: normals(1, 99), current: normals(2, 500, 5) });
    expect(v.state).toBe('insufficient_data');
    expect(v.statistic).toBeNull();
    expect(v.reason).toContain('at least 100 reference');
    expect((v.referenceSummary as NumericSummary).n).toBe(99);
    const enough = evaluateDrift({
      kind: 'numeric',
      test: 'ks',
      reference: normals(1, 100),
      current: normals(2, 30, 5),
    });
    expect(enough.state).toBe('drift');
  });

  it('honours custom minimums', () => {
    const request: DriftRequest = {
      kind: 'rate',
      test: 'ztest',
      reference: { successes: 1, trials: 50 },
      current: { successes: 30, trials: 50 },
    };
    expect(evaluateDrift(request).state).toBe('insufficient_data');
    expect(evaluateDrift({ ...request, minReference: 50 }).state).toBe('drift');
  });
});

describe('evaluateDrift: numeric', () => {
  it('detects a latency shift with KS and reports a p-value and summaries', () => {
    const v = evaluateDrift({
      kind: 'numeric',
      test: 'ks',
      reference: normals(3, 300, 200, 20),
      current: normals(4, 100, 230, 20),
    });
    expect(v).toMatchObject({ state: 'drift', test: 'ks', threshold: 0.02, thresholdOn: 'p-value' });
    expect(v.pValue).toBeLessThan(1e-6);
    const cur = v.currentSummary as NumericSummary;
    expect(cur.n).toBe(100);
    expect(cur.mean!).toBeGreaterThan(220);
    expect(cur.p50!).toBeLessThan(cur.p95!);
    expect(cur.min!).toBeLessThanOrEqual(cur.p50!);
    expect(cur.max!).toBeGreaterThanOrEqual(cur.p95!);
  });

  it('calls a significant but tiny shift no drift: KS needs D ≥ 0.1 unless the rule says otherwise', () => {
    // 20,000 against 20,000: a shift of 0.06 σ is significant (p ≈ 1e-8) and moves D by about 0.025.
    const reference = normals(3, 20_000);
    const current = normals(4, 20_000, 0.06);
    const v = evaluateDrift({ kind: 'numeric', test: 'ks', reference, current });
    expect(v.pValue).toBeLessThan(1e-4);
    expect(v.statistic).toBeLessThan(0.1);
    expect(v.state).toBe('ok');
    expect(evaluateDrift({ kind: 'numeric', test: 'ks', reference, current, minEffect: 0 }).state).toBe('drift');
    // A real change clears the floor at any size.
    const longer = evaluateDrift({ kind: 'numeric', test: 'ks', reference, current: normals(5, 300, 0.75) });
    expect(longer.state).toBe('drift');
  });

  it('drops NaN and infinite values and counts them', () => {
    const current = [...normals(5, 50), Number.NaN, Number.POSITIVE_INFINITY];
    const v = evaluateDrift({ kind: 'numeric', test: 'ks', reference: normals(6, 200), current });
    expect(v.state).toBe('ok');
    expect(v.currentSummary).toMatchObject({ n: 50, nonFinite: 2 });
  });

  it('refuses a distance verdict when the windows are too small for the threshold to mean anything', () => {
    const v = evaluateDrift({ kind: 'numeric', test: 'psi', reference: normals(7, 100), current: normals(8, 30) });
    expect(v.state).toBe('insufficient_data');
    expect(v.statistic).toBeGreaterThan(0);
    expect(v.reason).toMatch(/noise alone would cross it/);
    const w = evaluateDrift({
      kind: 'numeric',
      test: 'wasserstein',
      reference: normals(7, 100),
      current: normals(8, 30),
    });
    expect(w.state).toBe('insufficient_data');
  });

  it('gives PSI and Wasserstein verdicts on large windows', () => {
    const reference = normals(9, 5000);
    const same = normals(10, 3000);
    const shifted = normals(11, 3000, 0.5);
    for (const test of ['psi', 'wasserstein'] as const) {
      expect(evaluateDrift({ kind: 'numeric', test, reference, current: same }).state).toBe('ok');
      const v = evaluateDrift({ kind: 'numeric', test, reference, current: shifted });
      expect(v).toMatchObject({ state: 'drift', thresholdOn: 'statistic' });
      expect(v.pValue).toBeUndefined();
    }
    // A half-σ shift moves about 0.5 σ of mass.
    const w = evaluateDrift({ kind: 'numeric', test: 'wasserstein', reference, current: shifted });
    expect(w.statistic!).toBeGreaterThan(0.4);
    expect(w.statistic!).toBeLessThan(0.6);
  });
});

describe('evaluateDrift: categorical', () => {
  const tools = (seed: number, n: number, weights: number[]) => {
    const rng = createRandom(seed);
    return Array.from({ length: n }, () => rng.categorical(['search', 'fetch', 'write', 'shell'], weights));
  };

  it('detects a change in the tool-call mix with chi2 and summarises top categories', () => {
    const v = evaluateDrift({
      kind: 'categorical',
      test: 'chi2',
      reference: tools(1, 400, [5, 3, 1, 1]),
      current: tools(2, 150, [2, 2, 1, 5]),
    });
    expect(v.state).toBe('drift');
    const cur = v.currentSummary as CategoricalSummary;
    expect(cur.n).toBe(150);
    expect(cur.top[0]!.category).toBe('shell');
    expect(cur.top.reduce((s, c) => s + c.share, 0)).toBeCloseTo(1, 12);
    expect((v.referenceSummary as CategoricalSummary).top[0]!.category).toBe('search');
  });

  it('accepts counts as a Map and treats label text as data', () => {
    const reference = new Map([
      ['__proto__', 500],
      ['constructor', 500],
    ]);
    const same = new Map([
      ['__proto__', 250],
      ['constructor', 250],
    ]);
    expect(evaluateDrift({ kind: 'categorical', test: 'chi2', reference, current: same }).state).toBe('ok');
    expect(evaluateDrift({ kind: 'categorical', test: 'js', reference, current: same }).state).toBe('ok');
    const moved = new Map([
      ['__proto__', 100],
      ['constructor', 400],
    ]);
    expect(evaluateDrift({ kind: 'categorical', test: 'js', reference, current: moved }).state).toBe('drift');
  });
});

describe('evaluateDrift: rates', () => {
  it('z-test and chi2 agree on a refusal-rate jump, from booleans or counts', () => {
    const rng = createRandom(12);
    const reference = Array.from({ length: 500 }, () => rng.bernoulli(0.05));
    const current = Array.from({ length: 200 }, () => rng.bernoulli(0.15));
    const z = evaluateDrift({ kind: 'rate', test: 'ztest', reference, current });
    const chi = evaluateDrift({ kind: 'rate', test: 'chi2', reference, current });
    expect(z.state).toBe('drift');
    expect(z.statistic!).toBeGreaterThan(0);
    expect(chi.pValue).toBeCloseTo(z.pValue!, 12);
    const counts = (xs: boolean[]) => ({ successes: xs.filter(Boolean).length, trials: xs.length });
    const fromCounts = evaluateDrift({
      kind: 'rate',
      test: 'ztest',
      reference: counts(reference),
      current: counts(current),
    });
    expect(fromCounts.pValue).toBe(z.pValue);
    expect((z.currentSummary as RateSummary).rate).toBe(counts(current).successes / 200);
  });
});

describe('evaluateDrift: bad requests', () => {
  it('throws BadInputError for a test that does not fit the kind, a bad threshold or bad counts', () => {
    const bad = { kind: 'numeric', test: 'chi2', reference: [1], current: [1] } as unknown as DriftRequest;
    expect(() => evaluateDrift(bad)).toThrow(BadInputError);
    expect(() => evaluateDrift({ kind: 'numeric', test: 'ks', reference: [], current: [], threshold: 1.5 })).toThrow(
      /threshold/,
    );
    expect(() => evaluateDrift({ kind: 'numeric', test: 'ks', reference: [], current: [], minCurrent: 0 })).toThrow(
      BadInputError,
    );
    expect(() =>
      evaluateDrift({ kind: 'rate', test: 'ztest', reference: { successes: 3, trials: 2 }, current: [true] }),
    ).toThrow(BadInputError);
    expect(() =>
      evaluateDrift({ kind: 'categorical', test: 'chi2', reference: new Map([['a', -1]]), current: ['a'] }),
    ).toThrow(BadInputError);
  });
});

describe('evaluateDrift: properties', () => {
  const numericSample = fc.oneof(
    fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 100, maxLength: 300 }),
    fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 100, maxLength: 300 }),
  );

  it('never reports drift when both windows hold the same data', () => {
    fc.assert(
      fc.property(numericSample, fc.constantFrom('ks', 'wasserstein', 'psi'), (sample, test) => {
        expect(
          evaluateDrift({ kind: 'numeric', test, reference: sample, current: [...sample].reverse() }).state,
        ).not.toBe('drift');
      }),
      { numRuns: 60 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.string({ maxLength: 3 }), { minLength: 100, maxLength: 300 }),
        fc.constantFrom('js', 'chi2'),
        (labels, test) => {
          expect(evaluateDrift({ kind: 'categorical', test, reference: labels, current: labels }).state).not.toBe(
            'drift',
          );
        },
      ),
      { numRuns: 60 },
    );
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 100, maxLength: 300 }),
        fc.constantFrom('ztest', 'chi2'),
        (xs, test) => {
          expect(evaluateDrift({ kind: 'rate', test, reference: xs, current: xs }).state).not.toBe('drift');
        },
      ),
      { numRuns: 60 },
    );
  });

  it('always reports drift for a large shift once the windows meet the minimums', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 100, max: 500 }),
        fc.integer({ min: 30, max: 200 }),
        fc.double({ min: 0.01, max: 1e4, noNaN: true }),
        (seed, n, m, sd) => {
          const reference = normals(seed, n, 0, sd);
          const current = normals(seed + 1, m, 10 * sd, sd);
          expect(evaluateDrift({ kind: 'numeric', test: 'ks', reference, current }).state).toBe('drift');
          const rng = createRandom(seed);
          const before = Array.from({ length: n }, () => rng.categorical(['a', 'b', 'c'], [1, 1, 1]));
          const after = Array.from({ length: m }, () => rng.categorical(['c', 'd', 'e'], [1, 1, 1]));
          expect(evaluateDrift({ kind: 'categorical', test: 'chi2', reference: before, current: after }).state).toBe(
            'drift',
          );
          const rate = { successes: rng.int(0, Math.ceil(n / 100) - 1), trials: n };
          const jumped = { successes: Math.ceil(m / 2) + rng.int(0, Math.floor(m / 2) - 1), trials: m };
          expect(evaluateDrift({ kind: 'rate', test: 'ztest', reference: rate, current: jumped }).state).toBe('drift');
        },
      ),
      { numRuns: 100 },
    );
  });

  it('distance tests report drift for a large shift once windows are large enough for their thresholds (thousands)', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 4000, max: 6000 }),
        fc.integer({ min: 2500, max: 4000 }),
        (seed, n, m) => {
          const reference = normals(seed, n, 50, 5);
          const current = normals(seed + 1, m, 60, 5);
          expect(evaluateDrift({ kind: 'numeric', test: 'wasserstein', reference, current }).state).toBe('drift');
          expect(evaluateDrift({ kind: 'numeric', test: 'psi', reference, current }).state).toBe('drift');
          const rng = createRandom(seed);
          const before = Array.from({ length: n }, () => rng.categorical(['a', 'b', 'c', 'd'], [4, 3, 2, 1]));
          const after = Array.from({ length: m }, () => rng.categorical(['a', 'b', 'c', 'd'], [1, 2, 3, 4]));
          expect(evaluateDrift({ kind: 'categorical', test: 'js', reference: before, current: after }).state).toBe(
            'drift',
          );
        },
      ),
      { numRuns: 15 },
    );
  });
});
