/**
 * Seeded pseudo-random numbers: one interface and one set of samplers for everything that must draw
 * the same stream on every machine: the drift noise floor and drift tests (a failing false-alarm
 * check must fail the same way everywhere), the demo's scripted model, and the test corpora. Not for
 * anything security-related (use node:crypto).
 */

/** A reproducible stream of uniform numbers in [0, 1) and samplers built on it. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** One of `items`, each equally likely (`items` not empty). */
  pick<T>(items: readonly T[]): T;
  /** `n` characters, each drawn from `alphabet`. */
  chars(alphabet: string, n: number): string;
  /** `n` uniform bytes. */
  bytes(n: number): Buffer;
  /** `n` lower-case hex digits. */
  hex(n: number): string;
  /** Normal with the given mean and standard deviation. */
  normal(mean?: number, sd?: number): number;
  /** exp(Normal(mu, sigma)): latencies, token counts and costs look like this. */
  lognormal(mu?: number, sigma?: number): number;
  /** Index drawn with probability proportional to `weights[i]` (weights ≥ 0, not all zero). */
  categoricalIndex(weights: readonly number[]): number;
  /** One of `categories`, drawn with probability proportional to `weights`. */
  categorical<T>(categories: readonly T[], weights: readonly number[]): T;
  /** True with probability `p`. */
  bernoulli(p: number): boolean;
  /** An in-place Fisher–Yates shuffle; returns the same array. */
  shuffle<T>(items: T[]): T[];
}

/**
 * The generator behind the stream. `sfc32` (the default) has 128 bits of state and 53-bit uniforms,
 * so the tails of derived samplers are not quantised at 2^-32: statistics want it. `mulberry32` is
 * smaller and coarser; the demo and the labelled test corpora (whose recall figures are published)
 * are defined by its stream, so they keep it.
 */
export type RandomAlgorithm = 'sfc32' | 'mulberry32';

/** Creates a generator; the same seed and algorithm always give the same stream. */
export function createRandom(seed: number, algorithm: RandomAlgorithm = 'sfc32'): Random {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  return withSamplers(algorithm === 'sfc32' ? sfc32(Math.trunc(seed)) : mulberry32(seed));
}

/** SplitMix32: spreads a small integer seed over the whole 128-bit state. */
function splitMix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** sfc32 seeded through SplitMix32; each uniform takes two draws for 53 bits. */
function sfc32(seed: number): () => number {
  const init = splitMix32(seed);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const nextUint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextUint32();
  return () => ((nextUint32() >>> 5) * 67108864 + (nextUint32() >>> 6)) / 9007199254740992;
}

/** mulberry32: one 32-bit draw per uniform. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function withSamplers(next: () => number): Random {
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const bytes = (n: number): Buffer => {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = int(0, 255);
    return b;
  };

  let spareNormal: number | undefined;
  const standardNormal = (): number => {
    if (spareNormal !== undefined) {
      const z = spareNormal;
      spareNormal = undefined;
      return z;
    }
    // Box–Muller; 1 − u keeps the logarithm's argument in (0, 1].
    const r = Math.sqrt(-2 * Math.log(1 - next()));
    const theta = 2 * Math.PI * next();
    spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  };

  const categoricalIndex = (weights: readonly number[]): number => {
    let total = 0;
    for (const w of weights) {
      if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`weights must be finite and >= 0, got ${w}`);
      total += w;
    }
    if (!(total > 0)) throw new RangeError('weights must not all be zero');
    let u = next() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i]!;
      if (u < 0) return i;
    }
    // Rounding can leave u a hair above zero: fall back to the last category with weight.
    for (let i = weights.length - 1; i >= 0; i--) if (weights[i]! > 0) return i;
    return weights.length - 1;
  };

  return {
    next,
    int,
    pick: (items) => items[int(0, items.length - 1)] as (typeof items)[number],
    chars: (alphabet, n) => {
      let s = '';
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(next() * alphabet.length)];
      return s;
    },
    bytes,
    hex: (n) =>
      bytes(Math.ceil(n / 2))
        .toString('hex')
        .slice(0, n),
    normal: (mean = 0, sd = 1) => mean + sd * standardNormal(),
    lognormal: (mu = 0, sigma = 1) => Math.exp(mu + sigma * standardNormal()),
    categoricalIndex,
    categorical: (categories, weights) => {
      if (categories.length !== weights.length) throw new RangeError('categories and weights differ in length');
      return categories[categoricalIndex(weights)]!;
    },
    bernoulli: (p) => next() < p,
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const tmp = items[i]!;
        items[i] = items[j]!;
        items[j] = tmp;
      }
      return items;
    },
  };
}
