import { createHash } from 'node:crypto';
import type { Step } from '../model/step.js';
import { orderSteps } from '../model/step-order.js';
import { summarizeRun } from '../model/summarize-run.js';
import {
  bucketStart,
  checkBucket,
  checkWindow,
  compareLabelCounts,
  countsRuns,
  isFinalAnswerMetric,
  isLlmStepMetric,
  maxValuesOf,
  metricGrain,
  quantileCont,
  TOP_LABELS,
  toolScope,
} from '../store/metric-rules.js';
import {
  METRIC_KINDS,
  type MetricPoint,
  type MetricSample,
  type MetricScope,
  type VersionDimension,
  type VersionSeen,
} from '../store/metrics.js';
import type { MetricsReader } from '../store/port.js';
import { finalAnswer, observeRun, observeStep, type RunFacts, type Verdict } from './memory-observe.js';

/**
 * Behaviour metrics computed in JavaScript from the memory store's steps: the reference the
 * adapters' aggregate queries are checked against, and the store behind evaluator unit tests.
 */

interface Observation {
  timeNs: bigint;
  /** Sampling key (trace, or trace + span). */
  id: string;
  verdict: Verdict;
}

export function createMemoryMetrics(
  steps: () => Iterable<Step>,
  findingCount: (projectId: string, traceId: string) => number,
): MetricsReader {
  const runsOf = (projectId: string): RunFacts[] => {
    const byTrace = new Map<string, Step[]>();
    for (const s of steps()) {
      if (s.projectId !== projectId) continue;
      const list = byTrace.get(s.traceId);
      if (list) list.push(s);
      else byTrace.set(s.traceId, [s]);
    }
    return [...byTrace.entries()].map(([traceId, list]) => {
      const ordered = orderSteps(list);
      const models = new Set<string>();
      for (const s of ordered) for (const m of [s.requestModel, s.responseModel]) if (m) models.add(m);
      return { summary: summarizeRun(ordered), steps: ordered, models, findings: findingCount(projectId, traceId) };
    });
  };

  const observe = (projectId: string, q: MetricScope & { fromNs: bigint; toNs: bigint }): Observation[] => {
    checkWindow(q.fromNs, q.toNs, q.metric);
    const agent = q.agentName ?? '';
    const version = q.version;
    const runMatchesVersion = (run: RunFacts): boolean => {
      if (!version) return true;
      if (version.dimension === 'prompt') return run.summary.promptVersion === version.value;
      if (version.dimension === 'policy') return run.summary.policyVersion === version.value;
      return run.models.has(version.value);
    };
    const out: Observation[] = [];
    if (metricGrain(q) === 'run') {
      const finalModel = version?.dimension === 'model' && isFinalAnswerMetric(q);
      for (const run of runsOf(projectId)) {
        const t = run.summary.startNs;
        if (t < q.fromNs || t >= q.toNs) continue;
        if (agent !== '' && run.summary.agentName !== agent) continue;
        if (finalModel) {
          const last = finalAnswer(run.steps);
          if (!last || (last.requestModel !== version?.value && last.responseModel !== version?.value)) continue;
        } else if (!runMatchesVersion(run)) continue;
        for (const verdict of observeRun(q.metric, run)) out.push({ timeNs: t, id: run.summary.traceId, verdict });
      }
      return out;
    }
    const tool = toolScope(q);
    const llmModel = version?.dimension === 'model' && isLlmStepMetric(q);
    for (const run of runsOf(projectId)) {
      if (!llmModel && !runMatchesVersion(run)) continue;
      for (const s of run.steps) {
        if (s.startNs < q.fromNs || s.startNs >= q.toNs) continue;
        // A step without its own agent name belongs to its run's agent (`MetricScope.agentName`).
        if (agent !== '' && (s.agentName !== '' ? s.agentName : run.summary.agentName) !== agent) continue;
        if (llmModel && s.requestModel !== version?.value && s.responseModel !== version?.value) continue;
        for (const verdict of observeStep(q.metric, tool, s)) {
          out.push({ timeNs: s.startNs, id: `${s.traceId}${s.spanId}`, verdict });
        }
      }
    }
    return out;
  };

  return {
    async metricSample(projectId, q): Promise<MetricSample> {
      const max = maxValuesOf(q.maxValues);
      const obs = observe(projectId, q);
      return summarize(q.metric, obs, max);
    },
    async metricSeries(projectId, q): Promise<MetricPoint[]> {
      checkBucket(q.bucketNs);
      const buckets = new Map<bigint, Observation[]>();
      for (const o of observe(projectId, q)) {
        const start = bucketStart(o.timeNs, q.bucketNs);
        const list = buckets.get(start);
        if (list) list.push(o);
        else buckets.set(start, [o]);
      }
      return [...buckets.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([startNs, list]) => point(q.metric, startNs, list));
    },
    async listVersions(projectId, scope, dimension: VersionDimension): Promise<VersionSeen[]> {
      const agent = scope.agentName ?? '';
      const seen = new Map<string, VersionSeen>();
      for (const run of runsOf(projectId)) {
        if (agent !== '' && run.summary.agentName !== agent) continue;
        const values =
          dimension === 'model'
            ? [...run.models]
            : [dimension === 'prompt' ? run.summary.promptVersion : run.summary.policyVersion].filter((v) => v !== '');
        const t = run.summary.startNs;
        for (const value of values) {
          const v = seen.get(value);
          if (!v) seen.set(value, { value, firstNs: t, lastNs: t, runs: 1 });
          else {
            if (t < v.firstNs) v.firstNs = t;
            if (t > v.lastNs) v.lastNs = t;
            v.runs += 1;
          }
        }
      }
      return [...seen.values()].sort((a, b) =>
        a.firstNs !== b.firstNs ? (a.firstNs < b.firstNs ? -1 : 1) : compareLabelCounts([a.value, 0], [b.value, 0]),
      );
    },
  };
}

function summarize(metric: MetricScope['metric'], obs: readonly Observation[], max: number): MetricSample {
  switch (METRIC_KINDS[metric]) {
    case 'numeric': {
      const chosen =
        obs.length <= max ? obs : [...obs].sort((a, b) => (sampleKey(a.id) < sampleKey(b.id) ? -1 : 1)).slice(0, max);
      const values = chosen.map((o) => o.verdict as number).sort((a, b) => a - b);
      return { kind: 'numeric', values, total: obs.length };
    }
    case 'categorical':
      return countsRuns(metric)
        ? { kind: 'categorical', counts: labelCounts(obs), runs: new Set(obs.map((o) => o.id)).size }
        : { kind: 'categorical', counts: labelCounts(obs) };
    case 'rate':
      return { kind: 'rate', successes: obs.filter((o) => o.verdict === true).length, trials: obs.length };
    default:
      return { kind: 'count', count: obs.length };
  }
}

function point(metric: MetricScope['metric'], startNs: bigint, obs: readonly Observation[]): MetricPoint {
  const count = obs.length;
  switch (METRIC_KINDS[metric]) {
    case 'numeric': {
      const values = obs.map((o) => o.verdict as number).sort((a, b) => a - b);
      const mean = values.reduce((sum, v) => sum + v, 0) / count;
      return { startNs, count, value: mean, p50: quantileCont(values, 0.5), p95: quantileCont(values, 0.95) };
    }
    case 'categorical': {
      const top = labelCounts(obs).slice(0, TOP_LABELS);
      if (!countsRuns(metric)) return { startNs, count, value: (top[0]?.[1] ?? 0) / count, top };
      const runs = new Set(obs.map((o) => o.id)).size;
      return { startNs, count, value: (top[0]?.[1] ?? 0) / runs, top, runs };
    }
    case 'rate': {
      const successes = obs.filter((o) => o.verdict === true).length;
      return { startNs, count, value: successes / count, successes };
    }
    default:
      return { startNs, count, value: count };
  }
}

function labelCounts(obs: readonly Observation[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const o of obs) counts.set(o.verdict as string, (counts.get(o.verdict as string) ?? 0) + 1);
  return [...counts.entries()].sort(compareLabelCounts);
}

/** Deterministic, uniform order for sampling: a hash of the observation's IDs. */
const sampleKey = (id: string): string => createHash('sha256').update(id).digest('hex');
