import { BadInputError } from '../errors/errors.js';
import { type MetricName, type MetricScope, TOOL_SCOPED_METRICS } from './metrics.js';

/**
 * The details of `metrics.ts` every backend must apply identically: which metrics are per run, which
 * attributes are read, what text counts as a number or a JSON object. One place, so the memory
 * reference, DuckDB and ClickHouse cannot drift apart.
 */

/** Default and hard ceiling of `maxValues`: a sample the drift tests can take in one go. */
export const DEFAULT_MAX_VALUES = 10_000;
export const MAX_MAX_VALUES = 1_000_000;

/** Attribute holding the finish reasons (a JSON array as stored, or a single string). */
export const FINISH_REASONS_ATTRIBUTE = 'gen_ai.response.finish_reasons';
/** Attribute a validator sets to `false` when a tool call's arguments broke the tool's schema. */
export const ARGUMENTS_VALID_ATTRIBUTE = 'casefile.tool.arguments_valid';

/**
 * A cost attribute counts only as a plain decimal (no exponent, no hex, bounded length): every
 * backend parses exactly that the same way, and a hostile `1e999` or `NaN` cannot poison a sum.
 */
export const COST_NUMBER_REGEX = '^-?[0-9]{1,12}(\\.[0-9]{1,12})?$';
const COST_NUMBER = new RegExp(COST_NUMBER_REGEX);
export const isCostNumber = (text: string): boolean => COST_NUMBER.test(text);

/** How a step metric is observed: over runs (one observation per run) or over steps. */
export type MetricGrain = 'run' | 'step';

export function metricGrain(scope: Pick<MetricScope, 'metric' | 'toolName'>): MetricGrain {
  const tool = toolScope(scope) !== '';
  switch (scope.metric) {
    case 'steps_per_run':
    case 'tokens_per_run':
    case 'cost_per_run':
    case 'finding_rate':
    case 'run_count':
    case 'tool_mix':
    case 'refusal_rate':
      return 'run';
    case 'latency_ms':
    case 'error_rate':
    case 'output_length':
      return tool ? 'step' : 'run';
    default:
      return 'step';
  }
}

/** Categorical run metrics whose labels are counted once per run: their samples also say how many runs. */
export const countsRuns = (metric: MetricScope['metric']): boolean => metric === 'tool_mix';

/** Run metrics over each run's final answer (its last LLM step). */
export function isFinalAnswerMetric(scope: Pick<MetricScope, 'metric' | 'toolName'>): boolean {
  return scope.metric === 'refusal_rate' || (scope.metric === 'output_length' && toolScope(scope) === '');
}

/**
 * Step metrics over LLM steps: with a `model` version they keep the LLM steps of that model. Every
 * other step metric (tool calls, retrievals, approvals) keeps the steps of runs that used the model.
 */
export function isLlmStepMetric(scope: Pick<MetricScope, 'metric' | 'toolName'>): boolean {
  return scope.metric === 'llm_refusal_rate' || scope.metric === 'llm_output_length';
}

/**
 * The tool a query is scoped to, '' for none. A tool on a metric that takes none is ignored; tool-scoped
 * metrics without a tool (`schema_conformance_rate`) observe every tool call.
 */
export function toolScope(scope: Pick<MetricScope, 'metric' | 'toolName'>): string {
  return TOOL_SCOPED_METRICS.has(scope.metric) ? (scope.toolName ?? '') : '';
}

/** Metrics observed over tool calls (with or without a tool scope). */
export function isToolCallMetric(scope: Pick<MetricScope, 'metric' | 'toolName'>): boolean {
  return scope.metric === 'schema_conformance_rate' || (metricGrain(scope) === 'step' && toolScope(scope) !== '');
}

export function checkWindow(fromNs: bigint, toNs: bigint, metric: MetricName): void {
  if (fromNs < 0n || toNs < 0n) throw new BadInputError(`metric ${metric}: window bounds must be ≥ 0`);
}

export function checkBucket(bucketNs: bigint): void {
  if (bucketNs <= 0n) throw new BadInputError('metric series: bucketNs must be > 0');
}

/** `maxValues` as a whole number in [0, MAX_MAX_VALUES]. */
export function maxValuesOf(maxValues: number | undefined): number {
  if (maxValues === undefined) return DEFAULT_MAX_VALUES;
  if (!Number.isFinite(maxValues) || maxValues < 0) throw new BadInputError('metric sample: maxValues must be ≥ 0');
  return Math.min(Math.floor(maxValues), MAX_MAX_VALUES);
}

/** Start of the bucket holding `t`: a multiple of `bucketNs` since the epoch. */
export const bucketStart = (t: bigint, bucketNs: bigint): bigint => t - (t % bucketNs);

/** Linear interpolation between closest ranks (DuckDB `quantile_cont`, ClickHouse `quantile` below 8,192 values). */
export function quantileCont(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = sorted[lo] as number;
  const b = sorted[hi] as number;
  return a + (b - a) * (pos - lo);
}

/** Labels by count descending, then by UTF-8 bytes (the order both databases sort text in). */
export function compareLabelCounts(a: readonly [string, number], b: readonly [string, number]): number {
  if (a[1] !== b[1]) return b[1] - a[1];
  return Buffer.compare(Buffer.from(a[0], 'utf8'), Buffer.from(b[0], 'utf8'));
}

export const TOP_LABELS = 5;
