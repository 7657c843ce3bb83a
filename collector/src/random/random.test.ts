import { describe, expect, it } from 'vitest';
import { createRandom } from './random.js';

const N = 50_000;

describe('createRandom', () => {
  it('is reproducible per seed and differs between seeds', () => {
    const a = createRandom(42);
    const b = createRandom(42);
    const c = createRandom(43);
    const sa = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(sa);
  });

  it('draws uniforms in [0, 1) with the right mean and variance', () => {
    const rng = createRandom(1);
    const xs = Array.from({ length: N }, () => rng.next());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / N;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / N;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(0.002);
  });

  it('samples normals with the requested mean and standard deviation', () => {
    const rng = createRandom(2);
    const xs = Array.from({ length: N }, () => rng.normal(10, 3));
    const mean = xs.reduce((s, x) => s + x, 0) / N;
    const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / N);
    expect(Math.abs(mean - 10)).toBeLessThan(0.05);
    expect(Math.abs(sd - 3)).toBeLessThan(0.05);
    // About 95% within ±1.96σ.
    const inside = xs.filter((x) => Math.abs(x - 10) < 1.96 * 3).length / N;
    expect(Math.abs(inside - 0.95)).toBeLessThan(0.005);
  });

  it('samples lognormals whose median is e^mu', () => {
    const rng = createRandom(3);
    const xs = Array.from({ length: N }, () => rng.lognormal(2, 0.5)).sort((a, b) => a - b);
    expect(Math.abs(xs[N / 2]! / Math.exp(2) - 1)).toBeLessThan(0.02);
    expect(xs[0]!).toBeGreaterThan(0);
  });

  it('samples categories in proportion to their weights and never picks a zero weight', () => {
    const rng = createRandom(4);
    const counts = new Map<string, number>();
    for (let i = 0; i < N; i++) {
      const c = rng.categorical(['a', 'b', 'never', 'c'], [1, 2, 0, 7]);
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(counts.get('never')).toBeUndefined();
    expect(Math.abs(counts.get('a')! / N - 0.1)).toBeLessThan(0.01);
    expect(Math.abs(counts.get('c')! / N - 0.7)).toBeLessThan(0.01);
    expect(() => rng.categoricalIndex([0, 0])).toThrow(RangeError);
    expect(() => rng.categoricalIndex([1, -1])).toThrow(RangeError);
  });

  it('shuffles into a permutation', () => {
    const rng = createRandom(5);
    const items = Array.from({ length: 100 }, (_, i) => i);
    const shuffled = rng.shuffle([...items]);
    expect(shuffled).not.toEqual(items);
    expect([...shuffled].sort((a, b) => a - b)).toEqual(items);
  });

  it("keeps each algorithm's stream: the noise floor, the demo and the test corpora are defined by them", () => {
    const sfc = createRandom(42);
    expect([sfc.next(), sfc.next(), sfc.next()]).toEqual([
      0.23955312807799112, 0.09323416053257594, 0.4471016215948881,
    ]);
    const mulberry = createRandom(42, 'mulberry32');
    expect([mulberry.next(), mulberry.next(), mulberry.next()]).toEqual([
      0.6011037519201636, 0.44829055899754167, 0.8524657934904099,
    ]);
  });

  it.each(['sfc32', 'mulberry32'] as const)(
    'draws integers, picks, characters, bytes and hex in range (%s)',
    (algorithm) => {
      const rng = createRandom(9, algorithm);
      const ints = Array.from({ length: 5000 }, () => rng.int(-2, 3));
      expect(new Set(ints)).toEqual(new Set([-2, -1, 0, 1, 2, 3]));
      expect(new Set(Array.from({ length: 500 }, () => rng.pick(['a', 'b', 'c'])))).toEqual(new Set(['a', 'b', 'c']));
      expect(rng.chars('xyz', 40)).toMatch(/^[xyz]{40}$/);
      const bytes = rng.bytes(4096);
      expect(bytes).toHaveLength(4096);
      expect(new Set(bytes).size).toBe(256);
      expect(rng.hex(7)).toMatch(/^[0-9a-f]{7}$/);
    },
  );

  it('refuses a seed that is not a finite number', () => {
    expect(() => createRandom(Number.NaN)).toThrow(/seed must be a finite number/);
    expect(() => createRandom(Number.POSITIVE_INFINITY, 'mulberry32')).toThrow(/seed must be a finite number/);
  });
});
