/**
 * Back-test: a rule — saved or not — evaluated over every past window of a time range with its real
 * test, threshold, minimum sizes, reference, persistence and hysteresis, exactly as the live evaluator
 * would have judged those windows one after another. Nothing is recorded or notified.
 *
 * Bounded, and says so in its answer:
 * - a range of at most `MAX_BACKTEST_RANGE_MS` (90 days);
 * - at most `MAX_BACKTEST_WINDOWS` evaluations: a range holding more windows on the rule's interval
 *   grid is judged on windows a window length apart (what the persistence looks at anyway), and if
 *   that is still too many, on the latest `MAX_BACKTEST_WINDOWS` of them;
 * - a wall-clock budget (`timeBudgetMs`, default 20 s): windows are judged oldest first in small
 *   batches, and the answer stops at the last window judged in time;
 * - memory: each window keeps a few numbers per metric; samples go through a small LRU cache (the
 *   baseline is read once, a previous-window reference is the window judged before it).
 */
import { BadInputError } from '../errors/errors.js';
import type { WindowSignal } from './alarm-policy.js';
import { type EvaluationStore, evaluateRule } from './evaluate-rule.js';
import type { MetricResult, Outcome } from './evaluation.js';
import type { AlertRule } from './rule-model.js';
import { createSampleCache } from './sample-cache.js';
import { INITIAL_STATE, nextState, type RuleStateDoc, statePolicy } from './state-machine.js';
import { formatDuration, MS, windowEndAt } from './windows.js';

export const MAX_BACKTEST_RANGE_MS = 90 * 86_400_000;
export const MAX_BACKTEST_WINDOWS = 2_000;
export const DEFAULT_BACKTEST_TIME_BUDGET_MS = 20_000;
/** Windows judged side by side (their verdicts do not depend on each other; the states do, in order). */
const BATCH = 8;

export interface BacktestOptions {
  fromNs: bigint;
  toNs: bigint;
  /** Epoch milliseconds; the range may not reach into the future. */
  now: () => number;
  timeBudgetMs?: number;
  /** Windows evaluated at most (default `MAX_BACKTEST_WINDOWS`). */
  maxWindows?: number;
}

export interface BacktestWindow {
  windowEndNs: bigint;
  current: { fromNs: bigint; toNs: bigint; label: string };
  reference: { fromNs: bigint; toNs: bigint; label: string };
  outcome: Outcome;
  signal: WindowSignal;
  /** The rule's state after this window. */
  state: RuleStateDoc['state'];
  /** Breaching windows among the last `persistence.of` (the current one included). */
  recentBreaches: number;
  /** The rule would have entered firing here (a notification). */
  fired: boolean;
  resolved: boolean;
  results: Array<
    Pick<MetricResult, 'metric' | 'test' | 'state' | 'statistic' | 'pValue' | 'adjustedPValue' | 'pooled' | 'threshold'>
  >;
  observed?: number | null;
  summary: string;
}

export interface BacktestResult {
  ruleId: string;
  fromNs: bigint;
  toNs: bigint;
  /** Window ends on the rule's interval grid inside the range. */
  windowsInRange: number;
  /** Distance between the window ends judged (the interval, or the window length when thinned). */
  stepMs: number;
  windows: BacktestWindow[];
  /** Transitions into firing. */
  firings: number;
  /** Every window in the plan was judged. */
  complete: boolean;
  /** What was left out, and why, when not everything in the range was judged. */
  notes: string[];
  elapsedMs: number;
}

/** Window ends to judge: on the interval grid, thinned (and cut to the latest) to stay within bounds. */
export function planWindows(
  rule: Pick<AlertRule, 'windowMs' | 'intervalMs'>,
  fromNs: bigint,
  toNs: bigint,
  maxWindows: number,
): { ends: bigint[]; windowsInRange: number; stepMs: number; notes: string[] } {
  const notes: string[] = [];
  const interval = BigInt(rule.intervalMs) * MS;
  const last = windowEndAt(toNs, rule.intervalMs);
  const firstOnGrid = windowEndAt(fromNs, rule.intervalMs) + interval;
  const windowsInRange = last >= firstOnGrid ? Number((last - firstOnGrid) / interval) + 1 : 0;
  let stepMs = rule.intervalMs;
  if (windowsInRange > maxWindows && rule.windowMs > rule.intervalMs) {
    // Windows a window length apart: disjoint, and the ones the persistence counts.
    stepMs = Math.ceil(rule.windowMs / rule.intervalMs) * rule.intervalMs;
    notes.push(
      `the range holds ${windowsInRange} windows ending every ${formatDuration(rule.intervalMs)}; judged every ${formatDuration(stepMs)} instead (windows that do not overlap)`,
    );
  }
  const step = BigInt(stepMs) * MS;
  const ends: bigint[] = [];
  for (let end = last; end >= firstOnGrid; end -= step) ends.push(end);
  if (ends.length > maxWindows) {
    notes.push(
      `${ends.length} windows to judge; only the latest ${maxWindows} were (from ${new Date(Number(ends[maxWindows - 1] as bigint) / 1e6).toISOString()})`,
    );
    ends.length = maxWindows;
  }
  return { ends: ends.reverse(), windowsInRange, stepMs, notes };
}

export async function backtestRule(
  store: EvaluationStore,
  projectId: string,
  rule: AlertRule,
  options: BacktestOptions,
): Promise<BacktestResult> {
  const started = performance.now();
  const { fromNs, toNs } = options;
  const nowNs = BigInt(Math.floor(options.now())) * MS;
  if (toNs <= fromNs) throw new BadInputError('back-test: "to" must be after "from"');
  if (toNs > nowNs + 60_000n * MS)
    throw new BadInputError('back-test: "to" is in the future; a back-test judges past windows');
  const rangeMs = Number((toNs - fromNs) / MS);
  if (rangeMs > MAX_BACKTEST_RANGE_MS) {
    throw new BadInputError(
      `back-test: the range is ${formatDuration(rangeMs)}; at most 90 days can be back-tested at once`,
    );
  }
  const budgetMs = options.timeBudgetMs ?? DEFAULT_BACKTEST_TIME_BUDGET_MS;
  const plan = planWindows(rule, fromNs, toNs, options.maxWindows ?? MAX_BACKTEST_WINDOWS);
  // Every window of a back-test lies in the past: all of its samples are settled and can be kept.
  const cache = createSampleCache({
    now: () => Number.MAX_SAFE_INTEGER,
    ttlMs: Number.POSITIVE_INFINITY,
    maxEntries: 64,
  });
  const cached = cache.wrap(store);
  const policy = statePolicy(rule);
  const windows: BacktestWindow[] = [];
  let state: RuleStateDoc = INITIAL_STATE;
  let firings = 0;
  let complete = true;
  for (let i = 0; i < plan.ends.length; i += BATCH) {
    if (performance.now() - started > budgetMs) {
      complete = false;
      const judged = windows.length;
      const upTo = windows[judged - 1];
      plan.notes.push(
        `stopped after ${judged} of ${plan.ends.length} windows: the ${formatDuration(budgetMs)} time budget of a back-test ran out${upTo ? ` (judged up to ${new Date(Number(upTo.windowEndNs / MS)).toISOString()})` : ''}; narrow the range or lengthen the interval`,
      );
      break;
    }
    const batch = plan.ends.slice(i, i + BATCH);
    const evaluations = await Promise.all(
      batch.map((end) => evaluateRule(cached, projectId, rule, end, { examples: 'lazy' })),
    );
    for (const e of evaluations) {
      const t = nextState(state, e.signal, e.windowEndNs, e.windowEndNs, policy);
      state = { ...state, state: t.to, breachEnds: t.breachEnds, recentBreaches: t.recentBreaches };
      const fired = t.to === 'firing' && t.from !== 'firing';
      if (fired) firings++;
      windows.push({
        windowEndNs: e.windowEndNs,
        current: { fromNs: e.current.fromNs, toNs: e.current.toNs, label: e.current.label },
        reference: { fromNs: e.reference.fromNs, toNs: e.reference.toNs, label: e.reference.label },
        outcome: e.outcome,
        signal: e.signal,
        state: t.to,
        recentBreaches: t.recentBreaches,
        fired,
        resolved: t.to === 'resolved' && t.from === 'firing',
        results: e.results.map((r) => ({
          metric: r.metric,
          test: r.test,
          state: r.state,
          statistic: r.statistic,
          threshold: r.threshold,
          ...(r.pValue !== undefined ? { pValue: r.pValue } : {}),
          ...(r.adjustedPValue !== undefined ? { adjustedPValue: r.adjustedPValue } : {}),
          // The last windows tested together, as the live evaluator carries them: a window can fire on
          // them alone, so a back-test that left them out could not say why it fired.
          ...(r.pooled !== undefined ? { pooled: { ...r.pooled } } : {}),
        })),
        ...(e.observed !== undefined ? { observed: e.observed } : {}),
        summary: e.summary,
      });
    }
  }
  return {
    ruleId: rule.id,
    fromNs,
    toNs,
    windowsInRange: plan.windowsInRange,
    stepMs: plan.stepMs,
    windows,
    firings,
    complete,
    notes: plan.notes,
    elapsedMs: Math.round(performance.now() - started),
  };
}
