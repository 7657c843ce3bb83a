import type { AttrMap, AttrValue } from '../otlp/decoded.js';

/** Attribute values as stored: strings as they are, scalars as text, arrays and maps as JSON. */
export function flattenValue(v: AttrValue): string {
  if (typeof v === 'string') return v;
  if (v === null) return '';
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
}

export function flattenMap(map: AttrMap): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const key in map) out[key] = flattenValue(map[key] as AttrValue);
  return out;
}
