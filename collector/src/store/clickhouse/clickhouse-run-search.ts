import { EVENT_TIMES_PATTERN, jsonEscapedNeedle, TEXT_SEARCH_FIELDS, type TextColumnKind } from '../text-search.js';
import { literal, literalArray } from './sql.js';

/**
 * The free-text conditions over one `spans` row, by the rules of `text-search.ts`, one per searched
 * field in report order, in the 18.16 subset. `positionCaseInsensitiveUTF8` is a literal substring
 * test (no LIKE wildcards to escape); the needle enters the SQL only through `literal`.
 */
export function spanTextConditions(text: string): { field: string; sql: string }[] {
  const needle = literal(text);
  const escapedText = jsonEscapedNeedle(text);
  const has = (expr: string) => `positionCaseInsensitiveUTF8(${expr}, ${needle}) > 0`;
  const hasJson = (expr: string) =>
    escapedText === undefined
      ? has(expr)
      : `(${has(expr)} OR positionCaseInsensitiveUTF8(${expr}, ${literal(escapedText)}) > 0)`;
  const any = (column: string) => `arrayExists(x -> ${has('x')}, ${column})`;
  const condition: Record<TextColumnKind, (column: string) => string> = {
    plain: has,
    json: hasJson,
    list: any,
    // String maps are stored as parallel key/value arrays.
    map: (col) => any(`${col}_values`),
    events: (col) => hasJson(`replaceRegexpAll(${col}, ${literal(EVENT_TIMES_PATTERN)}, '')`),
  };
  return TEXT_SEARCH_FIELDS.map(({ column, kind, field }) => ({ field, sql: condition[kind](column) }));
}

export function spanTextCondition(text: string): string {
  return spanTextConditions(text)
    .map((c) => c.sql)
    .join(' OR ');
}

/** Traces of the project with counted findings; both sides of IN are String. */
export function findingTracesSubquery(db: string, projectId: string): string {
  return `SELECT trace_id FROM ${db}.findings FINAL WHERE project_id = ${literal(projectId)} AND open_count > 0`;
}

/** Where each of the given runs matched: its first matching step and that step's first matching field. */
export function textMatchesSql(
  db: string,
  projectId: string,
  runs: readonly { traceId: string }[],
  text: string,
): string {
  const cases = spanTextConditions(text)
    .map((c) => `${c.sql}, ${literal(c.field)}`)
    .join(', ');
  return `SELECT trace_id, span_id, field, step_name, tool_name,
  attributes_keys, attributes_values, resource_attributes_keys, resource_attributes_values FROM (
  SELECT trace_id, span_id, start_ns, name AS step_name, tool_name,
    attributes_keys, attributes_values, resource_attributes_keys, resource_attributes_values,
    multiIf(${cases}, '') AS field FROM ${db}.spans
  WHERE project_id = ${literal(projectId)} AND trace_id IN (${literalArray(runs.map((r) => r.traceId)).slice(1, -1)})
) WHERE field != ''
ORDER BY trace_id, start_ns, span_id
LIMIT 1 BY trace_id`;
}
