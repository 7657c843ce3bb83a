/**
 * Corrections for evaluating several drift tests at once. Each metric tested at α alone would, over k
 * metrics, raise a false alarm up to k·α of the time; these keep the whole set near α.
 */

export type CorrectionMethod = 'bonferroni' | 'benjamini-hochberg';

export interface CorrectionResult {
  /** Adjusted p-values, in input order (compare each with α directly). */
  adjusted: number[];
  /** Whether each hypothesis is rejected ("drift") at the family level α. */
  rejected: boolean[];
}

function checkPValues(pValues: readonly number[]): void {
  for (const p of pValues) {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`p-values must lie in [0, 1], got ${p}`);
  }
}

function checkAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must lie in (0, 1), got ${alpha}`);
}

/**
 * Bonferroni: p·k, capped at 1. Controls the family-wise error rate (chance of any false alarm) under
 * any dependence between metrics, which matters here: latency, tokens and output length move together.
 */
export function bonferroni(pValues: readonly number[], alpha = 0.05): CorrectionResult {
  checkPValues(pValues);
  checkAlpha(alpha);
  const k = pValues.length;
  const adjusted = pValues.map((p) => Math.min(1, p * k));
  return { adjusted, rejected: adjusted.map((p) => p < alpha) };
}

/**
 * Benjamini–Hochberg step-up: adjusted p₍ᵢ₎ = min over j ≥ i of p₍ⱼ₎·k/j (R's `p.adjust(method = "BH")`).
 * Controls the false discovery rate (share of flagged metrics that did not really drift) for independent
 * or positively dependent tests; more power than Bonferroni when many metrics are checked per agent.
 */
export function benjaminiHochberg(pValues: readonly number[], alpha = 0.05): CorrectionResult {
  checkPValues(pValues);
  checkAlpha(alpha);
  const k = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p || a.i - b.i);
  const adjusted = new Array<number>(k).fill(1);
  let running = 1;
  for (let rank = k; rank >= 1; rank--) {
    const { p, i } = order[rank - 1]!;
    running = Math.min(running, (p * k) / rank);
    adjusted[i] = running;
  }
  return { adjusted, rejected: adjusted.map((p) => p < alpha) };
}

/** Applies the chosen correction. */
export function correctPValues(pValues: readonly number[], method: CorrectionMethod, alpha = 0.05): CorrectionResult {
  return method === 'bonferroni' ? bonferroni(pValues, alpha) : benjaminiHochberg(pValues, alpha);
}

/**
 * Default family-wise α for one alert over several metrics. Stricter than the per-test 0.05 because an
 * evaluator re-tests every window: at 0.05 an agent evaluated hourly would raise a false alert about
 * once a day; at 0.01, about once in four days (Alibi Detect's "expected run-time" framing).
 */
export const DEFAULT_FAMILY_ALPHA = 0.01;

/**
 * One decision over several metrics: "something drifted" when any corrected p-value is below α.
 * When nothing drifted, the false discovery rate equals the chance of any false alarm, so both methods
 * keep a no-change window's alarm rate at or below α; BH fires more readily once something did drift.
 */
export function anyDrift(
  pValues: readonly number[],
  method: CorrectionMethod = 'bonferroni',
  alpha = DEFAULT_FAMILY_ALPHA,
): boolean {
  if (pValues.length === 0) return false;
  return correctPValues(pValues, method, alpha).rejected.some((r) => r);
}
