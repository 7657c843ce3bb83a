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
});
