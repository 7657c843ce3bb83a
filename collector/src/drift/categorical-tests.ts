/**
 * Tests for categorical metrics (tool-call mix, finish reason, error class) and rates (refusal, error,
 * schema failure). Category names come from traces, so they are only ever Map keys, never object keys.
 */
import { chiSquareSurvival, normalSurvival } from './special-functions.js';

export interface AlignedCounts {
  categories: string[];
  reference: number[];
  current: number[];
}

/** Puts two count maps on one category axis (union of keys, sorted so results never depend on input order). */
export function alignCounts(
  reference: ReadonlyMap<string, number>,
  current: ReadonlyMap<string, number>,
): AlignedCounts {
  const categories = [...new Set([...reference.keys(), ...current.keys()])].sort();
  return {
    categories,
    reference: categories.map((c) => reference.get(c) ?? 0),
    current: categories.map((c) => current.get(c) ?? 0),
  };
}

function checkCounts(counts: readonly number[], what: string): number {
  let total = 0;
  for (const c of counts) {
    if (!(c >= 0) || !Number.isFinite(c)) throw new RangeError(`${what} must hold finite counts >= 0, got ${c}`);
    total += c;
  }
  return total;
}

export interface JensenShannonResult {
  /** JS divergence in bits (log base 2), in [0, 1]. */
  divergence: number;
  /** √divergence: a metric, in [0, 1]; equals scipy's `jensenshannon(p, q, base=2)`. */
  distance: number;
}

/**
 * Jensen–Shannon divergence and distance of two distributions given as counts or shares on the same
 * axis (each side is normalised first). Base 2 so the distance is bounded by 1 whatever the number of
 * categories, which is what makes one fixed threshold meaningful (NannyML uses base 2 as well).
 */
export function jensenShannon(p: readonly number[], q: readonly number[]): JensenShannonResult {
  if (p.length !== q.length) throw new RangeError('distributions must have the same number of categories');
  const sp = checkCounts(p, 'p');
  const sq = checkCounts(q, 'q');
  if (!(sp > 0) || !(sq > 0)) throw new RangeError('distributions must not be all zero');
  let divergence = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i]! / sp;
    const b = q[i]! / sq;
    const m = (a + b) / 2;
    if (a > 0) divergence += 0.5 * a * Math.log2(a / m);
    if (b > 0) divergence += 0.5 * b * Math.log2(b / m);
  }
  // Rounding can leave a hair below 0 or above 1.
  divergence = Math.min(1, Math.max(0, divergence));
  return { divergence, distance: Math.sqrt(divergence) };
}

export interface ChiSquareResult {
  statistic: number;
  /** (rows − 1)·(columns − 1), counting only rows and columns with a non-zero total. */
  dof: number;
  pValue: number;
  /** Expected counts under homogeneity, same shape as the input table. */
  expected: number[][];
}

/**
 * Pearson chi-square test of homogeneity on a contingency table (rows = windows, columns = categories),
 * like scipy's `chi2_contingency`. All-zero rows and columns are ignored: a category seen in neither
 * window carries no evidence. `yates` applies the continuity correction when dof = 1 (scipy's default;
 * off here by default so the 2×2 case agrees with the two-proportion z-test: z² = χ²).
 */
export function chiSquareHomogeneity(
  table: readonly (readonly number[])[],
  options: { yates?: boolean } = {},
): ChiSquareResult {
  const rows = table.length;
  const cols = table[0]?.length ?? 0;
  const rowTotals = table.map((row, r) => {
    if (row.length !== cols) throw new RangeError('contingency table rows must have equal length');
    return checkCounts(row, `row ${r}`);
  });
  const colTotals = Array.from({ length: cols }, (_, c) => table.reduce((s, row) => s + row[c]!, 0));
  const total = rowTotals.reduce((s, v) => s + v, 0);
  const liveRows = rowTotals.filter((t) => t > 0).length;
  const liveCols = colTotals.filter((t) => t > 0).length;
  const dof = Math.max(0, (liveRows - 1) * (liveCols - 1));
  const expected = table.map((_, r) => colTotals.map((ct) => (total > 0 ? (rowTotals[r]! * ct) / total : 0)));
  if (dof === 0) return { statistic: 0, dof, pValue: 1, expected };
  const correct = options.yates === true && dof === 1;
  let statistic = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const e = expected[r]![c]!;
      if (e === 0) continue;
      let diff = Math.abs(table[r]![c]! - e);
      if (correct) diff -= Math.min(0.5, diff);
      statistic += (diff * diff) / e;
    }
  }
  return { statistic, dof, pValue: chiSquareSurvival(statistic, dof), expected };
}

export interface RateCounts {
  /** Events of interest (refusals, errors, schema failures). */
  successes: number;
  trials: number;
}

export interface ZTestResult {
  /** (current rate − reference rate) / pooled standard error; positive when the rate went up. */
  statistic: number;
  /** Two-sided. */
  pValue: number;
  referenceRate: number;
  currentRate: number;
}

function checkRate(rate: RateCounts, what: string): void {
  const { successes, trials } = rate;
  if (!Number.isFinite(trials) || !Number.isFinite(successes) || trials <= 0 || successes < 0 || successes > trials) {
    throw new RangeError(`${what} needs 0 <= successes <= trials and trials > 0, got ${successes}/${trials}`);
  }
}

/**
 * Pooled two-proportion z-test (statsmodels' `proportions_ztest` default). When both windows are all
 * zeros or all ones the standard error is 0 and there is nothing to detect: z = 0, p = 1.
 */
export function twoProportionZTest(reference: RateCounts, current: RateCounts): ZTestResult {
  checkRate(reference, 'reference');
  checkRate(current, 'current');
  const referenceRate = reference.successes / reference.trials;
  const currentRate = current.successes / current.trials;
  const pooled = (reference.successes + current.successes) / (reference.trials + current.trials);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / reference.trials + 1 / current.trials));
  if (!(se > 0)) return { statistic: 0, pValue: 1, referenceRate, currentRate };
  const statistic = (currentRate - referenceRate) / se;
  return { statistic, pValue: Math.min(1, 2 * normalSurvival(Math.abs(statistic))), referenceRate, currentRate };
}

/** A category axis after pooling; `pooled` counts every rare category that was merged into one column. */
export interface PooledCounts extends AlignedCounts {
  pooled: number;
}

/**
 * Merges categories whose expected count in the smaller window would be below `minExpected` into one
 * trailing column. The χ² approximation (and the JS noise estimate built on it) needs expected counts
 * of about 5; a long tail of rare tool names, which anyone can mint, would otherwise dominate.
 */
export function poolRareCategories(counts: AlignedCounts, minExpected = 5): PooledCounts {
  const nRef = counts.reference.reduce((s, c) => s + c, 0);
  const nCur = counts.current.reduce((s, c) => s + c, 0);
  const total = nRef + nCur;
  const smaller = Math.min(nRef, nCur);
  const out: PooledCounts = { categories: [], reference: [], current: [], pooled: 0 };
  let otherRef = 0;
  let otherCur = 0;
  counts.categories.forEach((category, i) => {
    const r = counts.reference[i]!;
    const c = counts.current[i]!;
    if (total > 0 && (smaller * (r + c)) / total >= minExpected) {
      out.categories.push(category);
      out.reference.push(r);
      out.current.push(c);
    } else if (r + c > 0) {
      otherRef += r;
      otherCur += c;
      out.pooled++;
    }
  });
  if (out.pooled > 0) {
    out.reference.push(otherRef);
    out.current.push(otherCur);
  }
  return out;
}
