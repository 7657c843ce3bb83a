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

// ES2024 string methods (Node ≥ 20): one native scan instead of a regular expression per string.
interface WellFormed {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/**
 * What `JSON.stringify` escapes in a string (quote, backslash, control characters), and any UTF-16
 * surrogate: a string without them is its JSON between two quotes.
 */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A string as JSON, lone UTF-16 surrogates first replaced by U+FFFD. */
function str(value: unknown): string {
  const s = (typeof value === 'string' ? value : String(value)) as string & WellFormed;
  // Most of a record's strings (IDs, names, kinds, attribute keys) need no escape; one regular
  // expression test and two quotes cost about half a `JSON.stringify` call.
  if (!NEEDS_ESCAPE.test(s)) return `"${s}"`;
  return JSON.stringify(s.isWellFormed() ? s : s.toWellFormed());
}

function sortedMap(map: Record<string, string>): string {
  const keys = Object.keys(map);
  if (keys.length > 1) keys.sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    if (i > 0) out += ',';
    out += str(k);
    out += ':';
    out += str(map[k]);
  }
  return `${out}}`;
}

function nanos(value: unknown): string {
  return typeof value === 'bigint' ? value.toString() : String(value);
}

type Encoder = (value: unknown) => string | undefined;

/** Each kind's encoder; `undefined` leaves the field out (its empty value). */
const ENCODERS: Record<StepFieldKind, Encoder> = {
  text: (value) => (value === '' || value === undefined ? undefined : str(value)),
  int: (value) => {
    const n = Math.trunc(Number(value));
    return n === 0 || !Number.isFinite(n) ? undefined : String(n);
  },
  ns: (value) => {
    const n = nanos(value);
    return n === '0' ? undefined : `"${n}"`;
  },
  nullableInt: (value) => (value === null || value === undefined ? undefined : String(Math.trunc(Number(value)))),
  textList: (value) => {
    const list = value as readonly string[];
    if (list.length === 0) return undefined;
    let out = '[';
    for (let i = 0; i < list.length; i++) {
      if (i > 0) out += ',';
      out += str(list[i]);
    }
    return `${out}]`;
  },
  stringMap: (value) => {
    const map = value as Record<string, string>;
    for (const _ in map) return sortedMap(map);
    return undefined;
  },
  events: (value) => {
    const events = value as readonly { timeNs: unknown; name: string; attributes: Record<string, string> }[];
    if (events.length === 0) return undefined;
    let out = '[';
    for (let i = 0; i < events.length; i++) {
      const e = events[i] as (typeof events)[number];
      if (i > 0) out += ',';
      out += `{"attributes":${sortedMap(e.attributes)},"name":${str(e.name)},"timeNs":"${nanos(e.timeNs)}"}`;
    }
    return `${out}]`;
  },
};

/** The wire fields in key order, each with its JSON key and encoder. */
const FIELDS: readonly { name: string; kind: StepFieldKind; key: string; encode: Encoder }[] = (
  Object.entries(STEP_FIELDS) as [string, { kind: StepFieldKind; wire: boolean }][]
)
  .filter(([, f]) => f.wire)
  .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  .map(([name, f]) => ({ name, kind: f.kind, key: `${JSON.stringify(name)}:`, encode: ENCODERS[f.kind] }));

/** Encoded resource attribute maps by object ('' for an empty one). */
const sharedMaps = new WeakMap<object, string>();

/**
 * `stringMap` for a map many steps share: the normaliser gives every span of one OTLP resource the
 * same redacted resource object, and an SDK's resource (service, SDK, process, host, runtime) is
 * often a dozen attributes or more, so it is sorted and encoded once per request, not per span.
 * Nothing changes a step's maps after normalising; a map that is not an object goes the usual way.
 */
function sharedMap(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return ENCODERS.stringMap(value);
  let encoded = sharedMaps.get(value);
  if (encoded === undefined) {
    encoded = ENCODERS.stringMap(value) ?? '';
    sharedMaps.set(value, encoded);
  }
  return encoded === '' ? undefined : encoded;
}

/** The record by walking the field table: the definition the compiled builder below must match. */
export function genericSpanRecord(step: Step | StepDto): string {
  const values = step as unknown as Record<string, unknown>;
  let out = '{';
  for (let i = 0; i < FIELDS.length; i++) {
    const field = FIELDS[i] as (typeof FIELDS)[number];
    const encoded = field.encode(values[field.name]);
    if (encoded === undefined) continue;
    if (out.length > 1) out += ',';
    out += field.key;
    out += encoded;
  }
  return `${out}}`;
}

/**
 * The same record from straight-line code generated once from the field table: one property read
 * per field at a site of its own (the table walk reads ~45 names through one site, which V8 serves
 * from its slowest cache) and text fields encoded inline. About half the walk's time per span. The
 * code holds only the contract's own field names, each checked to be a plain identifier first.
 */
function compileRecord(): (step: Step | StepDto) => string {
  let body = "let out = '{';\nlet e;\n";
  FIELDS.forEach((field, i) => {
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(field.name)) throw new Error(`step field "${field.name}" is not a plain name`);
    // The key with and without its leading comma, as literals: one concatenation per field fewer.
    const key = `(out.length > 1 ? ${JSON.stringify(`,${field.key}`)} : ${JSON.stringify(field.key)})`;
    const value = `step.${field.name}`;
    body +=
      field.kind === 'text'
        ? `if (${value} !== '' && ${value} !== undefined) out += ${key} + str(${value});\n`
        : `e = encoders[${i}](${value});\nif (e !== undefined) out += ${key} + e;\n`;
  });
  body += "return out + '}';";
  const make = new Function('str', 'encoders', `return function canonicalRecord(step) {\n${body}\n};`);
  return make(
    str,
    FIELDS.map((f) => (f.name === 'resourceAttributes' ? sharedMap : f.encode)),
  ) as (step: Step | StepDto) => string;
}

const compiledRecord = compileRecord();

/** The canonical record of a stored step or of the same step as the API sends it. */
export function canonicalSpanRecord(step: Step | StepDto): string {
  return compiledRecord(step);
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
