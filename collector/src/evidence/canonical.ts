import { STEP_FIELDS, type StepDto, type StepFieldKind } from '@casefile/contract';
import type { Step } from '../model/step.js';

/**
 * The canonical record of a span: the text its leaf hash is computed over. It is the same for a stored
 * `Step` and for the `StepDto` an export carries, so a case file can be checked offline against the
 * leaves the collector recorded at ingest.
 *
 * - A JSON object of the step's wire fields (every field but the project, which the chain implies),
 *   keys in UTF-16 code-unit order, no whitespace, `JSON.stringify` string escapes.
 * - A field holding its empty value ('', 0, null, [], {}) is left out, so a field added to the step
 *   model later does not change the record of a span stored before it.
 * - Nanoseconds are decimal strings; integers are truncated as the stores truncate them.
 * - Map keys are sorted; list and event order is kept.
 * - Lone UTF-16 surrogates become U+FFFD, as every store writes them, so a record hashes the same
 *   before it is written and after it is read back.
 */

const FIELDS: readonly [string, StepFieldKind][] = (
  Object.entries(STEP_FIELDS) as [string, { kind: StepFieldKind; wire: boolean }][]
)
  .filter(([, f]) => f.wire)
  .map(([name, f]) => [name, f.kind] as [string, StepFieldKind])
  .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

const FIELD_KEYS = new Map(FIELDS.map(([name]) => [name, JSON.stringify(name)]));

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ANY_SURROGATE = /[\uD800-\uDFFF]/;

function str(value: unknown): string {
  const s = String(value);
  return JSON.stringify(ANY_SURROGATE.test(s) ? s.replace(LONE_SURROGATE, '\uFFFD') : s);
}

function sortedMap(map: Record<string, string>): string {
  const keys = Object.keys(map).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    out += `${i === 0 ? '' : ','}${str(k)}:${str(map[k])}`;
  }
  return `${out}}`;
}

function nanos(value: unknown): string {
  return typeof value === 'bigint' ? value.toString() : String(value);
}

function encode(kind: StepFieldKind, value: unknown): string | undefined {
  switch (kind) {
    case 'text':
      return value === '' || value === undefined ? undefined : str(value);
    case 'int': {
      const n = Math.trunc(Number(value));
      return n === 0 || !Number.isFinite(n) ? undefined : String(n);
    }
    case 'ns': {
      const n = nanos(value);
      return n === '0' ? undefined : `"${n}"`;
    }
    case 'nullableInt':
      return value === null || value === undefined ? undefined : String(Math.trunc(Number(value)));
    case 'textList': {
      const list = value as readonly string[];
      return list.length === 0 ? undefined : `[${list.map(str).join(',')}]`;
    }
    case 'stringMap': {
      const map = value as Record<string, string>;
      for (const _ in map) return sortedMap(map);
      return undefined;
    }
    case 'events': {
      const events = value as readonly { timeNs: unknown; name: string; attributes: Record<string, string> }[];
      if (events.length === 0) return undefined;
      return `[${events
        .map((e) => `{"attributes":${sortedMap(e.attributes)},"name":${str(e.name)},"timeNs":"${nanos(e.timeNs)}"}`)
        .join(',')}]`;
    }
  }
}

/** The canonical record of a stored step or of the same step as the API sends it. */
export function canonicalSpanRecord(step: Step | StepDto): string {
  const values = step as unknown as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const [name, kind] of FIELDS) {
    const encoded = encode(kind, values[name]);
    if (encoded === undefined) continue;
    out += `${first ? '' : ','}${FIELD_KEYS.get(name)}:${encoded}`;
    first = false;
  }
  return `${out}}`;
}

/**
 * Canonical JSON of any JSON value: object keys in UTF-16 code-unit order at every level, no
 * whitespace, `JSON.stringify` number and string forms; bigints as decimal strings; `undefined`
 * members left out. Exports are written in this form, so any changed byte either changes a value
 * or makes the text non-canonical.
 */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return str(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Error('canonical JSON has no NaN or Infinity');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return `"${value.toString()}"`;
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${str(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
    }
    default:
      throw new Error(`canonical JSON cannot hold a ${typeof value}`);
  }
}
