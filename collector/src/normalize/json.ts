/** Small, total helpers over attacker-controlled JSON text: nothing here throws. */

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parsed JSON, or `undefined` when the text is not JSON (or too large to be worth parsing). */
export function parseJson(text: string | undefined, maxChars = 4_000_000): unknown {
  if (text === undefined || text === '' || text.length > maxChars) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A value that may hold JSON text: a string parsed when it is JSON, else the string itself; '' (and
 * null) as undefined; anything else as it is.
 */
export function jsonOrText(value: unknown): unknown {
  if (typeof value !== 'string') return value ?? undefined;
  if (value === '') return undefined;
  const parsed = parseJson(value);
  return parsed === undefined ? value : parsed;
}

/** A string as it is; anything else as JSON text ('' for null/undefined). */
export function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '';
  }
}

/** JSON text of a value that is an object or array already, else the value as a JSON string. */
export function asJsonText(v: unknown): string {
  if (typeof v === 'string') {
    const parsed = parseJson(v);
    return parsed !== undefined && typeof parsed === 'object' && parsed !== null ? v : JSON.stringify(v);
  }
  return asText(v);
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

/** A finite, non-negative count from a number or numeric string; null otherwise. */
export function toCount(v: unknown): number | null {
  if (v === '' || v === undefined || v === null || typeof v === 'boolean') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.round(n) : null;
}

export function firstString(o: Obj, keys: readonly string[]): string {
  for (const k of keys) {
    const v = str(o[k]);
    if (v !== '') return v;
  }
  return '';
}
