/**
 * Two-sample tests for numeric metrics (latency, tokens, output length, steps per run). Inputs are
 * plain arrays; non-finite values are the caller's business (the verdict drops them first), here
 * they would make every result NaN.
 */
import { kolmogorovSurvival } from './special-functions.js';

export function sortedCopy(values: readonly number[]): number[] {
  // A typed-array sort is numeric (Array#sort would compare as strings).
  return Array.from(Float64Array.from(values).sort());
}

/** Linear-interpolation quantile (numpy's default, R type 7) of an ascending array. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

export function mean(values: readonly number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return values.length === 0 ? Number.NaN : sum / values.length;
}

/** Population standard deviation (ddof = 0, as numpy's `std` and Evidently use). */
export function populationStd(values: readonly number[]): number {
  const m = mean(values);
  let ss = 0;
  for (const v of values) ss += (v - m) * (v - m);
  return values.length === 0 ? Number.NaN : Math.sqrt(ss / values.length);
}

export type KsMethod = 'exact' | 'asymptotic';

export interface KsResult {
  /** D = sup |F_ref − F_cur|. */
  statistic: number;
  /** Two-sided P(D ≥ observed) under "same distribution". */
  pValue: number;
  method: KsMethod;
}

/** Above this m·n the O(m·n) exact recursion is skipped (≈ a few ms at the limit). */
export const KS_EXACT_MAX_PRODUCT = 1_000_000;

/** The KS statistic of two ascending arrays; ties are stepped over together, as in scipy. */
export function ksStatisticSorted(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const x = Math.min(a[i]!, b[j]!);
    while (i < n && a[i]! === x) i++;
    while (j < m && b[j]! === x) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  return d;
}

/**
 * Exact P(D ≥ d) for sample sizes m and n, assuming no ties (Hodges' lattice-path recursion as in R's
 * `psmirnov`; the running rescale by i/(i+n) keeps every cell a probability, so nothing overflows).
 * With ties the true p-value is smaller, so this errs toward "no drift".
 */
export function ksExactPValue(d: number, m: number, n: number): number {
  if (m > n) [m, n] = [n, m];
  // P(D < d) counts paths whose every |i/m − j/n| is strictly below d; the half-step guards rounding.
  const q = (0.5 + Math.floor(d * m * n - 1e-7)) / (m * n);
  const u = new Float64Array(n + 1);
  for (let j = 0; j <= n; j++) u[j] = j / n > q ? 0 : 1;
  for (let i = 1; i <= m; i++) {
    const w = i / (i + n);
    u[0] = i / m > q ? 0 : w * u[0]!;
    for (let j = 1; j <= n; j++) {
      u[j] = Math.abs(i / m - j / n) > q ? 0 : w * u[j]! + u[j - 1]!;
    }
  }
  return Math.min(1, Math.max(0, 1 - u[n]!));
}

/**
 * Asymptotic p-value: Kolmogorov's limit law at λ = (√nₑ + 0.12 + 0.11/√nₑ)·D with nₑ = mn/(m+n)
 * (Stephens' small-sample correction, as in Numerical Recipes' `kstwo`).
 */
export function ksAsymptoticPValue(d: number, m: number, n: number): number {
  const en = Math.sqrt((m * n) / (m + n));
  return kolmogorovSurvival((en + 0.12 + 0.11 / en) * d);
}

/** Two-sample Kolmogorov–Smirnov test; exact when m·n ≤ KS_EXACT_MAX_PRODUCT unless a method is forced. */
export function ksTwoSample(
  reference: readonly number[],
  current: readonly number[],
  options: { method?: KsMethod | 'auto' } = {},
): KsResult {
  const m = reference.length;
  const n = current.length;
  if (m === 0 || n === 0) throw new RangeError('KS needs two non-empty samples');
  const statistic = ksStatisticSorted(sortedCopy(reference), sortedCopy(current));
  const requested = options.method ?? 'auto';
  const method: KsMethod = requested === 'auto' ? (m * n <= KS_EXACT_MAX_PRODUCT ? 'exact' : 'asymptotic') : requested;
  const pValue = method === 'exact' ? ksExactPValue(statistic, m, n) : ksAsymptoticPValue(statistic, m, n);
  return { statistic, pValue, method };
}

/** Wasserstein-1 (earth mover's) distance between two ascending samples: ∫ |F_a(x) − F_b(x)| dx. */
export function wassersteinSorted(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let total = 0;
  while (i < n || j < m) {
    const x = j >= m || (i < n && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    while (i < n && a[i]! === x) i++;
    while (j < m && b[j]! === x) j++;
    if (i === n && j === m) break;
    const nextX = j >= m || (i < n && a[i]! <= b[j]!) ? a[i]! : b[j]!;
    total += Math.abs(i / n - j / m) * (nextX - x);
  }
  return total;
}

export function wasserstein(reference: readonly number[], current: readonly number[]): number {
  if (reference.length === 0 || current.length === 0) throw new RangeError('Wasserstein needs two non-empty samples');
  return wassersteinSorted(sortedCopy(reference), sortedCopy(current));
}

/** Floor on the reference spread, as in Evidently, so a constant reference does not divide by zero. */
export const WASSERSTEIN_MIN_STD = 0.001;

/**
 * Wasserstein-1 divided by the reference's standard deviation (Evidently's `wasserstein_distance_norm`):
 * a unit-free "how many reference σ did the mass move", so one threshold serves milliseconds and tokens.
 */
export function wassersteinNormalized(reference: readonly number[], current: readonly number[]): number {
  return wasserstein(reference, current) / Math.max(populationStd(reference), WASSERSTEIN_MIN_STD);
}

export interface PsiResult {
  statistic: number;
  /** Upper edges of all bins but the last (bins are (−∞, e₀], (e₀, e₁], …, (e_last, ∞)). */
  edges: number[];
  referenceShares: number[];
  currentShares: number[];
}

/** Share used for an empty bin (Evidently's value): keeps ln(c/r) finite. */
export const PSI_EMPTY_BIN_SHARE = 1e-4;

/** Bin shares of an ascending sample against upper edges. */
function binShares(sorted: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  let bin = 0;
  for (const v of sorted) {
    while (bin < edges.length && v > edges[bin]!) bin++;
    counts[bin]!++;
  }
  return counts.map((c) => c / sorted.length);
}

/**
 * Population Stability Index Σ (c − r)·ln(c / r) over bins cut at the reference's quantiles, so each
 * bin holds about the same reference mass and none is starved by a skewed metric. Repeated quantiles
 * (discrete metrics such as steps per run) collapse into one edge, so fewer bins may result; values
 * above the reference's range land in the last bin.
 */
export function psi(
  reference: readonly number[],
  current: readonly number[],
  options: { bins?: number } = {},
): PsiResult {
  const bins = options.bins ?? 10;
  if (!Number.isInteger(bins) || bins < 2) throw new RangeError(`PSI needs an integer bin count >= 2, got ${bins}`);
  if (reference.length === 0 || current.length === 0) throw new RangeError('PSI needs two non-empty samples');
  const ref = sortedCopy(reference);
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const edge = quantileSorted(ref, k / bins);
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge);
  }
  const referenceShares = binShares(ref, edges);
  const currentShares = binShares(sortedCopy(current), edges);
  let statistic = 0;
  for (let k = 0; k < referenceShares.length; k++) {
    const r = Math.max(referenceShares[k]!, PSI_EMPTY_BIN_SHARE);
    const c = Math.max(currentShares[k]!, PSI_EMPTY_BIN_SHARE);
    statistic += (c - r) * Math.log(c / r);
  }
  return { statistic, edges, referenceShares, currentShares };
}
