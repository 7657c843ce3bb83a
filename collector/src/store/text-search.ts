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
 * The first field of `step` that matches `text` under the rules above, or undefined. Used by the
 * in-memory store and to tell a user where a search hit; the SQL adapters implement the same rules.
 */
export function stepTextMatch(step: Step, text: string): TextMatchField | undefined {
  const needle = text.toLowerCase();
  const escaped = jsonEscapedNeedle(text)?.toLowerCase();
  const has = (value: string) => value.toLowerCase().includes(needle);
  const hasJson = (value: string) => has(value) || (escaped !== undefined && value.toLowerCase().includes(escaped));
  for (const field of PLAIN_FIELDS) if (has(step[field] as string)) return field;
  for (const field of JSON_FIELDS) if (hasJson(step[field] as string)) return field;
  for (const field of LIST_FIELDS) if ((step[field] as string[]).some(has)) return field;
  for (const field of MAP_FIELDS) if (Object.values(step[field] as Record<string, string>).some(has)) return field;
  const events = JSON.stringify(step.events.map((e) => ({ n: e.name, a: e.attributes })));
  return hasJson(events) ? 'events' : undefined;
}

const FIELD_OF = new Map(STEP_COLUMNS.map((col) => [col.column, col.field]));
const fields = (columns: readonly string[]) => columns.map((col) => FIELD_OF.get(col) as keyof Step);
const PLAIN_FIELDS = fields(PLAIN_TEXT_COLUMNS);
const JSON_FIELDS = fields(JSON_TEXT_COLUMNS);
const LIST_FIELDS = fields(LIST_TEXT_COLUMNS);
const MAP_FIELDS = fields(MAP_TEXT_COLUMNS);
