import {
  EVENT_TIMES_PATTERN,
  JSON_TEXT_COLUMNS,
  jsonEscapedNeedle,
  LIST_TEXT_COLUMNS,
  MAP_TEXT_COLUMNS,
  PLAIN_TEXT_COLUMNS,
} from '../text-search.js';
import { literal } from './sql.js';

/**
 * The free-text condition over one `spans` row, by the rules of `text-search.ts`, in the 18.16
 * subset. `positionCaseInsensitiveUTF8` is a literal substring test (no LIKE wildcards to escape);
 * the needle enters the SQL only through `literal`.
 */
export function spanTextCondition(text: string): string {
  const needle = literal(text);
  const escapedText = jsonEscapedNeedle(text);
  const has = (expr: string) => `positionCaseInsensitiveUTF8(${expr}, ${needle}) > 0`;
  const hasJson = (expr: string) =>
    escapedText === undefined
      ? has(expr)
      : `(${has(expr)} OR positionCaseInsensitiveUTF8(${expr}, ${literal(escapedText)}) > 0)`;
  const any = (column: string) => `arrayExists(x -> ${has('x')}, ${column})`;
  return [
    ...PLAIN_TEXT_COLUMNS.map(has),
    ...JSON_TEXT_COLUMNS.map(hasJson),
    ...LIST_TEXT_COLUMNS.map(any),
    // String maps are stored as parallel key/value arrays.
    ...MAP_TEXT_COLUMNS.map((col) => any(`${col}_values`)),
    hasJson(`replaceRegexpAll(events, ${literal(EVENT_TIMES_PATTERN)}, '')`),
  ].join(' OR ');
}

/** Traces of the project with (or without) counted findings; both sides of IN are String. */
export function findingTracesSubquery(db: string, projectId: string): string {
  return `SELECT trace_id FROM ${db}.findings FINAL WHERE project_id = ${literal(projectId)} AND open_count > 0`;
}
