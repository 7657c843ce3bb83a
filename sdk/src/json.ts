/**
 * JSON helpers for span attributes. Agent values are arbitrary (cycles, bigint, class instances),
 * and serialising them must never throw into the agent, so everything goes through `toJsonValue`
 * first: it follows JSON.stringify's rules, plus bigint → decimal string and cycles → "[Circular]".
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const MAX_DEPTH = 64;

export function toJsonValue(value: unknown): JsonValue {
  return normalise(value, new Set(), 0) ?? null;
}

function normalise(value: unknown, seen: Set<object>, depth: number): JsonValue | undefined {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  const obj = value as { toJSON?: unknown };
  if (typeof obj.toJSON === 'function') {
    try {
      return normalise((obj.toJSON as () => unknown)(), seen, depth);
    } catch {
      return '[Unserialisable]';
    }
  }
  if (seen.has(obj)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[MaxDepth]';
  seen.add(obj);
  try {
    if (Array.isArray(obj)) return obj.map((item) => normalise(item, seen, depth + 1) ?? null);
    if (obj instanceof Map) return normalise(Object.fromEntries(obj), seen, depth);
    if (obj instanceof Set) return normalise([...obj], seen, depth);
    if (obj instanceof Error) return { name: obj.name, message: obj.message };
    // A null prototype keeps a "__proto__" key (attacker-controlled) as data instead of a prototype.
    const out: { [key: string]: JsonValue } = Object.create(null);
    for (const [k, v] of Object.entries(obj)) {
      const n = normalise(v, seen, depth + 1);
      if (n !== undefined) out[k] = n;
    }
    return out;
  } finally {
    seen.delete(obj);
  }
}

/**
 * Canonical JSON: keys sorted by UTF-16 code units at every level, no whitespace, numbers in
 * ECMAScript form (the RFC 8785 rules for everything an agent passes). `canonicalJson(x)` equals
 * `canonicalJson(JSON.parse(canonicalJson(x)))`, so a reader of the JSON text gets the same string.
 */
export function canonicalJson(value: unknown): string {
  return writeCanonical(toJsonValue(value));
}

function writeCanonical(value: JsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(writeCanonical).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${writeCanonical(value[k] as JsonValue)}`).join(',')}}`;
}

/** JSON text of any agent value; never throws. */
export function safeJson(value: unknown): string {
  return JSON.stringify(toJsonValue(value));
}

/** A string for display: strings as they are, everything else as JSON. */
export function stringify(value: unknown): string {
  return typeof value === 'string' ? value : safeJson(value);
}

/** Cuts text over `max` characters and says how much was cut, so a reader knows it is partial. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}…[truncated ${text.length - max} chars]`;
}
