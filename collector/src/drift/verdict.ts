/**
 * One drift decision for one metric: which test, which threshold, and whether there is enough data to
 * say anything. The evaluator calls this once per rule and window pair; everything here is pure.
 */
import { BadInputError } from '../errors/errors.js';
import {
  alignCounts,
  chiSquareHomogeneity,
  jensenShannon,
  poolRareCategories,
  twoProportionZTest,
} from './categorical-tests.js';
import { exactMidP, smallestExpectedCount } from './exact-tests.js';
import { jsNullExceedance, NOISE_ALARM_MAX, psiNullExceedance, wassersteinNullExceedance } from './noise-floor.js';
import { ksTwoSample, populationStd, psi, WASSERSTEIN_MIN_STD, wassersteinSorted } from './numeric-tests.js';
import { type CategoricalSample, finiteSorted, type RateSample, toCounts, toRate } from './samples.js';
import {
  type CategoricalSummary,
  type NumericSummary,
  type RateSummary,
  summarizeCategorical,
  summarizeNumeric,
  summarizeRate,
} from './summaries.js';

export type DriftTest = 'ks' | 'wasserstein' | 'psi' | 'js' | 'chi2' | 'ztest';
export type DriftKind = 'numeric' | 'categorical' | 'rate';
export type { CategoricalSample, RateSample };

interface DriftOptions {
  /** p-value tests: drift when p < threshold. Distance tests: drift when statistic ≥ threshold. */
  threshold?: number;
  /** Minimum reference window size before any verdict (default 100). */
  minReference?: number;
  /** Minimum current window size before any verdict (default 30). */
  minCurrent?: number;
  /**
   * p-value tests: the smallest change worth a verdict of drift, on the test's own scale (KS: D, the
   * largest gap between the two distribution functions). Below it a significant p-value says the
   * windows differ, not that they differ enough to matter. Default: `DEFAULT_MIN_EFFECT`.
   */
  minEffect?: number;
}

export type DriftRequest = DriftOptions &
  (
    | { kind: 'numeric'; test: 'ks' | 'wasserstein' | 'psi'; reference: readonly number[]; current: readonly number[] }
    | { kind: 'categorical'; test: 'js' | 'chi2'; reference: CategoricalSample; current: CategoricalSample }
    | { kind: 'rate'; test: 'ztest' | 'chi2'; reference: RateSample; current: RateSample }
  );

export type DriftState = 'ok' | 'drift' | 'insufficient_data';
export type WindowSummary = NumericSummary | CategoricalSummary | RateSummary;

export interface DriftVerdict {
  state: DriftState;
  test: DriftTest;
  /** KS: D; Wasserstein: W₁ / reference σ; PSI; JS: base-2 distance; chi2: χ²; ztest: z. Null when a window is empty. */
  statistic: number | null;
  /** For the hypothesis tests (ks, chi2, ztest). */
  pValue?: number;
  threshold: number;
  /** How `threshold` is applied: to the p-value (drift when below) or to the statistic (drift when at or above). */
  thresholdOn: 'p-value' | 'statistic';
  /** Why no verdict was given, when `state` is insufficient_data. */
  reason?: string;
  referenceSummary: WindowSummary;
  currentSummary: WindowSummary;
}

/**
 * Default thresholds. p-value tests use α = 0.05, the convention in Evidently, Alibi Detect, NannyML
 * (chi2) and whylogs' "drift" band; several metrics at once should go through `multiple-comparisons`.
 * Distances: normalised Wasserstein 0.1 and JS 0.1 are Evidently's and NannyML's defaults (a tenth of a
 * reference σ of movement; JS base 2, so 0.1 is comparable across category counts). PSI 0.2 is the
 * credit-scoring rule of thumb for a "significant shift" (0.1–0.2 is "moderate"), and it is only
 * applied when the windows are large enough for noise to stay under it (see noise-floor.ts).
 */
export const DEFAULT_THRESHOLDS: Readonly<Record<DriftTest, number>> = {
  ks: 0.02,
  wasserstein: 0.1,
  psi: 0.2,
  js: 0.1,
  chi2: 0.02,
  ztest: 0.02,
};

/**
 * Effect-size floors of the p-value tests (0 = none). KS: D ≥ 0.1, a tenth of the runs moved across
 * some value (answers 40% longer at a log-σ of 0.45 is D ≈ 0.29). Without a floor a large window
 * makes any wobble significant: at 300 runs an hour against a 16-hour baseline, lengths whose median
 * wanders ±2% from hour to hour cross p < 0.02 far more often than 2% of the time.
 */
export const DEFAULT_MIN_EFFECT: Readonly<Record<DriftTest, number>> = {
  ks: 0.1,
  wasserstein: 0,
  psi: 0,
  js: 0,
  chi2: 0,
  ztest: 0,
};

/** Whether a p-value test's statistic is past its effect-size floor (the rule's, else the default). */
export function meetsMinEffect(test: string, statistic: number | null, minEffect?: number): boolean {
  const floor = minEffect ?? DEFAULT_MIN_EFFECT[test as DriftTest] ?? 0;
  return floor === 0 || (statistic !== null && Math.abs(statistic) >= floor);
}

const P_VALUE_TESTS: ReadonlySet<DriftTest> = new Set(['ks', 'chi2', 'ztest']);
const TESTS_BY_KIND: Readonly<Record<DriftKind, readonly DriftTest[]>> = {
  numeric: ['ks', 'wasserstein', 'psi'],
  categorical: ['js', 'chi2'],
  rate: ['ztest', 'chi2'],
};
export const DEFAULT_MIN_REFERENCE = 100;
/** Below this expected count in any cell of a rate's 2 × 2 table, `ztest` takes the exact mid-p. */
export const MIN_EXPECTED_FOR_Z = 5;
export const DEFAULT_MIN_CURRENT = 30;

function checkRequest(request: DriftRequest, threshold: number, minReference: number, minCurrent: number): void {
  if (!TESTS_BY_KIND[request.kind]?.includes(request.test)) {
    throw new BadInputError(`test "${request.test}" does not apply to a ${request.kind} metric`);
  }
  const pTest = P_VALUE_TESTS.has(request.test);
  if (!(Number.isFinite(threshold) && threshold > 0 && (!pTest || threshold < 1))) {
    throw new BadInputError(`threshold for ${request.test} must be ${pTest ? 'in (0, 1)' : '> 0'}, got ${threshold}`);
  }
  for (const [name, v] of [
    ['minReference', minReference],
    ['minCurrent', minCurrent],
  ] as const) {
    if (!(Number.isInteger(v) && v >= 1)) throw new BadInputError(`${name} must be a positive integer, got ${v}`);
  }
}

interface Outcome {
  statistic: number;
  pValue?: number;
  /** Chance that noise alone crosses a distance threshold at these sizes (distance tests only). */
  noiseAlarm?: number;
}

/** Both windows summarised, and the test ready to run once the sizes are known to be enough. */
interface Prepared {
  referenceSummary: WindowSummary;
  currentSummary: WindowSummary;
  run: () => Outcome;
}

function prepareNumeric(
  test: DriftTest,
  threshold: number,
  reference: readonly number[],
  current: readonly number[],
): Prepared {
  const r = finiteSorted(reference);
  const c = finiteSorted(current);
  const run = (): Outcome => {
    if (test === 'ks') {
      const { statistic, pValue } = ksTwoSample(r.sorted, c.sorted);
      return { statistic, pValue };
    }
    if (test === 'psi') {
      const result = psi(r.sorted, c.sorted);
      const bins = result.referenceShares.length;
      return {
        statistic: result.statistic,
        noiseAlarm: psiNullExceedance(threshold, bins, r.sorted.length, c.sorted.length),
      };
    }
    const scale = Math.max(populationStd(r.sorted), WASSERSTEIN_MIN_STD);
    const statistic = wassersteinSorted(r.sorted, c.sorted) / scale;
    return { statistic, noiseAlarm: wassersteinNullExceedance(r.sorted, threshold, c.sorted.length) };
  };
  return {
    referenceSummary: summarizeNumeric(r.sorted, r.nonFinite),
    currentSummary: summarizeNumeric(c.sorted, c.nonFinite),
    run,
  };
}

function prepareCategorical(
  test: DriftTest,
  threshold: number,
  reference: CategoricalSample,
  current: CategoricalSample,
): Prepared {
  const r = toCounts(reference);
  const c = toCounts(current);
  const run = (): Outcome => {
    const pooled = poolRareCategories(alignCounts(r, c));
    if (test === 'chi2') {
      const { statistic, pValue } = chiSquareHomogeneity([pooled.reference, pooled.current]);
      return { statistic, pValue };
    }
    const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
    const { distance } = jensenShannon(pooled.reference, pooled.current);
    const k = pooled.reference.length;
    return {
      statistic: distance,
      noiseAlarm: jsNullExceedance(threshold, k, sum(pooled.reference), sum(pooled.current)),
    };
  };
  return { referenceSummary: summarizeCategorical(r), currentSummary: summarizeCategorical(c), run };
}

function prepareRate(test: DriftTest, reference: RateSample, current: RateSample): Prepared {
  const r = toRate(reference);
  const c = toRate(current);
  const run = (): Outcome => {
    if (test === 'chi2') {
      const table = [r, c].map(({ successes, trials }) => [successes, trials - successes]);
      const { statistic, pValue } = chiSquareHomogeneity(table);
      return { statistic, pValue };
    }
    const { statistic, pValue } = twoProportionZTest(r, c);
    // Few expected successes (or failures): the normal approximation over-states significance.
    if (smallestExpectedCount(r, c) < MIN_EXPECTED_FOR_Z) return { statistic, pValue: exactMidP(r, c) };
    return { statistic, pValue };
  };
  return { referenceSummary: summarizeRate(r), currentSummary: summarizeRate(c), run };
}

/**
 * Compares a current window with a reference window. Returns insufficient_data (never a guess) when a
 * window is below its minimum size, or when a distance threshold is so close to the noise level at
 * these sizes that a no-change window would cross it more than NOISE_ALARM_MAX of the time.
 * Throws BadInputError for a test that does not fit the kind or a malformed threshold or sample.
 */
export function evaluateDrift(request: DriftRequest): DriftVerdict {
  const threshold = request.threshold ?? DEFAULT_THRESHOLDS[request.test];
  const minReference = request.minReference ?? DEFAULT_MIN_REFERENCE;
  const minCurrent = request.minCurrent ?? DEFAULT_MIN_CURRENT;
  checkRequest(request, threshold, minReference, minCurrent);
  const thresholdOn = P_VALUE_TESTS.has(request.test) ? 'p-value' : 'statistic';
  const prepared =
    request.kind === 'numeric'
      ? prepareNumeric(request.test, threshold, request.reference, request.current)
      : request.kind === 'categorical'
        ? prepareCategorical(request.test, threshold, request.reference, request.current)
        : prepareRate(request.test, request.reference, request.current);
  const { referenceSummary, currentSummary } = prepared;
  const base = { test: request.test, threshold, thresholdOn, referenceSummary, currentSummary } as const;

  if (referenceSummary.n < minReference || currentSummary.n < minCurrent) {
    const reason = `need at least ${minReference} reference and ${minCurrent} current observations, have ${referenceSummary.n} and ${currentSummary.n}`;
    return { ...base, state: 'insufficient_data', statistic: null, reason };
  }
  const outcome = prepared.run();
  const stats = { statistic: outcome.statistic, ...(outcome.pValue === undefined ? {} : { pValue: outcome.pValue }) };
  if (outcome.noiseAlarm !== undefined && outcome.noiseAlarm > NOISE_ALARM_MAX) {
    const pct = (outcome.noiseAlarm * 100).toPrecision(2);
    const reason = `windows too small for a ${request.test} threshold of ${threshold}: noise alone would cross it about ${pct}% of the time; use more data or a p-value test`;
    return { ...base, ...stats, state: 'insufficient_data', reason };
  }
  const drifted =
    thresholdOn === 'p-value'
      ? outcome.pValue! < threshold && meetsMinEffect(request.test, outcome.statistic, request.minEffect)
      : outcome.statistic >= threshold;
  return { ...base, ...stats, state: drifted ? 'drift' : 'ok' };
}
