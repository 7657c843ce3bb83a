/**
 * How one window's verdicts become a signal for the state machine, and the numbers behind it. A
 * window breaches when a metric crosses the rule's threshold; whether that fires the rule depends on
 * the persistence (how many of the last windows breached) unless the window is far enough past the
 * threshold to fire on its own; a firing rule resolves only on a clear window (hysteresis).
 *
 * Defaults come from the simulation in `false-alarm-simulation.test.ts`: per-window p < 0.02, fire on
 * 2 of the last 3 windows, or on one window or the last 2–3 windows together at p < 0.002; resolve on
 * a window with p ≥ 0.2.
 */

import type { AlertRuleSpec } from '@casefile/contract';
import { DEFAULT_THRESHOLDS, type DriftTest } from '../drift/index.js';

type DriftRule = Extract<AlertRuleSpec, { kind: 'drift' }>;
type ThresholdRule = Extract<AlertRuleSpec, { kind: 'threshold' }>;

/**
 * What one window means for the state machine:
 * - `strong`: a breach past the immediate threshold (fires on its own);
 * - `breach`: past the threshold (fires with enough other breaching windows);
 * - `ok`: no breach, but not clear either (keeps a firing rule firing);
 * - `clear`: clearly fine (resolves a firing rule);
 * - `none`: nothing could be judged (insufficient data).
 */
export type WindowSignal = 'strong' | 'breach' | 'ok' | 'clear' | 'none';

/** A metric's verdict as far as the signal needs it (`MetricResult`). */
interface Judged {
  test: string;
  state: 'ok' | 'drift' | 'insufficient_data';
  statistic: number | null;
  pValue?: number;
  adjustedPValue?: number;
  pooled?: { pValue: number; adjustedPValue?: number };
}

const P_VALUE_TESTS: ReadonlySet<string> = new Set<DriftTest>(['ks', 'chi2', 'ztest']);

export const isPValueTest = (test: string): boolean => P_VALUE_TESTS.has(test);

/** Immediate-fire factor for p-value tests: ten times stronger evidence than a breach. */
export const IMMEDIATE_P_FACTOR = 0.1;
/** Resolve factor for p-value tests (capped at `MAX_RESOLVE_P`): ten times weaker than a breach. */
export const RESOLVE_P_FACTOR = 10;
export const MAX_RESOLVE_P = 0.5;

export interface MetricThresholds {
  /** A breach: p below it (p-value tests), statistic at or above it (distances). */
  threshold: number;
  /** Fires on its own. */
  immediate: number;
  /** Clear: p at or above it, statistic below it. */
  resolve: number;
  on: 'p-value' | 'statistic';
}

export function thresholdsFor(
  rule: Pick<DriftRule, 'threshold' | 'immediateThreshold' | 'resolveThreshold'>,
  test: string,
): MetricThresholds {
  const pTest = isPValueTest(test);
  const threshold = rule.threshold ?? DEFAULT_THRESHOLDS[test as DriftTest] ?? 0.02;
  return {
    threshold,
    immediate: rule.immediateThreshold ?? (pTest ? threshold * IMMEDIATE_P_FACTOR : threshold * 2),
    resolve: rule.resolveThreshold ?? (pTest ? Math.min(MAX_RESOLVE_P, threshold * RESOLVE_P_FACTOR) : threshold / 2),
    on: pTest ? 'p-value' : 'statistic',
  };
}

/** The p-value a decision is taken on: adjusted across the rule's metrics when there were several. */
const decisive = (r: Judged): number | undefined => r.adjustedPValue ?? r.pValue;

/** A drift rule's window: strongest of its judged metrics. */
export function driftSignal(rule: DriftRule, results: readonly Judged[]): WindowSignal {
  const judged = results.filter((r) => r.state !== 'insufficient_data');
  if (judged.length === 0) return 'none';
  let strong = false;
  let breach = false;
  let clear = true;
  for (const r of judged) {
    const t = thresholdsFor(rule, r.test);
    const x = t.on === 'p-value' ? decisive(r) : (r.statistic ?? undefined);
    if (x === undefined) {
      clear = false;
      continue;
    }
    if (r.state === 'drift') {
      breach = true;
      if (t.on === 'p-value' ? x < t.immediate : x >= t.immediate) strong = true;
    }
    // The last few windows together past the immediate threshold: as strong as one window past it.
    const pooled = r.pooled ? (r.pooled.adjustedPValue ?? r.pooled.pValue) : undefined;
    if (t.on === 'p-value' && pooled !== undefined && pooled < t.immediate) {
      breach = true;
      strong = true;
    }
    if (t.on === 'p-value' ? x < t.resolve : x >= t.resolve) clear = false;
  }
  if (strong) return 'strong';
  if (breach) return 'breach';
  return clear ? 'clear' : 'ok';
}

/**
 * A threshold rule's window. There is no "far past" for a fixed value: with the default persistence
 * (1 of 1) every breach fires anyway. Clear = back past `resolveValue` (default: the value itself).
 */
export function thresholdSignal(
  rule: ThresholdRule,
  outcome: 'ok' | 'breach' | 'insufficient_data',
  observed: number | null | undefined,
): WindowSignal {
  if (outcome === 'insufficient_data') return 'none';
  if (outcome === 'breach') return 'breach';
  if (rule.resolveValue === undefined || observed === null || observed === undefined) return 'clear';
  const backPast =
    rule.operator === '>' || rule.operator === '>=' ? observed <= rule.resolveValue : observed >= rule.resolveValue;
  return backPast ? 'clear' : 'ok';
}
