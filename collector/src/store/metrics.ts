import { METRIC_NAMES, type MetricName } from '@casefile/contract';

/**
 * Behaviour metrics as the storage port computes them: one metric, one scope (agent, optionally tool),
 * one time window → a sample the drift tests can take (values, label counts or success counts), or a
 * series of per-bucket aggregates for charts and threshold rules. Every adapter computes them with
 * aggregate queries in the backend, never by loading the steps.
 */

/** The metric names are part of the wire contract; what each one measures is documented there. */
export { METRIC_NAMES, type MetricName };

export type MetricKind = 'numeric' | 'categorical' | 'rate' | 'count';

export const METRIC_KINDS: Readonly<Record<MetricName, MetricKind>> = {
  tool_mix: 'categorical',
  tool_call_mix: 'categorical',
  document_mix: 'categorical',
  steps_per_run: 'numeric',
  output_length: 'numeric',
  llm_output_length: 'numeric',
  latency_ms: 'numeric',
  tokens_per_run: 'numeric',
  cost_per_run: 'numeric',
  refusal_rate: 'rate',
  llm_refusal_rate: 'rate',
  error_rate: 'rate',
  schema_conformance_rate: 'rate',
  finding_rate: 'rate',
  approval_denial_rate: 'rate',
  run_count: 'count',
};

/** Metrics that take a tool scope (the others are per agent only). */
export const TOOL_SCOPED_METRICS: ReadonlySet<MetricName> = new Set([
  'output_length',
  'latency_ms',
  'error_rate',
  'schema_conformance_rate',
]);

/** Span attributes summed into `cost_per_run`, in USD (OpenInference, OpenLLMetry-style, ours). */
export const COST_ATTRIBUTES = ['llm.cost.total', 'gen_ai.usage.cost', 'casefile.cost.usd'] as const;

/**
 * Lower-cased output text that counts as a refusal. A plain substring list rather than a regex so
 * both backends evaluate it identically (`position`/`strpos` on `lower(output)`).
 */
export const REFUSAL_PHRASES = [
  "i can't help with",
  'i cannot help with',
  "i can't assist with",
  'i cannot assist with',
  "i'm sorry, but i can't",
  "i'm sorry, but i cannot",
  "i won't be able to help",
  'i am unable to help',
  "i'm unable to help",
  'i must decline',
] as const;

export const REFUSAL_FINISH_REASONS = ['content_filter', 'refusal'] as const;

/** Approval decisions (lower-cased) counted as denials. */
export const DENIAL_DECISIONS = ['denied', 'deny', 'rejected', 'reject', 'declined'] as const;

/** Which version a window is restricted to (the "previous prompt/policy/model version" reference). */
export type VersionDimension = 'prompt' | 'policy' | 'model';

export interface MetricScope {
  metric: MetricName;
  /**
   * '' or absent = every agent. Run metrics keep the runs whose summary names this agent (the run's
   * `agentName`: the root step's, else an agent step's, else the earliest step's non-empty name).
   * Step metrics keep the steps that belong to it: a step with its own non-empty agent name belongs
   * to that agent (a sub-agent's calls in a multi-agent run are the sub-agent's), a step without one
   * belongs to its run's agent — plain OpenTelemetry / OpenInference agents name the agent on the
   * root span only, and their tool, LLM, retrieval and approval steps must still count. A step
   * belongs to at most one agent (none when neither it nor its run names one): per-agent counts
   * never overlap.
   */
  agentName?: string;
  /** Only for `TOOL_SCOPED_METRICS`; '' or absent = every tool. */
  toolName?: string;
  /**
   * Only runs of this prompt/policy version. For `model`: LLM calls of that model (`llm_*` metrics),
   * runs whose final answer came from it (`refusal_rate`, `output_length`), runs that used it (other
   * run metrics), or the steps of runs that used it (other step metrics).
   */
  version?: { dimension: VersionDimension; value: string };
}

export interface MetricSampleQuery extends MetricScope {
  /** Inclusive, ns; run metrics by run start, step metrics by step start. */
  fromNs: bigint;
  /** Exclusive, ns. */
  toNs: bigint;
  /**
   * Numeric metrics: at most this many values are returned (default 10,000); above it the backend
   * returns a deterministic uniform sample (e.g. by a hash of the trace/span ID) and `total` says how
   * many there were.
   */
  maxValues?: number;
}

export type MetricSample =
  | { kind: 'numeric'; values: number[]; total: number }
  | {
      kind: 'categorical';
      counts: Array<[label: string, count: number]>;
      /** `tool_mix` only: how many runs the counts come from (runs that called a tool); shares are of these. */
      runs?: number;
    }
  | { kind: 'rate'; successes: number; trials: number }
  | { kind: 'count'; count: number };

export interface MetricSeriesQuery extends MetricScope {
  fromNs: bigint;
  toNs: bigint;
  /** Bucket width, ns; buckets start at multiples of it (UTC epoch aligned). */
  bucketNs: bigint;
}

/** One bucket; empty buckets are omitted. */
export interface MetricPoint {
  startNs: bigint;
  /** Observations in the bucket (values, labels, trials or runs). */
  count: number;
  /** numeric: mean; rate: successes / trials; count: runs; categorical: share of the top label (of `runs` when given). */
  value: number;
  /** numeric only. */
  p50?: number;
  p95?: number;
  /** rate only. */
  successes?: number;
  /** categorical only: the most frequent labels (at most 5) and their counts. */
  top?: Array<[label: string, count: number]>;
  /** `tool_mix` only: runs in the bucket that called a tool; `value` is the top label's share of them. */
  runs?: number;
}

/** One version of an agent's prompt/policy/model and when it was seen. */
export interface VersionSeen {
  value: string;
  firstNs: bigint;
  lastNs: bigint;
  runs: number;
}

export function isMetricName(value: string): value is MetricName {
  return (METRIC_NAMES as readonly string[]).includes(value);
}
