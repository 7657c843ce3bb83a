import {
  EVENT_TIMES_PATTERN,
  JSON_TEXT_COLUMNS,
  jsonEscapedNeedle,
  LIST_TEXT_COLUMNS,
  MAP_TEXT_COLUMNS,
  PLAIN_TEXT_COLUMNS,
} from '../text-search.js';

/**
 * The free-text condition over one `spans` row (alias `s`), by the rules of `text-search.ts`.
 * `contains` is a literal substring test, so the needle needs no LIKE escaping; it is bound as a
 * parameter, never spliced.
 */
export function spanTextCondition(text: string, bind: (value: string) => string): string {
  const needle = bind(text.toLowerCase());
  const escapedText = jsonEscapedNeedle(text);
  const escaped = escapedText === undefined ? undefined : bind(escapedText.toLowerCase());
  const has = (expr: string) => `contains(lower(${expr}), ${needle})`;
  const hasJson = (expr: string) =>
    escaped === undefined ? has(expr) : `(${has(expr)} OR contains(lower(${expr}), ${escaped}))`;
  const any = (list: string) => `len(list_filter(${list}, v -> ${has('v')})) > 0`;
  return [
    ...PLAIN_TEXT_COLUMNS.map((col) => has(`s.${col}`)),
    ...JSON_TEXT_COLUMNS.map((col) => hasJson(`s.${col}`)),
    ...LIST_TEXT_COLUMNS.map((col) => any(`s.${col}`)),
    ...MAP_TEXT_COLUMNS.map((col) => any(`json_extract_string(s.${col}, '$.*')`)),
    hasJson(`regexp_replace(s.events, '${EVENT_TIMES_PATTERN}', '', 'g')`),
  ].join(' OR ');
}
