/**
 * A threshold rule over its window: one aggregate (mean, p50, p95, max, rate or count) compared with
 * a fixed value. `count` is always judged (zero runs is a valid, alarming count: "traffic stopped");
 * every other aggregate needs `minCount` observations, or the outcome is insufficient_data.
 */
import { mean, quantileSorted, sortedCopy } from '../drift/numeric-tests.js';
import { summarizeCategorical, summarizeNumeric, summarizeRate } from '../drift/summaries.js';
import { METRIC_KINDS, type MetricSample, TOOL_SCOPED_METRICS } from '../store/metrics.js';
import type { MetricsReader } from '../store/port.js';
import { formatNumber, formatPercent } from './describe.js';
import { type MetricResult, type Outcome, sampleQuery } from './evaluation.js';
import type { ThresholdRule } from './rule-model.js';
import { formatDuration, type ScopedWindow } from './windows.js';

export interface ThresholdOutcome {
  outcome: Outcome;
  observed: number | null;
  count: number;
  result: MetricResult;
  summary: string;
}

function observations(sample: MetricSample): number {
  if (sample.kind === 'numeric') return sample.total;
  if (sample.kind === 'rate') return sample.trials;
  if (sample.kind === 'categorical') return sample.counts.reduce((s, [, c]) => s + c, 0);
  return sample.count;
}

function aggregate(rule: ThresholdRule, sample: MetricSample, count: number): number | null {
  if (rule.aggregate === 'count') return count;
  if (sample.kind === 'rate') return sample.trials > 0 ? sample.successes / sample.trials : null;
  if (sample.kind !== 'numeric') return null;
  const values = sortedCopy(sample.values.filter((v) => Number.isFinite(v)));
  if (values.length === 0) return null;
  if (rule.aggregate === 'mean') return mean(values);
  if (rule.aggregate === 'p50') return quantileSorted(values, 0.5);
  if (rule.aggregate === 'p95') return quantileSorted(values, 0.95);
  return values[values.length - 1] as number;
}

export function compare(observed: number, operator: ThresholdRule['operator'], value: number): boolean {
  if (operator === '>') return observed > value;
  if (operator === '>=') return observed >= value;
  if (operator === '<') return observed < value;
  return observed <= value;
}

function summaryOf(sample: MetricSample): Record<string, unknown> {
  if (sample.kind === 'numeric') {
    const finite = sample.values.filter((v) => Number.isFinite(v));
    return { ...summarizeNumeric(sortedCopy(finite), sample.values.length - finite.length), total: sample.total };
  }
  if (sample.kind === 'rate') return { ...summarizeRate(sample) };
  if (sample.kind === 'categorical') return { ...summarizeCategorical(new Map(sample.counts)) };
  return { n: sample.count };
}

function formatObserved(rule: ThresholdRule, x: number): string {
  return rule.aggregate === 'rate' ? formatPercent(x) : formatNumber(x);
}

export async function evaluateThresholdRule(
  store: MetricsReader,
  projectId: string,
  rule: ThresholdRule,
  window: ScopedWindow,
): Promise<ThresholdOutcome> {
  const toolScoped = TOOL_SCOPED_METRICS.has(rule.metric);
  const scope = { agentName: rule.agentName, toolName: rule.toolName, toolScoped };
  const sample = await store.metricSample(projectId, sampleQuery(rule.metric, scope, window));
  const count = observations(sample);
  const observed = aggregate(rule, sample, count);
  const span = `over the last ${formatDuration(rule.windowMs)}`;
  const scopeText = [rule.agentName, rule.toolName].filter((s) => s !== '').join(' / ');
  const what = `${scopeText === '' ? '' : `${scopeText}: `}${rule.metric} ${rule.aggregate}`;
  const limit = rule.aggregate === 'rate' ? formatPercent(rule.value) : formatNumber(rule.value);
  const base = {
    metric: rule.metric,
    test: 'threshold',
    statistic: observed,
    threshold: rule.value,
    referenceSummary: {},
    currentSummary: summaryOf(sample),
  };
  const enough = rule.aggregate === 'count' || (count >= rule.minCount && observed !== null);
  if (!enough) {
    const reason = `${count} observation(s) of ${rule.metric} ${span}, need at least ${Math.max(rule.minCount, 1)}`;
    return {
      outcome: 'insufficient_data',
      observed,
      count,
      result: { ...base, state: 'insufficient_data', reason },
      summary: `${what}: not enough data (${reason})`,
    };
  }
  const value = observed as number;
  const breached = compare(value, rule.operator, rule.value);
  const kind = METRIC_KINDS[rule.metric];
  const n = rule.aggregate === 'count' ? '' : ` (${count} ${kind === 'rate' ? 'trials' : 'observations'})`;
  const summary = breached
    ? `${what} ${formatObserved(rule, value)} ${rule.operator} ${limit} ${span}${n}`
    : `${what} ${formatObserved(rule, value)}, within the limit (${rule.operator} ${limit} alerts) ${span}${n}`;
  return {
    outcome: breached ? 'breach' : 'ok',
    observed,
    count,
    result: { ...base, state: breached ? 'drift' : 'ok' },
    summary,
  };
}
