/** What a drift verdict shows about each window, so a reader can see what moved without the raw data. */
import type { RateCounts } from './categorical-tests.js';
import { mean, quantileSorted } from './numeric-tests.js';

export interface NumericSummary {
  n: number;
  /** Values dropped because they were NaN or infinite (traces are untrusted input). */
  nonFinite: number;
  mean: number | null;
  p50: number | null;
  p95: number | null;
  min: number | null;
  max: number | null;
}

export interface CategoryShare {
  category: string;
  count: number;
  share: number;
}

export interface CategoricalSummary {
  n: number;
  distinct: number;
  /** The most frequent categories, largest first (ties by name), at most `CATEGORY_SUMMARY_TOP`. */
  top: CategoryShare[];
}

export interface RateSummary {
  n: number;
  successes: number;
  rate: number | null;
}

export const CATEGORY_SUMMARY_TOP = 10;

/** Summary of an ascending array of finite values. */
export function summarizeNumeric(sorted: readonly number[], nonFinite = 0): NumericSummary {
  const empty = sorted.length === 0;
  return {
    n: sorted.length,
    nonFinite,
    mean: empty ? null : mean(sorted),
    p50: empty ? null : quantileSorted(sorted, 0.5),
    p95: empty ? null : quantileSorted(sorted, 0.95),
    min: empty ? null : sorted[0]!,
    max: empty ? null : sorted[sorted.length - 1]!,
  };
}

export function summarizeCategorical(
  counts: ReadonlyMap<string, number>,
  top = CATEGORY_SUMMARY_TOP,
): CategoricalSummary {
  let n = 0;
  let distinct = 0;
  for (const c of counts.values()) {
    n += c;
    if (c > 0) distinct++;
  }
  const shares = [...counts]
    .filter(([, count]) => count > 0)
    .sort(([a, ca], [b, cb]) => cb - ca || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, top)
    .map(([category, count]) => ({ category, count, share: count / n }));
  return { n, distinct, top: shares };
}

export function summarizeRate(rate: RateCounts): RateSummary {
  return { n: rate.trials, successes: rate.successes, rate: rate.trials > 0 ? rate.successes / rate.trials : null };
}
