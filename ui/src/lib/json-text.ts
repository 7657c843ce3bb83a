/** Pretty-printing of JSON payloads that may be anything an attacker sent. */

export type JsonText = { kind: 'json'; text: string } | { kind: 'raw'; text: string } | { kind: 'empty' };

/** Beyond this size parsing and re-indenting would freeze the tab; the raw text is shown instead. */
const MAX_PRETTY_CHARS = 2_000_000;

/**
 * Parses `text` as JSON and re-indents it. Falls back to the raw string when it is not JSON, too
 * large, or a bare scalar string (a JSON-quoted string is unwrapped so its content reads naturally).
 */
export function prettyJson(text: string): JsonText {
  if (text.trim() === '') return { kind: 'empty' };
  if (text.length > MAX_PRETTY_CHARS) return { kind: 'raw', text };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'raw', text };
  }
  if (typeof value === 'string') return { kind: 'raw', text: value };
  return { kind: 'json', text: JSON.stringify(value, null, 2) };
}
