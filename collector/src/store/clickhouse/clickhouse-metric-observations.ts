import {
  ARGUMENTS_VALID_ATTRIBUTE,
  COST_NUMBER_REGEX,
  FINISH_REASONS_ATTRIBUTE,
  isFinalAnswerMetric,
  isLlmStepMetric,
  metricGrain,
  toolScope,
} from '../metric-rules.js';
import {
  COST_ATTRIBUTES,
  DENIAL_DECISIONS,
  type MetricScope,
  REFUSAL_FINISH_REASONS,
  REFUSAL_PHRASES,
} from '../metrics.js';
import { partitionSeconds } from './clickhouse-rows.js';
import { literal, uint } from './sql.js';

/**
 * One metric's observations as a ClickHouse 18.16 subquery with the columns `t` (UInt64, the run's
 * or step's start), `k` (sampling key: trace, or trace + span) and one of `v` (Float64), `label`
 * (String) or `ok` (UInt8). Every value goes through `literal` / `uint`; `metrics.ts` defines what
 * is observed. Runs come from the `runs` aggregate table (merged per trace), steps from `spans FINAL`
 * so a resent span counts once; both are pruned by day partition before anything is aggregated.
 */

const MAX_NS = 18_446_744_073_709_551_615n;
const clamp = (ns: bigint) => (ns > MAX_NS ? MAX_NS : ns);

type Window = MetricScope & { fromNs: bigint; toNs: bigint };

export function observationsSql(db: string, projectId: string, q: Window): string {
  const p = literal(projectId);
  const from = uint(clamp(q.fromNs));
  const to = uint(clamp(q.toNs));
  const fromSec = uint(partitionSeconds(clamp(q.fromNs)));
  const toSec = uint(partitionSeconds(clamp(q.toNs)));
  const agent = q.agentName ?? '';
  const version = q.version;
  // Every run with a step in the window (or starting in it) has a `run_list` row in one of these hours.
  const tracesOnDays = `SELECT trace_id FROM ${db}.run_list WHERE project_id = ${p}
  AND hour >= toStartOfHour(toDateTime(${fromSec})) AND hour <= toDateTime(${toSec})
  AND day >= toDate(toDateTime(${fromSec})) AND day <= toDate(toDateTime(${toSec}))`;
  const runVersion = (): string => {
    if (!version) return '1';
    const v = literal(version.value);
    if (version.dimension === 'prompt') return `prompt_version = ${v}`;
    if (version.dimension === 'policy') return `policy_version = ${v}`;
    return `has(arrayFilter(x -> x != '', models), ${v})`;
  };
  const runs = (having: string[]) => `SELECT trace_id AS k, minMerge(start_s) AS t, maxMerge(end_s) AS end_ns,
  argMinMerge(agent_name_s) AS agent_name, argMinMerge(prompt_version_s) AS prompt_version,
  argMinMerge(policy_version_s) AS policy_version, groupUniqArrayArrayMerge(models_s) AS models,
  maxMerge(error_s) AS err, uniqExactMerge(steps_s) AS step_count
FROM ${db}.run_list WHERE project_id = ${p} AND trace_id IN (${tracesOnDays})
GROUP BY trace_id HAVING ${having.join(' AND ')}`;
  const attr = (key: string) => `attributes_values[indexOf(attributes_keys, ${literal(key)})]`;

  // `lower` folds ASCII only, as the reference does; every phrase and reason is ASCII.
  const refusal = (reasonsExpr: string, outputExpr: string): string => {
    const reasons = `lower(${reasonsExpr})`;
    const output = `lower(${outputExpr})`;
    const tests = [
      ...REFUSAL_FINISH_REASONS.flatMap((r) => [
        `position(${reasons}, ${literal(r)}) > 0`,
        `position(${output}, ${literal(`"finish_reason":"${r}"`)}) > 0`,
      ]),
      ...REFUSAL_PHRASES.map((phrase) => `position(${output}, ${literal(phrase)}) > 0`),
    ];
    return `(${tests.join(' OR ')})`;
  };

  if (metricGrain(q) === 'run') {
    const finalModel = version?.dimension === 'model' && isFinalAnswerMetric(q);
    const having = [`t >= ${from}`, `t < ${to}`];
    if (!finalModel) having.push(runVersion());
    if (agent !== '') having.push(`agent_name = ${literal(agent)}`);
    const inWindow = runs(having);
    const perRun = (expr: string, alias: string) => `SELECT t, k, ${expr} AS ${alias} FROM (${inWindow})`;
    // Per-run sums over the run's stored steps (deduplicated by FINAL), joined to the runs in the
    // window. No step of a run starts before the run, so the window's start prunes partitions; the
    // plain day list (not the aggregated runs again) narrows the traces.
    const perRunSum = (sum: string, counted: string) => `SELECT t, k, v FROM (${inWindow}) ALL INNER JOIN (
  SELECT trace_id AS k, ${sum} AS v FROM ${db}.spans FINAL
  WHERE project_id = ${p} AND start_time >= toDateTime(${fromSec})
    AND trace_id IN (${tracesOnDays}) AND (${counted})
  GROUP BY trace_id
) USING k`;
    switch (q.metric) {
      case 'steps_per_run':
        return perRun('toFloat64(step_count)', 'v');
      case 'latency_ms':
        return perRun(durationMs('t', 'end_ns'), 'v');
      case 'error_rate':
        return perRun('err = 1', 'ok');
      case 'finding_rate':
        return perRun(
          `k IN (SELECT trace_id FROM ${db}.findings FINAL WHERE project_id = ${p} AND open_count > 0)`,
          'ok',
        );
      case 'run_count':
        return perRun('1', 'ok');
      case 'tokens_per_run':
        return perRunSum(
          'toFloat64(sum(ifNull(input_tokens, 0) + ifNull(output_tokens, 0)))',
          'isNotNull(input_tokens) OR isNotNull(output_tokens)',
        );
      case 'cost_per_run': {
        // A step reports its cost once: the first attribute that holds a plain decimal.
        const re = literal(COST_NUMBER_REGEX);
        const valid = COST_ATTRIBUTES.map((key) => `match(${attr(key)}, ${re})`);
        const value = `multiIf(${COST_ATTRIBUTES.map((key, i) => `${valid[i]}, toFloat64OrZero(${attr(key)})`).join(', ')}, 0)`;
        return perRunSum(`sum(${value})`, valid.join(' OR '));
      }
      case 'tool_mix':
        return `SELECT t, k, label FROM (${inWindow}) ALL INNER JOIN (
  SELECT DISTINCT trace_id AS k, tool_name AS label FROM ${db}.spans FINAL
  WHERE project_id = ${p} AND start_time >= toDateTime(${fromSec})
    AND trace_id IN (${tracesOnDays}) AND kind = 'tool' AND tool_name != ''
) USING k`;
      case 'refusal_rate':
      case 'output_length': {
        // The final answer: the run's LLM step that started last (then ended last, then the greatest span ID).
        const order = 'tuple(start_ns, end_ns, span_id)';
        const model = finalModel ? literal(version.value) : '';
        const last = `SELECT t, k, out, reasons FROM (${inWindow}) ALL INNER JOIN (
  SELECT trace_id AS k, argMax(output_messages, ${order}) AS out,
    argMax(${attr(FINISH_REASONS_ATTRIBUTE)}, ${order}) AS reasons,
    argMax(request_model, ${order}) AS request, argMax(response_model, ${order}) AS response
  FROM ${db}.spans FINAL
  WHERE project_id = ${p} AND start_time >= toDateTime(${fromSec})
    AND trace_id IN (${tracesOnDays}) AND kind = 'llm'
  GROUP BY trace_id
) USING k${finalModel ? ` WHERE request = ${model} OR response = ${model}` : ''}`;
        return q.metric === 'output_length'
          ? `SELECT t, k, toFloat64(lengthUTF8(out)) AS v FROM (${last})`
          : `SELECT t, k, ${refusal('reasons', 'out')} AS ok FROM (${last})`;
      }
      default:
        throw new Error(`${q.metric} is not a run metric`);
    }
  }

  const where = [
    `project_id = ${p}`,
    `start_time >= toDateTime(${fromSec})`,
    `start_time <= toDateTime(${toSec})`,
    `start_ns >= ${from}`,
    `start_ns < ${to}`,
  ];
  if (agent !== '') {
    // A step without its own agent name belongs to its run's agent (`MetricScope.agentName`). Only the
    // runs with an unnamed step in the window are looked up (none for SDK traces, which name every
    // step), their agent merged over all their days: the root may have started the day before.
    const a = literal(agent);
    const unnamed = `SELECT trace_id FROM ${db}.spans WHERE ${where.join(' AND ')} AND agent_name = ''`;
    where.push(`(agent_name = ${a} OR (agent_name = '' AND trace_id IN (SELECT trace_id FROM ${db}.run_list
  WHERE project_id = ${p} AND trace_id IN (${unnamed}) GROUP BY trace_id HAVING argMinMerge(agent_name_s) = ${a})))`);
  }
  if (version?.dimension === 'model' && isLlmStepMetric(q)) {
    const v = literal(version.value);
    where.push(`(request_model = ${v} OR response_model = ${v})`);
  } else if (version) {
    where.push(`trace_id IN (SELECT k FROM (${runs([runVersion()])}))`);
  }
  const tool = toolScope(q);
  const call = tool === '' ? "kind = 'tool'" : `kind = 'tool' AND tool_name = ${literal(tool)}`;
  const perStep = (expr: string, alias: string, cond: string, arrayJoin = '') =>
    `SELECT start_ns AS t, concat(trace_id, span_id) AS k, ${expr} AS ${alias} FROM ${db}.spans FINAL${arrayJoin}
WHERE ${[...where, cond].join(' AND ')}`;
  switch (q.metric) {
    case 'tool_call_mix':
      return perStep('tool_name', 'label', "kind = 'tool' AND tool_name != ''");
    case 'document_mix':
      return perStep('doc', 'label', "kind = 'retrieval' AND doc != ''", ' ARRAY JOIN document_ids AS doc');
    case 'llm_output_length':
      return perStep('toFloat64(lengthUTF8(output_messages))', 'v', "kind = 'llm'");
    case 'output_length':
      return perStep('toFloat64(lengthUTF8(tool_result))', 'v', call);
    case 'latency_ms':
      return perStep(durationMs('start_ns', 'end_ns'), 'v', call);
    case 'error_rate':
      return perStep("status = 'error'", 'ok', call);
    case 'schema_conformance_rate': {
      const valid = `${attr(ARGUMENTS_VALID_ATTRIBUTE)} != 'false'`;
      const object = `match(tool_arguments, ${literal('(?s)^[ \\t\\n\\r]*\\{.*\\}[ \\t\\n\\r]*$')})`;
      return perStep(`(${valid} AND ${object})`, 'ok', call);
    }
    case 'llm_refusal_rate':
      return perStep(refusal(attr(FINISH_REASONS_ATTRIBUTE), 'output_messages'), 'ok', "kind = 'llm'");
    case 'approval_denial_rate': {
      const denials = DENIAL_DECISIONS.map((d) => literal(d)).join(', ');
      return perStep(`lower(approval_decision) IN (${denials})`, 'ok', "kind = 'approval'");
    }
    default:
      throw new Error(`${q.metric} is not a step metric`);
  }
}

/** Milliseconds between start and end; a negative span (clock skew, unended) counts as 0. */
function durationMs(start: string, end: string): string {
  return `if(${end} > ${start}, ${end} - ${start}, 0) / 1e6`;
}
