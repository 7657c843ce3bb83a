import type { Step } from '../model/step.js';
import { STEP_COLUMNS } from './step-columns.js';

/**
 * What `RunQuery.text` searches, the same in every adapter: a case-insensitive, literal substring
 * (no wildcards: `%`, `_`, `*`, `\` and quotes are plain characters) of any of these (redacted)
 * fields of any step of the run. Pseudonym tokens such as `[email:7f3a9c12]` are plain text too,
 * so pasting one finds every run whose data carried it.
 */

/** Plain text columns. */
export const PLAIN_TEXT_COLUMNS: readonly string[] = [
  'name',
  'status_message',
  'error_type',
  'agent_name',
  'run_input',
  'tool_name',
  'retrieval_query',
  'data_source_id',
  'approval_id',
  'approver',
  'action_result',
];

/**
 * Columns that hold JSON text (messages, tool calls, retrieved documents). A value with a quote,
 * backslash or control character is stored escaped there (`a"b` as `a\"b`), so these are searched
 * for the needle as typed and for its JSON-escaped form.
 */
export const JSON_TEXT_COLUMNS: readonly string[] = [
  'input_messages',
  'output_messages',
  'system_instructions',
  'tool_arguments',
  'tool_result',
  'documents',
];

/** Array(String) columns searched element by element. */
export const LIST_TEXT_COLUMNS: readonly string[] = ['document_ids'];

/** String-map columns: their values are searched (keys are names, not data). */
export const MAP_TEXT_COLUMNS: readonly string[] = ['attributes', 'resource_attributes'];

/**
 * Events are stored as JSON text (`[{"t":"<ns>","n":name,"a":{...}}]`): searched as JSON text with
 * their times removed, so event names and attribute keys and values match, timestamps never do.
 */
export const EVENT_TIMES_PATTERN = '"t":"[0-9]*"';

/** The needle as it appears inside a JSON string literal; undefined when it needs no escaping. */
export function jsonEscapedNeedle(text: string): string | undefined {
  const escaped = JSON.stringify(text).slice(1, -1);
  return escaped === text ? undefined : escaped;
}

/** A field of one step that matched a free-text search, named as in the Step model. */
export type TextMatchField = keyof Step | 'events';

/**
 * Where a run matched a free-text search: its first matching step (start order) and that step's first
 * matching field, with the step's name and tool so a reader can say "tool arguments of send_email",
 * and for a match in an attribute map the attribute's key.
 */
export interface TextMatch {
  traceId: string;
  spanId: string;
  field: TextMatchField;
  stepName: string;
  toolName: string;
  /** For `attributes` / `resourceAttributes`: the first key whose value matched. */
  attribute?: string;
}

/** The first key (in key order) of a string map whose value contains `text`, case-insensitively. */
export function matchedKey(map: Readonly<Record<string, string>>, text: string): string | undefined {
  const needle = text.toLowerCase();
  return Object.keys(map)
    .sort()
    .find((k) => (map[k] ?? '').toLowerCase().includes(needle));
}

function describeMatch(
  step: Pick<Step, 'traceId' | 'spanId' | 'name' | 'toolName'>,
  field: TextMatchField,
  text: string,
  map: Readonly<Record<string, string>> | undefined,
): TextMatch {
  const attribute = map === undefined ? undefined : matchedKey(map, text);
  return {
    traceId: step.traceId,
    spanId: step.spanId,
    field,
    stepName: step.name,
    toolName: step.toolName,
    ...(attribute === undefined ? {} : { attribute }),
  };
}

export type TextColumnKind = 'plain' | 'json' | 'list' | 'map' | 'events';

const FIELD_OF = new Map(STEP_COLUMNS.map((col) => [col.column, col.field]));
const entries = (columns: readonly string[], kind: TextColumnKind) =>
  columns.map((column) => ({ column, kind, field: FIELD_OF.get(column) as TextMatchField }));

/** Every searched column in the order in which a step's matching field is reported. */
export const TEXT_SEARCH_FIELDS: readonly { column: string; kind: TextColumnKind; field: TextMatchField }[] = [
  ...entries(PLAIN_TEXT_COLUMNS, 'plain'),
  ...entries(JSON_TEXT_COLUMNS, 'json'),
  ...entries(LIST_TEXT_COLUMNS, 'list'),
  ...entries(MAP_TEXT_COLUMNS, 'map'),
  { column: 'events', kind: 'events', field: 'events' },
];

/**
 * The first field of `step` that matches `text` under the rules above, or undefined. Used by the
 * in-memory store; the SQL adapters implement the same rules.
 */
export function stepTextMatch(step: Step, text: string): TextMatchField | undefined {
  const needle = text.toLowerCase();
  const escaped = jsonEscapedNeedle(text)?.toLowerCase();
  const has = (value: string) => value.toLowerCase().includes(needle);
  const hasJson = (value: string) => has(value) || (escaped !== undefined && value.toLowerCase().includes(escaped));
  for (const { kind, field } of TEXT_SEARCH_FIELDS) {
    const value = field === 'events' ? step.events : step[field];
    const hit =
      kind === 'plain'
        ? has(value as string)
        : kind === 'json'
          ? hasJson(value as string)
          : kind === 'list'
            ? (value as string[]).some(has)
            : kind === 'map'
              ? Object.values(value as Record<string, string>).some(has)
              : hasJson(JSON.stringify(step.events.map((e) => ({ n: e.name, a: e.attributes }))));
    if (hit) return field;
  }
  return undefined;
}

/** The first matching step (start order, then span ID) of each run, for the runs of one page. */
export function runTextMatches(runs: Iterable<readonly Step[]>, text: string): TextMatch[] {
  const out: TextMatch[] = [];
  for (const steps of runs) {
    const ordered = [...steps].sort((a, b) =>
      a.startNs !== b.startNs ? (a.startNs < b.startNs ? -1 : 1) : a.spanId < b.spanId ? -1 : 1,
    );
    for (const step of ordered) {
      const field = stepTextMatch(step, text);
      if (field !== undefined) {
        const map = field === 'attributes' || field === 'resourceAttributes' ? step[field] : undefined;
        out.push(describeMatch(step, field, text, map));
        break;
      }
    }
  }
  return out;
}

/**
 * Match rows (`trace_id`, `span_id`, `field`, `step_name`, `tool_name`) from an adapter, in the order
 * of the page's runs; `mapOf` reads the matched attribute map of a row (adapters store maps differently).
 */
export function inPageOrder(
  runs: readonly { traceId: string }[],
  rows: Record<string, unknown>[],
  text: string,
  mapOf: (row: Record<string, unknown>, field: 'attributes' | 'resourceAttributes') => Record<string, string>,
): TextMatch[] {
  const byTrace = new Map(rows.map((r) => [String(r.trace_id), r]));
  return runs.flatMap((run) => {
    const row = byTrace.get(run.traceId);
    if (row === undefined) return [];
    const field = String(row.field) as TextMatchField;
    const step = {
      traceId: run.traceId,
      spanId: String(row.span_id),
      name: String(row.step_name ?? ''),
      toolName: String(row.tool_name ?? ''),
    };
    const map = field === 'attributes' || field === 'resourceAttributes' ? mapOf(row, field) : undefined;
    return [describeMatch(step, field, text, map)];
  });
}
