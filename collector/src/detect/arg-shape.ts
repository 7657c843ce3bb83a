export type ArgType = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array' | 'text';

/** One argument path of one tool call: its JSON type and its size (chars, items or keys). */
export interface ArgField {
  path: string;
  type: ArgType;
  length: number;
}

const MAX_FIELDS = 200;
const MAX_DEPTH = 8;

/**
 * Flattens tool-call arguments into paths (`to`, `items[].qty`). Array items share one path, and
 * the largest size wins, so a list that grows is one longer field rather than many new keys.
 * Arguments that are not JSON are a single `text` field.
 */
export function argumentShape(text: string): ArgField[] {
  if (text === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return [{ path: '', type: 'text', length: text.length }];
  }
  const fields = new Map<string, ArgField>();
  const add = (path: string, type: ArgType, length: number): void => {
    const key = `${path}\u0000${type}`;
    const prev = fields.get(key);
    if (prev) prev.length = Math.max(prev.length, length);
    else if (fields.size < MAX_FIELDS) fields.set(key, { path, type, length });
  };
  const walk = (v: unknown, path: string, depth: number): void => {
    if (depth > MAX_DEPTH) return;
    if (v === null) add(path, 'null', 0);
    else if (typeof v === 'string') add(path, 'string', v.length);
    else if (typeof v === 'number') add(path, 'number', String(v).length);
    else if (typeof v === 'boolean') add(path, 'boolean', 1);
    else if (Array.isArray(v)) {
      add(path, 'array', v.length);
      for (const item of v) walk(item, `${path}[]`, depth + 1);
    } else if (typeof v === 'object') {
      const entries = Object.entries(v);
      if (path !== '') add(path, 'object', entries.length);
      for (const [k, item] of entries) walk(item, path === '' ? k : `${path}.${k}`, depth + 1);
    }
  };
  walk(parsed, '', 0);
  return [...fields.values()];
}
