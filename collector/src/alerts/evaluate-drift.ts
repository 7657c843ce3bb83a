/**
 * A drift rule over one window pair: one `evaluateDrift` per metric, then one decision over all of
 * them. Several p-value tests in one rule are corrected together with Benjamini–Hochberg (each
 * metric alone at α would, over k metrics, alarm up to k·α of the time); distance tests keep their
 * own threshold.
 */
import { benjaminiHochberg, type DriftRequest, evaluateDrift, meetsMinEffect } from '../drift/index.js';
import { TOOL_SCOPED_METRICS } from '../store/metrics.js';
import type { MetricsReader } from '../store/port.js';
import { thresholdsFor } from './alarm-policy.js';
import { describeChange, statsNote, type WindowData } from './describe.js';
import { type MetricResult, type Outcome, sampleQuery, toWindowData } from './evaluation.js';
import { type DriftRule, testFor } from './rule-model.js';
import type { WindowPair } from './windows.js';

export interface DriftOutcome {
  outcome: Outcome;
  results: MetricResult[];
  /** Per metric, both windows' data (for summaries and example-run filters). */
  data: Map<string, { reference: WindowData; current: WindowData }>;
  summary: string;
}

function request(rule: DriftRule, metric: DriftRule['metrics'][number], ref: WindowData, cur: WindowData) {
  const options = {
    minReference: rule.minReference,
    minCurrent: rule.minCurrent,
    ...(rule.threshold !== undefined ? { threshold: rule.threshold } : {}),
    ...(rule.minEffect !== undefined ? { minEffect: rule.minEffect } : {}),
  };
  const test = testFor(rule, metric);
  if (ref.kind === 'numeric' && cur.kind === 'numeric') {
    return { ...options, kind: 'numeric', test, reference: ref.values, current: cur.values } as DriftRequest;
  }
  if (ref.kind === 'categorical' && cur.kind === 'categorical') {
    return { ...options, kind: 'categorical', test, reference: ref.counts, current: cur.counts } as DriftRequest;
  }
  return { ...options, kind: 'rate', test, reference: ref, current: cur } as DriftRequest;
}

export async function evaluateDriftRule(
  store: Pick<MetricsReader, 'metricSample'>,
  projectId: string,
  rule: DriftRule,
  windows: WindowPair,
): Promise<DriftOutcome> {
  const data = new Map<string, { reference: WindowData; current: WindowData }>();
  if (!windows.ok) {
    const results = rule.metrics.map(
      (metric): MetricResult => ({
        metric,
        test: testFor(rule, metric),
        state: 'insufficient_data',
        statistic: null,
        threshold: rule.threshold ?? 0,
        reason: windows.reason,
        referenceSummary: {},
        currentSummary: {},
      }),
    );
    return { outcome: 'insufficient_data', results, data, summary: `not enough data: ${windows.reason}` };
  }
  const scope = { agentName: rule.agentName, toolName: rule.toolName };
  const results: MetricResult[] = [];
  for (const metric of rule.metrics) {
    const toolScoped = TOOL_SCOPED_METRICS.has(metric);
    const [refSample, curSample] = await Promise.all([
      store.metricSample(projectId, sampleQuery(metric, { ...scope, toolScoped }, windows.reference)),
      store.metricSample(projectId, sampleQuery(metric, { ...scope, toolScoped }, windows.current)),
    ]);
    const reference = toWindowData(refSample);
    const current = toWindowData(curSample);
    data.set(metric, { reference, current });
    const verdict = evaluateDrift(request(rule, metric, reference, current));
    results.push({
      metric,
      test: verdict.test,
      state: verdict.state,
      statistic: verdict.statistic,
      ...(verdict.pValue !== undefined ? { pValue: verdict.pValue } : {}),
      threshold: verdict.threshold,
      ...(verdict.reason !== undefined ? { reason: verdict.reason } : {}),
      referenceSummary: { ...verdict.referenceSummary },
      currentSummary: { ...verdict.currentSummary },
    });
  }
  correctTogether(rule, results);
  await testPooled(store, projectId, rule, windows, results, data);
  const outcome: Outcome = results.some((r) => r.state === 'drift')
    ? 'breach'
    : results.every((r) => r.state === 'insufficient_data')
      ? 'insufficient_data'
      : 'ok';
  return { outcome, results, data, summary: summarize(rule, results, data, windows.reference.label) };
}

/**
 * Evidence across consecutive windows: each span of the last 2 … k windows, its observations pooled,
 * against the same reference, for every metric whose current window was judged by a p-value test.
 * Spans of the same length are corrected together across the rule's metrics, as single windows are;
 * each metric keeps its strongest span. The state machine fires on a span past the immediate
 * threshold (`driftSignal`), so a rise too small to show in one window is caught in two or three.
 */
async function testPooled(
  store: Pick<MetricsReader, 'metricSample'>,
  projectId: string,
  rule: DriftRule,
  windows: WindowPair,
  results: MetricResult[],
  data: DriftOutcome['data'],
): Promise<void> {
  if (!windows.ok || !windows.pooled || windows.pooled.length === 0) return;
  const judged = results.filter((r) => r.state !== 'insufficient_data' && r.pValue !== undefined);
  if (judged.length === 0) return;
  const scope = { agentName: rule.agentName, toolName: rule.toolName };
  const pooledData = new Map<string, WindowData>();
  for (const [i, span] of windows.pooled.entries()) {
    const tested: Array<{ r: MetricResult; p: number; n: number; cur: WindowData }> = [];
    for (const r of judged) {
      const toolScoped = TOOL_SCOPED_METRICS.has(r.metric);
      const ref = data.get(r.metric)?.reference;
      if (!ref) continue;
      const cur = toWindowData(
        await store.metricSample(projectId, sampleQuery(r.metric, { ...scope, toolScoped }, span)),
      );
      const verdict = evaluateDrift(request(rule, r.metric, ref, cur));
      if (verdict.state === 'insufficient_data' || verdict.pValue === undefined) continue;
      if (!meetsMinEffect(r.test, verdict.statistic, rule.minEffect)) continue;
      tested.push({ r, p: verdict.pValue, n: Number(verdict.currentSummary.n), cur });
    }
    const adjusted = tested.length > 1 ? benjaminiHochberg(tested.map((t) => t.p)).adjusted : undefined;
    tested.forEach((t, j) => {
      const a = adjusted?.[j];
      const decisive = a ?? t.p;
      const known = t.r.pooled ? (t.r.pooled.adjustedPValue ?? t.r.pooled.pValue) : Number.POSITIVE_INFINITY;
      if (decisive < known) {
        t.r.pooled = { windows: i + 2, n: t.n, pValue: t.p, ...(a !== undefined ? { adjustedPValue: a } : {}) };
        pooledData.set(t.r.metric, t.cur);
      }
    });
  }
  // A metric is described over the windows that give the strongest evidence; one the last windows
  // together show drifted (past the immediate threshold) is drifted, whatever this window alone says.
  for (const r of judged) {
    const pooled = r.pooled;
    if (!pooled) continue;
    const together = pooled.adjustedPValue ?? pooled.pValue;
    if (together >= (r.adjustedPValue ?? (r.pValue as number))) {
      delete r.pooled;
      continue;
    }
    if (together < thresholdsFor(rule, r.test).immediate) r.state = 'drift';
    const d = data.get(r.metric);
    const cur = pooledData.get(r.metric);
    if (d && cur) data.set(r.metric, { reference: d.reference, current: cur });
  }
}

/** Benjamini–Hochberg over the metrics that got a p-value; each is then judged on its adjusted p. */
function correctTogether(rule: DriftRule, results: MetricResult[]): void {
  const tested = results.filter((r) => r.state !== 'insufficient_data' && r.pValue !== undefined);
  if (tested.length < 2) return;
  const { adjusted } = benjaminiHochberg(tested.map((r) => r.pValue as number));
  tested.forEach((r, i) => {
    const p = adjusted[i] as number;
    r.adjustedPValue = p;
    r.state = p < r.threshold && meetsMinEffect(r.test, r.statistic, rule.minEffect) ? 'drift' : 'ok';
  });
}

function summarize(
  rule: DriftRule,
  results: MetricResult[],
  data: DriftOutcome['data'],
  referenceLabel: string,
): string {
  const scope = [rule.agentName, rule.toolName].filter((s) => s !== '').join(' / ');
  const prefix = scope === '' ? '' : `${scope}: `;
  const drifted = results
    .filter((r) => r.state === 'drift')
    .sort((a, b) => (a.adjustedPValue ?? a.pValue ?? 1) - (b.adjustedPValue ?? b.pValue ?? 1));
  if (drifted.length > 0) {
    const parts = drifted.slice(0, 2).map((r) => {
      const d = data.get(r.metric);
      const change = d ? describeChange(r.metric, rule.toolName !== '', d.reference, d.current) : '';
      return `${r.metric} drifted: ${change} ${statsNote(r)}`;
    });
    const more = drifted.length > 2 ? `; and ${drifted.length - 2} more metric(s)` : '';
    return `${prefix}${parts.join('; ')}${more} vs ${referenceLabel}`;
  }
  const judged = results.filter((r) => r.state === 'ok').map((r) => r.metric);
  const unjudged = results.filter((r) => r.state === 'insufficient_data');
  if (judged.length === 0) return `${prefix}not enough data: ${unjudged[0]?.reason ?? 'no observations'}`;
  const note = unjudged.length > 0 ? ` (${unjudged.map((r) => r.metric).join(', ')}: not enough data)` : '';
  return `${prefix}no drift in ${judged.join(', ')} vs ${referenceLabel}${note}`;
}
