/**
 * Overview figures for a time range: runs, error rate, latency percentiles, tokens and runs with
 * findings, per time bucket and per agent. Pure: the route pages runs in and hands them over.
 */
import type { RunSummary } from '../model/step.js';

export interface OverviewFigures {
  runs: number;
  errors: number;
  errorRate: number;
  p50Ms: number;
  p95Ms: number;
  inputTokens: number;
  outputTokens: number;
  withFindings: number;
}

export interface OverviewBucket extends OverviewFigures {
  /** Bucket start, epoch milliseconds. */
  startMs: number;
}

export interface OverviewAgent extends OverviewFigures {
  agent: string;
}

export interface Overview {
  fromMs: number;
  toMs: number;
  bucketMs: number;
  totals: OverviewFigures;
  buckets: OverviewBucket[];
  agents: OverviewAgent[];
}

/** Nearest-rank percentile of sorted values; 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

function figures(runs: readonly RunSummary[]): OverviewFigures {
  const durations = runs.map((r) => Number(r.endNs - r.startNs) / 1e6).sort((a, b) => a - b);
  const errors = runs.filter((r) => r.status === 'error').length;
  return {
    runs: runs.length,
    errors,
    errorRate: runs.length === 0 ? 0 : errors / runs.length,
    p50Ms: percentile(durations, 50),
    p95Ms: percentile(durations, 95),
    inputTokens: runs.reduce((n, r) => n + r.inputTokens, 0),
    outputTokens: runs.reduce((n, r) => n + r.outputTokens, 0),
    withFindings: runs.filter((r) => r.findingCount > 0).length,
  };
}

/** Every bucket of the range is present (empty ones with zeros) so charts keep a true time axis. */
export function aggregateOverview(
  runs: readonly RunSummary[],
  fromMs: number,
  toMs: number,
  bucketMs: number,
): Overview {
  const count = Math.max(1, Math.ceil((toMs - fromMs) / bucketMs));
  const perBucket: RunSummary[][] = Array.from({ length: count }, () => []);
  const perAgent = new Map<string, RunSummary[]>();
  for (const r of runs) {
    const ms = Number(r.startNs / 1_000_000n);
    if (ms < fromMs || ms >= toMs) continue;
    perBucket[Math.min(count - 1, Math.floor((ms - fromMs) / bucketMs))]!.push(r);
    const agent = r.agentName || r.serviceName || '(unknown)';
    const list = perAgent.get(agent);
    if (list) list.push(r);
    else perAgent.set(agent, [r]);
  }
  return {
    fromMs,
    toMs,
    bucketMs,
    totals: figures(perBucket.flat()),
    buckets: perBucket.map((b, i) => ({ startMs: fromMs + i * bucketMs, ...figures(b) })),
    agents: [...perAgent].map(([agent, list]) => ({ agent, ...figures(list) })).sort((a, b) => b.runs - a.runs),
  };
}

/** A bucket size for the range: about 48 buckets, rounded to a whole minute, hour or day. */
export function pickBucketMs(fromMs: number, toMs: number, requested?: string): number {
  const named: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
  const span = Math.max(60_000, toMs - fromMs);
  const min = Math.ceil(span / 500);
  if (requested !== undefined && requested in named) return Math.max(named[requested]!, min);
  const raw = span / 48;
  for (const step of [60_000, 300_000, 900_000, 3_600_000, 10_800_000, 86_400_000]) if (raw <= step) return step;
  return 86_400_000 * Math.ceil(raw / 86_400_000);
}
