/**
 * A JSON payload as a tree of nodes for a collapsible view. Payloads are attacker-controlled:
 * they may not be JSON, may be huge or deeply nested, so the tree is bounded and falls back to text.
 */

export type JsonNode =
  | { type: 'object'; key: string; path: string; children: JsonNode[]; truncated: number }
  | { type: 'array'; key: string; path: string; children: JsonNode[]; truncated: number }
  | { type: 'value'; key: string; path: string; valueType: 'string' | 'number' | 'boolean' | 'null'; text: string };

export interface JsonTreeLimits {
  maxDepth: number;
  /** Children shown per object or array; the rest are counted in `truncated`. */
  maxChildren: number;
}

const DEFAULT_LIMITS: JsonTreeLimits = { maxDepth: 32, maxChildren: 500 };

/** `null` when the text is not JSON (the caller shows it raw). */
export function parseJsonTree(text: string, limits: JsonTreeLimits = DEFAULT_LIMITS): JsonNode | null {
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return buildJsonTree(value, limits);
}

export function buildJsonTree(value: unknown, limits: JsonTreeLimits = DEFAULT_LIMITS): JsonNode {
  return node(value, '', '$', 0, limits);
}

function node(value: unknown, key: string, path: string, depth: number, limits: JsonTreeLimits): JsonNode {
  if (value === null) return { type: 'value', key, path, valueType: 'null', text: 'null' };
  if (typeof value === 'string') return { type: 'value', key, path, valueType: 'string', text: JSON.stringify(value) };
  if (typeof value === 'number') return { type: 'value', key, path, valueType: 'number', text: String(value) };
  if (typeof value === 'boolean') return { type: 'value', key, path, valueType: 'boolean', text: String(value) };
  if (depth >= limits.maxDepth) {
    return { type: 'value', key, path, valueType: 'string', text: `${JSON.stringify(value).slice(0, 200)}…` };
  }
  if (Array.isArray(value)) {
    const shown = value.slice(0, limits.maxChildren);
    return {
      type: 'array',
      key,
      path,
      children: shown.map((v, i) => node(v, String(i), `${path}[${i}]`, depth + 1, limits)),
      truncated: value.length - shown.length,
    };
  }
  const entries = Object.entries(value as Record<string, unknown>);
  const shown = entries.slice(0, limits.maxChildren);
  return {
    type: 'object',
    key,
    path,
    children: shown.map(([k, v]) => node(v, k, `${path}.${k}`, depth + 1, limits)),
    truncated: entries.length - shown.length,
  };
}

/** A one-line summary of a collapsed node, e.g. `{3 keys}` or `[12 items]`. */
export function summarise(n: JsonNode): string {
  if (n.type === 'value') return n.text;
  const count = n.children.length + n.truncated;
  return n.type === 'array' ? `[${count} item${count === 1 ? '' : 's'}]` : `{${count} key${count === 1 ? '' : 's'}}`;
}
