/** Public surface of the drift statistics, for the evaluator and the synthetic drift suite. */

export type { Random, RandomAlgorithm } from '../random/random.js';
export { createRandom } from '../random/random.js';
export type { ChiSquareResult, JensenShannonResult, RateCounts, ZTestResult } from './categorical-tests.js';
export { chiSquareHomogeneity, jensenShannon, twoProportionZTest } from './categorical-tests.js';
export type { CorrectionMethod, CorrectionResult } from './multiple-comparisons.js';
export {
  anyDrift,
  benjaminiHochberg,
  bonferroni,
  correctPValues,
  DEFAULT_FAMILY_ALPHA,
} from './multiple-comparisons.js';
export { NOISE_ALARM_MAX } from './noise-floor.js';
export type { KsResult, PsiResult } from './numeric-tests.js';
export { ksTwoSample, psi, wasserstein, wassersteinNormalized } from './numeric-tests.js';
export type { CategoricalSummary, CategoryShare, NumericSummary, RateSummary } from './summaries.js';
export type {
  CategoricalSample,
  DriftKind,
  DriftRequest,
  DriftState,
  DriftTest,
  DriftVerdict,
  RateSample,
  WindowSummary,
} from './verdict.js';
export {
  DEFAULT_MIN_CURRENT,
  DEFAULT_MIN_EFFECT,
  DEFAULT_MIN_REFERENCE,
  DEFAULT_THRESHOLDS,
  evaluateDrift,
  meetsMinEffect,
} from './verdict.js';
