/**
 * Evaluates one rule for one window end: windows → samples → verdicts → a one-sentence summary and a
 * few example runs from each window. Pure with respect to rule state: it reads the store and returns
 * what it found; the state machine and the scheduler decide what to record and whom to notify.
 */
import type { MetricsReader, RunQuery, RunReader } from '../store/port.js';
import { driftSignal, thresholdSignal } from './alarm-policy.js';
import { biggestShift, type WindowData } from './describe.js';
import { evaluateDriftRule } from './evaluate-drift.js';
import { evaluateThresholdRule } from './evaluate-threshold.js';
import type { RuleEvaluation } from './evaluation.js';
import type { AlertRule } from './rule-model.js';
import { resolveWindows, type ScopedWindow } from './windows.js';

/** What an evaluation reads: metric samples and versions, and example runs. */
export type EvaluationStore = MetricsReader & RunReader;

/** Example runs per window: enough to open a comparison, few enough for a notification. */
export const EXAMPLES_PER_WINDOW = 3;

export interface EvaluateOptions {
  /**
   * `eager` (default) looks up example runs with the verdict; `lazy` leaves `exampleRuns` empty and
   * sets `findExamples` instead (the scheduler: most evaluations change nothing and record nothing).
   */
  examples?: 'eager' | 'lazy';
}

export async function evaluateRule(
  store: EvaluationStore,
  projectId: string,
  rule: AlertRule,
  windowEndNs: bigint,
  options: EvaluateOptions = {},
): Promise<RuleEvaluation> {
  const evaluation = await evaluateWithoutExamples(store, projectId, rule, windowEndNs);
  const { findExamples, ...rest } = evaluation;
  if (options.examples === 'lazy' || !findExamples) return evaluation;
  return { ...rest, exampleRuns: await findExamples() };
}

async function evaluateWithoutExamples(
  store: EvaluationStore,
  projectId: string,
  rule: AlertRule,
  windowEndNs: bigint,
): Promise<RuleEvaluation> {
  const windows = await resolveWindows(store, projectId, rule, windowEndNs);
  const base = { ruleId: rule.id, ruleName: rule.name, windowEndNs, current: windows.current };
  if (rule.kind === 'threshold') {
    const t = await evaluateThresholdRule(store, projectId, rule, windows.current);
    const reference = { ...windows.current, label: `threshold ${rule.operator} ${rule.value}` };
    const filter = t.outcome === 'breach' ? focus(rule) : {};
    return {
      ...base,
      reference,
      outcome: t.outcome,
      signal: thresholdSignal(rule, t.outcome, t.observed),
      results: [t.result],
      observed: t.observed,
      exampleRuns: { reference: [], current: [] },
      findExamples: async () => ({
        reference: [],
        current: await examples(store, projectId, rule, windows.current, filter),
      }),
      summary: t.summary,
    };
  }
  const d = await evaluateDriftRule(store, projectId, rule, windows);
  const drifted = d.results
    .filter((r) => r.state === 'drift')
    .map((r) => ({ metric: r.metric, ...d.data.get(r.metric) }));
  let filter: Partial<RunQuery> = {};
  for (const x of drifted) {
    if (x.reference && x.current) filter = { ...changedRunsFilter(x.metric, x.reference, x.current), ...filter };
  }
  const findExamples = async () => {
    if (!windows.ok) return { reference: [], current: [] };
    const [reference, current] = await Promise.all([
      examples(store, projectId, rule, windows.reference, {}),
      examples(store, projectId, rule, windows.current, filter),
    ]);
    return { reference, current };
  };
  return {
    ...base,
    reference: windows.reference,
    outcome: d.outcome,
    signal: driftSignal(rule, d.results),
    results: d.results,
    exampleRuns: { reference: [], current: [] },
    findExamples,
    summary: d.summary,
  };
}

/**
 * Runs that made a threshold breach: failed runs when an error rate went over its limit, runs with
 * findings when a finding rate did. Other metrics (counts, latencies) have no run filter: every run
 * of the window counts towards them.
 */
function focus(rule: AlertRule): Partial<RunQuery> {
  if (rule.kind !== 'threshold' || (rule.operator !== '>' && rule.operator !== '>=')) return {};
  if (rule.metric === 'error_rate' && rule.toolName === '') return { status: 'error' };
  if (rule.metric === 'finding_rate') return { hasFindings: true };
  return {};
}

/**
 * Current-window runs that show the change: those that called the tool (or read the document) whose
 * share grew most, failed runs when the error rate rose, runs with findings when the finding rate did.
 */
function changedRunsFilter(metric: string, reference: WindowData, current: WindowData): Partial<RunQuery> {
  if (reference.kind === 'categorical' && current.kind === 'categorical') {
    const runs =
      reference.runs !== undefined && current.runs !== undefined
        ? { reference: reference.runs, current: current.runs }
        : undefined;
    const shift = biggestShift(reference.counts, current.counts, runs);
    if (!shift || shift.to <= shift.from) return {};
    if (metric === 'tool_mix' || metric === 'tool_call_mix') return { toolName: shift.label };
    if (metric === 'document_mix') return { documentId: shift.label };
  }
  if (reference.kind === 'rate' && current.kind === 'rate') {
    const rate = (x: { successes: number; trials: number }) => (x.trials > 0 ? x.successes / x.trials : 0);
    if (rate(current) <= rate(reference)) return {};
    if (metric === 'error_rate') return { status: 'error' };
    if (metric === 'finding_rate') return { hasFindings: true };
  }
  return {};
}

async function examples(
  store: EvaluationStore,
  projectId: string,
  rule: AlertRule,
  window: ScopedWindow,
  filter: Partial<RunQuery>,
): Promise<string[]> {
  if (window.toNs <= window.fromNs) return [];
  const query: RunQuery = { fromNs: window.fromNs, toNs: window.toNs, limit: EXAMPLES_PER_WINDOW };
  if (rule.agentName !== '') query.agentName = rule.agentName;
  if (rule.toolName !== '') query.toolName = rule.toolName;
  if (window.version?.dimension === 'prompt') query.promptVersion = window.version.value;
  if (window.version?.dimension === 'policy') query.policyVersion = window.version.value;
  if (window.version?.dimension === 'model') query.model = window.version.value;
  // With a filter, only runs that contributed: none is an honest answer, other runs of the window are not.
  return (await store.listRuns(projectId, { ...query, ...filter })).runs.map((r) => r.traceId);
}
