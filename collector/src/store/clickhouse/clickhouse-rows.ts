import type { RunSummary, Step } from '../../model/step.js';
import { eventsFromJson, eventsToJson, STEP_COLUMNS } from '../step-columns.js';
import { wellFormed } from './sql.js';

/** Conversion between Steps and ClickHouse JSONEachRow rows (UInt64/Int64 travel as strings). */

export type Row = Record<string, unknown>;

// DateTime on 18.16 is safe up to 2038; later steps all land in the last partition, which only
// affects partition pruning (the exact time is in start_ns).
const MAX_SECONDS = 2_147_483_647n;

export function partitionSeconds(ns: bigint): number {
  const s = ns / 1_000_000_000n;
  return Number(s > MAX_SECONDS ? MAX_SECONDS : s);
}

const wf = (value: unknown) => wellFormed(String(value));

export function stepToRow(step: Step, version: bigint): Row {
  const row: Row = {};
  for (const col of STEP_COLUMNS) {
    const value = step[col.field];
    switch (col.kind) {
      case 'text':
        row[col.column] = wf(value);
        break;
      case 'int':
        row[col.column] = Math.trunc(Number(value));
        break;
      case 'ns':
        row[col.column] = (value as bigint).toString();
        break;
      case 'nullableInt':
        row[col.column] = value === null || value === undefined ? null : Math.trunc(value as number).toString();
        break;
      case 'textList':
        row[col.column] = (value as string[]).map(wf);
        break;
      case 'stringMap': {
        const entries = Object.entries(value as Record<string, string>);
        row[`${col.column}_keys`] = entries.map(([k]) => wf(k));
        row[`${col.column}_values`] = entries.map(([, v]) => wf(v));
        break;
      }
      case 'events':
        row[col.column] = wf(eventsToJson(value as Step['events']));
        break;
    }
  }
  row.start_time = partitionSeconds(step.startNs);
  row.version = version.toString();
  return row;
}

export function rowToStep(row: Row): Step {
  const step: Record<string, unknown> = {};
  for (const col of STEP_COLUMNS) {
    const value = row[col.column];
    switch (col.kind) {
      case 'text':
        step[col.field] = String(value);
        break;
      case 'int':
        step[col.field] = Number(value);
        break;
      case 'ns':
        step[col.field] = BigInt(String(value));
        break;
      case 'nullableInt':
        step[col.field] = value === null ? null : Number(value);
        break;
      case 'textList':
        step[col.field] = (value as string[]).map(String);
        break;
      case 'stringMap': {
        const keys = row[`${col.column}_keys`] as string[];
        const values = row[`${col.column}_values`] as string[];
        step[col.field] = Object.fromEntries(keys.map((k, i) => [k, values[i] ?? '']));
        break;
      }
      case 'events':
        step[col.field] = eventsFromJson(String(value));
        break;
    }
  }
  return step as unknown as Step;
}

const merged = (col: string) => `argMinMerge(${col}_s) AS ${col}`;

/** Select list over `runs` grouped by trace_id; every aggregate is read back with -Merge. */
export const SUMMARY_SELECT = `trace_id,
  minMerge(start_s) AS start_ns, maxMerge(end_s) AS end_ns,
  ${['name', 'service_name', 'agent_name', 'agent_version', 'conversation_id', 'prompt_version', 'policy_version', 'run_input'].map(merged).join(', ')},
  if(maxMerge(error_s) = 1, 'error', 'ok') AS status,
  uniqExactMerge(steps_s) AS step_count, uniqExactIfMerge(errors_s) AS error_count,
  arraySort(arrayFilter(x -> x != '', groupUniqArrayMerge(tools_s))) AS tool_names,
  arraySort(arrayFilter(x -> x != '', groupUniqArrayArrayMerge(models_s))) AS models,
  arraySum(arrayMap(t -> t.2, groupUniqArrayMerge(tokens_s))) AS input_tokens,
  arraySum(arrayMap(t -> t.3, groupUniqArrayMerge(tokens_s))) AS output_tokens`;

export function rowToSummary(r: Row): RunSummary {
  return {
    traceId: String(r.trace_id),
    startNs: BigInt(String(r.start_ns)),
    endNs: BigInt(String(r.end_ns)),
    name: String(r.name),
    serviceName: String(r.service_name),
    agentName: String(r.agent_name),
    agentVersion: String(r.agent_version),
    conversationId: String(r.conversation_id),
    status: r.status === 'error' ? 'error' : 'ok',
    stepCount: Number(r.step_count),
    errorCount: Number(r.error_count),
    toolNames: (r.tool_names as string[]).map(String),
    promptVersion: String(r.prompt_version),
    policyVersion: String(r.policy_version),
    models: (r.models as string[]).map(String),
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    runInput: String(r.run_input),
    findingCount: 0,
    runName: '',
    worstSeverity: '',
  };
}
