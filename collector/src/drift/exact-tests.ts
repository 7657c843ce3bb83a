/**
 * Exact p-values for two proportions when the counts are too small for the normal approximation.
 *
 * The pooled z-test is anti-conservative when a window expects only a few successes: 40 runs at a 3%
 * refusal rate expect 1.2 refusals, and 5 of them give z's p ≈ 0.001 where the chance of seeing 5 or
 * more is ≈ 0.009. Conditioning on the total number of successes (Fisher) makes the p-value exact;
 * the mid-p version counts the observed table half, which takes away most of Fisher's conservatism
 * (its false-alarm rate stays close to the nominal level instead of far below it) while keeping the
 * calibration the z-test loses on rare events.
 */
import { logGamma } from './special-functions.js';

const lnFactorial = (n: number): number => logGamma(n + 1);

/** ln P(X = x) for X ~ Hypergeometric(population N, K successes in it, n drawn). */
function hypergeometricLog(N: number, K: number, n: number): (x: number) => number {
  const base = lnFactorial(K) + lnFactorial(N - K) + lnFactorial(n) + lnFactorial(N - n) - lnFactorial(N);
  return (x) => base - lnFactorial(x) - lnFactorial(K - x) - lnFactorial(n - x) - lnFactorial(N - K - n + x);
}

/** Below this many nats under the observed table's log-probability a term no longer moves the sum. */
const NEGLIGIBLE_NATS = 45;
/** Tables within this relative distance of the observed probability count as equally likely (R's fisher.test). */
const TIE = 1e-7;

/**
 * Two-sided mid-p of Fisher's exact test on the 2 × 2 table (successes, failures) × (reference,
 * current): the probability, given both windows' sizes and the total number of successes, of a table
 * less likely than the observed one, plus half the probability of those as likely as it. Walks out
 * from the mode only as far as the terms matter, so it costs O(√n) even for millions of trials.
 */
export function exactMidP(
  reference: { successes: number; trials: number },
  current: { successes: number; trials: number },
): number {
  const N = reference.trials + current.trials;
  const K = reference.successes + current.successes;
  const n = current.trials;
  const lo = Math.max(0, n - (N - K));
  const hi = Math.min(K, n);
  if (hi <= lo) return 1;
  const lp = hypergeometricLog(N, K, n);
  const observed = lp(current.successes);
  const tie = TIE * Math.max(1, Math.abs(observed));
  const mode = Math.min(hi, Math.max(lo, Math.floor(((n + 1) * (K + 1)) / (N + 2))));
  let less = 0;
  let equal = 0;
  const add = (x: number): boolean => {
    const v = lp(x);
    if (v < observed - tie) less += Math.exp(v - observed);
    else if (v <= observed + tie) equal += 1;
    // Unimodal: past the mode, once a term is negligible every further one is smaller still.
    return v >= observed - NEGLIGIBLE_NATS;
  };
  add(mode);
  for (let x = mode - 1; x >= lo && add(x); x--);
  for (let x = mode + 1; x <= hi && add(x); x++);
  // Both sums are in units of P(observed), so tiny p-values keep their precision.
  return Math.min(1, Math.exp(observed) * (less + equal / 2));
}

/** The smallest expected cell count of the 2 × 2 table: below 5 the normal approximation is not trusted. */
export function smallestExpectedCount(
  reference: { successes: number; trials: number },
  current: { successes: number; trials: number },
): number {
  const N = reference.trials + current.trials;
  if (N === 0) return 0;
  const K = reference.successes + current.successes;
  const rows = [reference.trials, current.trials];
  const cols = [K, N - K];
  let min = Number.POSITIVE_INFINITY;
  for (const r of rows) for (const c of cols) min = Math.min(min, (r * c) / N);
  return min;
}
