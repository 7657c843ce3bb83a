import type { DuckDBValue } from '@duckdb/node-api';
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

/**
 * One metric's observations as a DuckDB subquery with the columns `t` (UBIGINT, the run's or step's
 * start), `k` (sampling key: trace, or trace + span) and one of `v` (DOUBLE), `label` (VARCHAR) or
 * `ok` (BOOLEAN). Every value is a bound parameter; `metrics.ts` defines what is observed.
 */

export interface Bound {
  sql: string;
  params: DuckDBValue[];
}

/** Largest UBIGINT: a window end beyond it means "no end". */
const MAX_NS = 18_446_744_073_709_551_615n;

export function observationsSql(
  projectId: string,
  q: MetricScope & { fromNs: bigint; toNs: bigint },
): Bound & { bind: (v: DuckDBValue) => string } {
  const params: DuckDBValue[] = [];
  const bind = (value: DuckDBValue): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const project = bind(projectId);
  const from = `${bind(q.fromNs > MAX_NS ? MAX_NS : q.fromNs)}::UBIGINT`;
  const to = `${bind(q.toNs > MAX_NS ? MAX_NS : q.toNs)}::UBIGINT`;
  const agent = q.agentName ?? '';
  const version = q.version;
  const runVersion = (): string => {
    if (!version) return 'TRUE';
    const v = bind(version.value);
    if (version.dimension === 'prompt') return `r.prompt_version = ${v}`;
    if (version.dimension === 'policy') return `r.policy_version = ${v}`;
    return `list_contains(r.models, ${v})`;
  };
  const attr = (alias: string, key: string) => `json_extract_string(${alias}.attributes, ${bind(`$."${key}"`)})`;

  // Each text is case-folded once, then searched for every needle.
  const refusal = (reasonsCol: string, outputCol: string): string => {
    const anyIn = (column: string, needles: readonly string[]) =>
      `len(list_filter([${needles.map((n) => bind(n)).join(', ')}], x -> contains(${column}, x))) > 0`;
    const outputNeedles = [...REFUSAL_FINISH_REASONS.map((r) => `"finish_reason":"${r}"`), ...REFUSAL_PHRASES];
    return `${anyIn(reasonsCol, REFUSAL_FINISH_REASONS)} OR ${anyIn(outputCol, outputNeedles)}`;
  };
  const loweredReasons = (alias: string) => asciiLower(`coalesce(${attr(alias, FINISH_REASONS_ATTRIBUTE)}, '')`);

  if (metricGrain(q) === 'run') {
    const finalModel = version?.dimension === 'model' && isFinalAnswerMetric(q);
    const where = [`r.project_id = ${project}`, `r.start_ns >= ${from}`, `r.start_ns < ${to}`];
    if (!finalModel) where.push(runVersion());
    if (agent !== '') where.push(`r.agent_name = ${bind(agent)}`);
    const runs = `SELECT r.* FROM runs r WHERE ${where.join(' AND ')}`;
    const perRun = (expr: string, alias: string) =>
      `SELECT r.start_ns AS t, r.trace_id AS k, ${expr} AS ${alias} FROM (${runs}) r`;
    switch (q.metric) {
      case 'steps_per_run':
        return { sql: perRun('r.step_count::DOUBLE', 'v'), params, bind };
      case 'latency_ms':
        return { sql: perRun(durationMs('r'), 'v'), params, bind };
      case 'error_rate':
        return { sql: perRun("r.status = 'error'", 'ok'), params, bind };
      case 'finding_rate':
        return {
          sql: perRun(
            "EXISTS (SELECT 1 FROM findings f WHERE f.project_id = r.project_id AND f.trace_id = r.trace_id AND f.status = 'open' AND f.severity <> 'low')",
            'ok',
          ),
          params,
          bind,
        };
      case 'run_count':
        return { sql: perRun('TRUE', 'ok'), params, bind };
      case 'tokens_per_run': {
        const counted = 's.input_tokens IS NOT NULL OR s.output_tokens IS NOT NULL';
        const sql = `SELECT r.start_ns AS t, r.trace_id AS k, sum(coalesce(s.input_tokens, 0) + coalesce(s.output_tokens, 0))::DOUBLE AS v
FROM (${runs}) r JOIN spans s ON s.project_id = r.project_id AND s.trace_id = r.trace_id
WHERE ${counted} GROUP BY r.start_ns, r.trace_id`;
        return { sql, params, bind };
      }
      case 'cost_per_run': {
        const re = bind(COST_NUMBER_REGEX);
        // One parse of the attributes for all cost keys; a step reports its cost once: the first
        // attribute that holds a plain decimal.
        const paths = COST_ATTRIBUTES.map((key) => bind(`$."${key}"`)).join(', ');
        const cost = `coalesce(${COST_ATTRIBUTES.map((_, i) => `CASE WHEN regexp_matches(a[${i + 1}], ${re}) THEN a[${i + 1}]::DOUBLE END`).join(', ')})`;
        const sql = `SELECT t, k, sum(c) AS v FROM (
  SELECT t, k, ${cost} AS c FROM (
    SELECT r.start_ns AS t, r.trace_id AS k, json_extract_string(s.attributes, [${paths}]) AS a
    FROM (${runs}) r JOIN spans s ON s.project_id = r.project_id AND s.trace_id = r.trace_id
  )
) WHERE c IS NOT NULL GROUP BY t, k`;
        return { sql, params, bind };
      }
      case 'tool_mix': {
        const sql = `SELECT DISTINCT r.start_ns AS t, r.trace_id AS k, s.tool_name AS label
FROM (${runs}) r JOIN spans s ON s.project_id = r.project_id AND s.trace_id = r.trace_id
WHERE s.kind = 'tool' AND s.tool_name <> ''`;
        return { sql, params, bind };
      }
      case 'refusal_rate':
      case 'output_length': {
        // The final answer: the run's LLM step that started last (then ended last, then the greatest span ID).
        const model = finalModel ? bind(version.value) : '';
        const last = `SELECT * FROM (
  SELECT r.start_ns AS t, r.trace_id AS k, s.output_messages, s.attributes, s.request_model, s.response_model,
    row_number() OVER (PARTITION BY r.trace_id ORDER BY s.start_ns DESC, s.end_ns DESC, s.span_id DESC) AS rn
  FROM (${runs}) r JOIN spans s ON s.project_id = r.project_id AND s.trace_id = r.trace_id
  WHERE s.kind = 'llm'
) f WHERE f.rn = 1${finalModel ? ` AND (f.request_model = ${model} OR f.response_model = ${model})` : ''}`;
        if (q.metric === 'output_length') {
          return { sql: `SELECT t, k, length(f.output_messages)::DOUBLE AS v FROM (${last}) f`, params, bind };
        }
        const lowered = `SELECT t, k, ${loweredReasons('f')} AS reasons, ${asciiLower('f.output_messages')} AS output FROM (${last}) f`;
        return { sql: `SELECT t, k, (${refusal('reasons', 'output')}) AS ok FROM (${lowered})`, params, bind };
      }
      default:
        throw new Error(`${q.metric} is not a run metric`);
    }
  }

  const where = [`s.project_id = ${project}`, `s.start_ns >= ${from}`, `s.start_ns < ${to}`];
  if (agent !== '') {
    // A step without its own agent name belongs to its run's agent (`MetricScope.agentName`).
    const a = bind(agent);
    where.push(
      `(s.agent_name = ${a} OR (s.agent_name = '' AND s.trace_id IN (SELECT r.trace_id FROM runs r WHERE r.project_id = ${project} AND r.agent_name = ${a})))`,
    );
  }
  if (version?.dimension === 'model' && isLlmStepMetric(q)) {
    const v = bind(version.value);
    where.push(`(s.request_model = ${v} OR s.response_model = ${v})`);
  } else if (version) {
    where.push(`s.trace_id IN (SELECT r.trace_id FROM runs r WHERE r.project_id = ${project} AND ${runVersion()})`);
  }
  const tool = toolScope(q);
  const call = tool === '' ? "s.kind = 'tool'" : `s.kind = 'tool' AND s.tool_name = ${bind(tool)}`;
  const perStep = (expr: string, alias: string, cond: string) =>
    `SELECT s.start_ns AS t, s.trace_id || s.span_id AS k, ${expr} AS ${alias} FROM spans s WHERE ${[...where, cond].join(' AND ')}`;
  switch (q.metric) {
    case 'tool_call_mix':
      return { sql: perStep('s.tool_name', 'label', "s.kind = 'tool' AND s.tool_name <> ''"), params, bind };
    case 'document_mix': {
      const inner = perStep('unnest(s.document_ids)', 'label', "s.kind = 'retrieval'");
      return { sql: `SELECT * FROM (${inner}) WHERE label <> ''`, params, bind };
    }
    case 'llm_output_length':
      return { sql: perStep('length(s.output_messages)::DOUBLE', 'v', "s.kind = 'llm'"), params, bind };
    case 'output_length':
      return { sql: perStep('length(s.tool_result)::DOUBLE', 'v', call), params, bind };
    case 'latency_ms':
      return { sql: perStep(durationMs('s'), 'v', call), params, bind };
    case 'error_rate':
      return { sql: perStep("s.status = 'error'", 'ok', call), params, bind };
    case 'schema_conformance_rate': {
      const valid = `coalesce(${attr('s', ARGUMENTS_VALID_ATTRIBUTE)}, '') <> 'false'`;
      const object = `regexp_full_match(s.tool_arguments, ${bind('[ \\t\\n\\r]*\\{.*\\}[ \\t\\n\\r]*')}, 's')`;
      return { sql: perStep(`(${valid} AND ${object})`, 'ok', call), params, bind };
    }
    case 'llm_refusal_rate': {
      const inner = perStep(
        `${loweredReasons('s')} AS reasons, ${asciiLower('s.output_messages')}`,
        'output',
        "s.kind = 'llm'",
      );
      return { sql: `SELECT t, k, (${refusal('reasons', 'output')}) AS ok FROM (${inner})`, params, bind };
    }
    case 'approval_denial_rate': {
      const denials = DENIAL_DECISIONS.map((d) => bind(d)).join(', ');
      return {
        sql: perStep(`${asciiLower('s.approval_decision')} IN (${denials})`, 'ok', "s.kind = 'approval'"),
        params,
        bind,
      };
    }
    default:
      throw new Error(`${q.metric} is not a step metric`);
  }
}

/**
 * Lower-cases ASCII only, as ClickHouse's `lower` and the reference do (DuckDB's `lower` folds all of
 * Unicode, e.g. 'İ' to 'i', which would let non-ASCII text match an ASCII phrase on one backend only).
 */
function asciiLower(expr: string): string {
  return `translate(${expr}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')`;
}

/** Milliseconds between start and end; a negative span (clock skew, unended) counts as 0. */
function durationMs(alias: string): string {
  return `greatest(${alias}.end_ns::HUGEINT - ${alias}.start_ns::HUGEINT, 0)::DOUBLE / 1e6`;
}
