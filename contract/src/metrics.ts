/** The behaviour metrics drift and threshold rules measure (the stores compute them, see `collector/src/store/metrics.ts`). */

/**
 * Each metric, what one observation is, and its kind. Metrics about answers and tools come in two
 * grains: per run (what a user means by "refusals went up", "answers got longer", "a new tool in 25%
 * of runs") and per call (every LLM or tool call, planning calls included).
 * - `tool_mix` (categorical): each distinct tool a run called, once per run (its share = the runs that
 *   used it).
 * - `tool_call_mix` (categorical): the tool name of each tool call.
 * - `document_mix` (categorical): each retrieved document ID of each retrieval step.
 * - `steps_per_run` (numeric): steps of each run.
 * - `output_length` (numeric): characters of each run's final answer (its last LLM step's output
 *   messages); with a tool scope, characters of each call's result.
 * - `llm_output_length` (numeric): characters of each LLM call's output messages.
 * - `latency_ms` (numeric): each run's duration; with a tool scope, each call's duration.
 * - `tokens_per_run` (numeric): input + output tokens of each run (runs without token counts excluded).
 * - `cost_per_run` (numeric): USD of each run, the sum of its steps' cost attributes (see
 *   `COST_ATTRIBUTES`); runs without any excluded.
 * - `refusal_rate` (rate): runs whose final answer refused (finish reason `content_filter`/`refusal`,
 *   or an output holding a `REFUSAL_PHRASES` entry) out of runs with an LLM step.
 * - `llm_refusal_rate` (rate): LLM calls that refused out of LLM calls.
 * - `error_rate` (rate): runs with status error out of runs; with a tool scope, failed calls out of calls.
 * - `schema_conformance_rate` (rate): tool calls whose arguments are a JSON object and are not marked
 *   invalid (`casefile.tool.arguments_valid` = `false`) out of tool calls.
 * - `finding_rate` (rate): runs with at least one counted finding (open, medium or above) out of runs.
 * - `approval_denial_rate` (rate): approval steps whose decision is a denial (`DENIAL_DECISIONS`) out
 *   of approval steps.
 * - `run_count` (rate-less count, numeric series only): runs started; for threshold rules on volume.
 *
 * A run's final answer is its LLM step with the latest start (then the latest end, then the greatest
 * span ID): the answer the user got, or the refusal that ended the run.
 */
export const METRIC_NAMES = [
  'tool_mix',
  'tool_call_mix',
  'document_mix',
  'steps_per_run',
  'output_length',
  'llm_output_length',
  'latency_ms',
  'tokens_per_run',
  'cost_per_run',
  'refusal_rate',
  'llm_refusal_rate',
  'error_rate',
  'schema_conformance_rate',
  'finding_rate',
  'approval_denial_rate',
  'run_count',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

/** What one observation of each metric is, in a user's words (the UI shows it next to the metric). */
export const METRIC_MEANINGS: Record<MetricName, string> = {
  tool_mix: 'share of runs that used each tool (a tool counts once per run)',
  tool_call_mix: 'share of tool calls per tool (every call, planning included)',
  document_mix: 'share of retrievals per document',
  steps_per_run: 'steps in each run',
  output_length: "characters of each run's final answer (per tool scope: of each tool result)",
  llm_output_length: 'characters of every LLM call, planning calls included',
  latency_ms: 'duration of each run (per tool scope: of each tool call)',
  tokens_per_run: 'input + output tokens of each run',
  cost_per_run: 'USD of each run',
  refusal_rate: 'runs whose final answer is a refusal, out of runs',
  llm_refusal_rate: 'LLM calls that refused, out of all LLM calls',
  error_rate: 'runs that failed, out of runs (per tool scope: failed calls)',
  schema_conformance_rate: 'tool calls with valid JSON-object arguments, out of tool calls',
  finding_rate: 'runs with at least one open medium+ finding, out of runs',
  approval_denial_rate: 'approvals denied, out of approvals',
  run_count: 'runs started',
};
