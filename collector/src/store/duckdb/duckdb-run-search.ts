import type { DuckDBValue } from '@duckdb/node-api';
import { listValue } from '@duckdb/node-api';
import { EVENT_TIMES_PATTERN, jsonEscapedNeedle, TEXT_SEARCH_FIELDS, type TextColumnKind } from '../text-search.js';

/**
 * The free-text conditions over one `spans` row (alias `s`), by the rules of `text-search.ts`, one
 * per searched field in report order. `contains` is a literal substring test, so the needle needs
 * no LIKE escaping; it is bound as a parameter, never spliced.
 */
export function spanTextConditions(
  text: string,
  bind: (value: DuckDBValue) => string,
): { field: string; sql: string }[] {
  const needle = bind(text.toLowerCase());
  const escapedText = jsonEscapedNeedle(text);
  const escaped = escapedText === undefined ? undefined : bind(escapedText.toLowerCase());
  const has = (expr: string) => `contains(lower(${expr}), ${needle})`;
  const hasJson = (expr: string) =>
    escaped === undefined ? has(expr) : `(${has(expr)} OR contains(lower(${expr}), ${escaped}))`;
  const any = (list: string) => `len(list_filter(${list}, v -> ${has('v')})) > 0`;
  const condition: Record<TextColumnKind, (column: string) => string> = {
    plain: (col) => has(`s.${col}`),
    json: (col) => hasJson(`s.${col}`),
    list: (col) => any(`s.${col}`),
    map: (col) => any(`json_extract_string(s.${col}, '$.*')`),
    events: (col) => hasJson(`regexp_replace(s.${col}, '${EVENT_TIMES_PATTERN}', '', 'g')`),
  };
  return TEXT_SEARCH_FIELDS.map(({ column, kind, field }) => ({ field, sql: condition[kind](column) }));
}

export function spanTextCondition(text: string, bind: (value: DuckDBValue) => string): string {
  return spanTextConditions(text, bind)
    .map((c) => c.sql)
    .join(' OR ');
}

/** Where each of the given runs matched: its first matching step and that step's first matching field. */
export function buildTextMatches(
  projectId: string,
  runs: readonly { traceId: string }[],
  text: string,
): { sql: string; params: DuckDBValue[] } {
  const params: DuckDBValue[] = [projectId, listValue(runs.map((r) => r.traceId))];
  const bind = (value: DuckDBValue): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const cases = spanTextConditions(text, bind)
    .map((c) => `WHEN ${c.sql} THEN '${c.field}'`)
    .join(' ');
  const sql = `SELECT trace_id, span_id, field, step_name, tool_name, attributes, resource_attributes FROM (
  SELECT s.trace_id, s.span_id, s.start_ns, s.name AS step_name, s.tool_name, s.attributes, s.resource_attributes,
    CASE ${cases} END AS field
  FROM spans s WHERE s.rowid IN (SELECT rowid FROM spans WHERE project_id = $1 AND list_contains($2, trace_id))
) WHERE field IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY trace_id ORDER BY start_ns, span_id) = 1`;
  return { sql, params };
}
