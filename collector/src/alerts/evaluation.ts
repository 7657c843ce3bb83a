/** What one evaluation of one rule for one window found, before any state change. */
import type { MetricName, MetricSample, MetricSampleQuery } from '../store/metrics.js';
import type { WindowSignal } from './alarm-policy.js';
import type { WindowData } from './describe.js';
import type { ScopedWindow } from './windows.js';

/** One metric's verdict, in the API's `metricResultSchema` shape. */
export interface MetricResult {
  metric: MetricName;
  test: string;
  state: 'ok' | 'drift' | 'insufficient_data';
  statistic: number | null;
  pValue?: number;
  adjustedPValue?: number;
  /** The strongest span of the last few windows tested together (`pooledWindows`), when stronger than this window alone. */
  pooled?: { windows: number; n: number; pValue: number; adjustedPValue?: number };
  threshold: number;
  reason?: string;
  referenceSummary: Record<string, unknown>;
  currentSummary: Record<string, unknown>;
}

/** breach = drift detected or threshold crossed. */
export type Outcome = 'ok' | 'breach' | 'insufficient_data';

export interface RuleEvaluation {
  ruleId: string;
  ruleName: string;
  windowEndNs: bigint;
  outcome: Outcome;
  /** What the window means for the state machine (breach strength, or how clearly fine it is). */
  signal: WindowSignal;
  current: ScopedWindow;
  reference: ScopedWindow;
  results: MetricResult[];
  /** Threshold rules: the aggregate observed (null when there was nothing to aggregate). */
  observed?: number | null;
  exampleRuns: ExampleRuns;
  /**
   * Set when the examples were left out (`examples: 'lazy'`): looks them up. Only an evaluation that
   * becomes an event needs them, and on a large store they cost more than the verdict.
   */
  findExamples?: () => Promise<ExampleRuns>;
  summary: string;
}

/** A few trace IDs from each window, for the compare view. */
export interface ExampleRuns {
  reference: string[];
  current: string[];
}

/** A metric sample as the drift statistics and the summaries take it. */
export function toWindowData(sample: MetricSample): WindowData {
  if (sample.kind === 'numeric') return { kind: 'numeric', values: sample.values };
  if (sample.kind === 'categorical') {
    const counts = new Map<string, number>();
    for (const [label, count] of sample.counts) counts.set(label, (counts.get(label) ?? 0) + count);
    return sample.runs === undefined
      ? { kind: 'categorical', counts }
      : { kind: 'categorical', counts, runs: sample.runs };
  }
  if (sample.kind === 'rate') return { kind: 'rate', successes: sample.successes, trials: sample.trials };
  return { kind: 'rate', successes: sample.count, trials: sample.count };
}

/** The port query for one metric over one scoped window of a rule. */
export function sampleQuery(
  metric: MetricName,
  scope: { agentName: string; toolName: string; toolScoped: boolean },
  window: ScopedWindow,
): MetricSampleQuery {
  return {
    metric,
    ...(scope.agentName !== '' ? { agentName: scope.agentName } : {}),
    ...(scope.toolScoped && scope.toolName !== '' ? { toolName: scope.toolName } : {}),
    ...(window.version ? { version: window.version } : {}),
    fromNs: window.fromNs,
    toNs: window.toNs,
  };
}
