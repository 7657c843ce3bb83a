/**
 * The overview's figures (runs, error rate, latency percentiles, tokens, runs with findings) per time
 * bucket and per agent, as every store answers `RunReader.overview`. A store computes the figures of
 * each group in one aggregate query and hands them to `overviewOf`, which lays out the buckets and
 * orders the agents; `aggregateOverview` computes the same from run summaries and is the reference
 * the store battery holds each store to.
 */
import type { RunSummary } from '../model/step.js';

export interface OverviewFigures {
  runs: number;
  errors: number;
  errorRate: number;
  /** Nearest-rank percentiles of run duration (end of the last step − start of the first), ms. */
  p50Ms: number;
  p95Ms: number;
  inputTokens: number;
  outputTokens: number;
  /** Runs with at least one finding that counts toward the run (`findingCount` > 0). */
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

/**
 * The runs an overview covers: every run of the project whose start lies at or after `fromNs` and
 * before the millisecond of `toNs` (`toMs` = ⌊toNs / 10⁶⌋), with `agentName` only that agent's.
 * Bucket `i` holds the runs whose start millisecond lies in `[fromMs + i·bucketMs, fromMs + (i+1)·bucketMs)`
 * (`fromMs` = ⌊fromNs / 10⁶⌋); the last bucket also takes the rest of the range.
 */
export interface OverviewQuery {
  fromNs: bigint;
  toNs: bigint;
  /** Whole milliseconds, > 0. */
  bucketMs: number;
  agentName?: string;
}

/** A run's agent in the overview: its agent name, else its service name, else "(unknown)". */
export function overviewAgentOf(run: Pick<RunSummary, 'agentName' | 'serviceName'>): string {
  return run.agentName || run.serviceName || '(unknown)';
}

/** Nearest-rank percentile of sorted values; 0 for none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** Duration in ms as the overview counts it (a run that ends before it starts counts negative). */
export function runDurationMs(run: Pick<RunSummary, 'startNs' | 'endNs'>): number {
  return Number(run.endNs - run.startNs) / 1e6;
}

/** One group's figures as a store's aggregate query returns them. */
export interface OverviewGroup {
  /** `total` (key ''), `bucket` (key: the bucket's index as a decimal string) or `agent` (key: the agent). */
  kind: 'total' | 'bucket' | 'agent';
  key: string;
  runs: number;
  errors: number;
  p50Ms: number;
  p95Ms: number;
  inputTokens: number;
  outputTokens: number;
  withFindings: number;
  /** Start of the group's newest run, ns: agents with as many runs are listed most recent first. */
  newestNs: bigint;
}

const ZERO: Omit<OverviewGroup, 'kind' | 'key'> = {
  runs: 0,
  errors: 0,
  p50Ms: 0,
  p95Ms: 0,
  inputTokens: 0,
  outputTokens: 0,
  withFindings: 0,
  newestNs: 0n,
};

function figuresOf(g: Omit<OverviewGroup, 'kind' | 'key'>): OverviewFigures {
  return {
    runs: g.runs,
    errors: g.errors,
    errorRate: g.runs === 0 ? 0 : g.errors / g.runs,
    p50Ms: g.p50Ms,
    p95Ms: g.p95Ms,
    inputTokens: g.inputTokens,
    outputTokens: g.outputTokens,
    withFindings: g.withFindings,
  };
}

export function bucketCount(fromMs: number, toMs: number, bucketMs: number): number {
  return Math.max(1, Math.ceil((toMs - fromMs) / bucketMs));
}

export const overviewRangeMs = (q: OverviewQuery) => ({
  fromMs: Number(q.fromNs / 1_000_000n),
  toMs: Number(q.toNs / 1_000_000n),
});

/**
 * One group of a store's overview statement, read from a result row whose columns are `kind`,
 * `key`, `runs`, `errors`, `p50_ms`, `p95_ms`, `input_tokens`, `output_tokens`, `with_findings` and
 * `newest_ns` (null when the group has no run).
 */
export function overviewGroupOf(r: Record<string, unknown>): OverviewGroup {
  return {
    kind: String(r.kind) as OverviewGroup['kind'],
    key: String(r.key),
    runs: Number(r.runs),
    errors: Number(r.errors),
    p50Ms: Number(r.p50_ms),
    p95Ms: Number(r.p95_ms),
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    withFindings: Number(r.with_findings),
    newestNs: r.newest_ns == null ? 0n : BigInt(String(r.newest_ns)),
  };
}

/**
 * The overview from its groups' figures: every bucket of the range is present (empty ones with zeros)
 * so charts keep a true time axis; agents by runs, then most recent run, then name.
 */
export function overviewOf(query: OverviewQuery, groups: readonly OverviewGroup[]): Overview {
  const { fromMs, toMs } = overviewRangeMs(query);
  const count = bucketCount(fromMs, toMs, query.bucketMs);
  const buckets = new Map<string, OverviewGroup>();
  let totals: Omit<OverviewGroup, 'kind' | 'key'> = ZERO;
  const agents: OverviewGroup[] = [];
  for (const g of groups) {
    if (g.kind === 'total') totals = g;
    else if (g.kind === 'bucket') buckets.set(g.key, g);
    else agents.push(g);
  }
  agents.sort(
    (a, b) =>
      b.runs - a.runs ||
      (a.newestNs < b.newestNs ? 1 : a.newestNs > b.newestNs ? -1 : 0) ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  return {
    fromMs,
    toMs,
    bucketMs: query.bucketMs,
    totals: figuresOf(totals),
    buckets: Array.from({ length: count }, (_, i) => ({
      startMs: fromMs + i * query.bucketMs,
      ...figuresOf(buckets.get(String(i)) ?? ZERO),
    })),
    agents: agents.map((g) => ({ agent: g.key, ...figuresOf(g) })),
  };
}

/**
 * The overview computed from run summaries: `runs` may hold runs outside the query's range or of
 * other agents; they are left out. The reference for every store's `overview`.
 */
export function aggregateOverview(runs: readonly RunSummary[], query: OverviewQuery): Overview {
  const { fromMs, toMs } = overviewRangeMs(query);
  const count = bucketCount(fromMs, toMs, query.bucketMs);
  const groups = new Map<string, { kind: OverviewGroup['kind']; key: string; runs: RunSummary[] }>();
  const add = (kind: OverviewGroup['kind'], key: string, r: RunSummary) => {
    const id = `${kind}\u0000${key}`;
    const group = groups.get(id);
    if (group) group.runs.push(r);
    else groups.set(id, { kind, key, runs: [r] });
  };
  for (const r of runs) {
    if (r.startNs < query.fromNs || r.startNs >= query.toNs) continue;
    if (query.agentName !== undefined && r.agentName !== query.agentName) continue;
    const ms = Number(r.startNs / 1_000_000n);
    if (ms < fromMs || ms >= toMs) continue;
    add('total', '', r);
    add('bucket', String(Math.min(count - 1, Math.floor((ms - fromMs) / query.bucketMs))), r);
    add('agent', overviewAgentOf(r), r);
  }
  return overviewOf(
    query,
    [...groups.values()].map(({ kind, key, runs: list }) => {
      const durations = list.map(runDurationMs).sort((a, b) => a - b);
      return {
        kind,
        key,
        runs: list.length,
        errors: list.filter((r) => r.status === 'error').length,
        p50Ms: percentile(durations, 50),
        p95Ms: percentile(durations, 95),
        inputTokens: list.reduce((n, r) => n + r.inputTokens, 0),
        outputTokens: list.reduce((n, r) => n + r.outputTokens, 0),
        withFindings: list.filter((r) => r.findingCount > 0).length,
        newestNs: list.reduce((n, r) => (r.startNs > n ? r.startNs : n), 0n),
      };
    }),
  );
}
