/** The behaviour metrics drift and threshold rules measure (the stores compute them, see `collector/src/store/metrics.ts`). */

/**
 * Each metric, what one observation is, and its kind:
 * - `tool_mix` (categorical): the tool name of each tool step.
 * - `document_mix` (categorical): each retrieved document ID of each retrieval step.
 * - `steps_per_run` (numeric): steps of each run.
 * - `output_length` (numeric): characters of each LLM step's output messages; with a tool scope,
 *   characters of each call's result.
 * - `latency_ms` (numeric): each run's duration; with a tool scope, each call's duration.
 * - `tokens_per_run` (numeric): input + output tokens of each run (runs without token counts excluded).
 * - `cost_per_run` (numeric): USD of each run, the sum of its steps' cost attributes (see
 *   `COST_ATTRIBUTES`); runs without any excluded.
 * - `refusal_rate` (rate): LLM steps that refused (finish reason `content_filter`/`refusal`, or an
 *   output matching `REFUSAL_PATTERN`) out of LLM steps.
 * - `error_rate` (rate): runs with status error out of runs; with a tool scope, failed calls out of calls.
 * - `schema_conformance_rate` (rate): tool calls whose arguments are a JSON object and are not marked
 *   invalid (`casefile.tool.arguments_valid` = `false`) out of tool calls.
 * - `finding_rate` (rate): runs with at least one counted finding (open, medium or above) out of runs.
 * - `approval_denial_rate` (rate): approval steps whose decision is a denial (`DENIAL_DECISIONS`) out
 *   of approval steps.
 * - `run_count` (rate-less count, numeric series only): runs started; for threshold rules on volume.
 */
export const METRIC_NAMES = [
  'tool_mix',
  'document_mix',
  'steps_per_run',
  'output_length',
  'latency_ms',
  'tokens_per_run',
  'cost_per_run',
  'refusal_rate',
  'error_rate',
  'schema_conformance_rate',
  'finding_rate',
  'approval_denial_rate',
  'run_count',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];
