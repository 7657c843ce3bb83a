import type { RunSummary, Step } from '../../model/step.js';
import { eventsFromJson, eventsToJson, STEP_COLUMNS } from '../step-columns.js';
import { wellFormed } from './sql.js';

/** Conversion between Steps and ClickHouse JSONEachRow rows (UInt64/Int64 travel as strings). */

export type Row = Record<string, unknown>;

// DateTime on 18.16 is safe up to 2038; later steps all land in the last partition, which only
// affects partition pruning (the exact time is in start_ns).
const MAX_SECONDS = 2_147_483_647n;

export function partitionSeconds(ns: bigint): number {
  const s = ns / 1_000_000_000n;
  return Number(s > MAX_SECONDS ? MAX_SECONDS : s);
}

const wf = (value: unknown) => wellFormed(String(value));

export function stepToRow(step: Step, version: bigint): Row {
  const row: Row = {};
  for (const col of STEP_COLUMNS) {
    const value = step[col.field];
    switch (col.kind) {
      case 'text':
        row[col.column] = wf(value);
        break;
      case 'int':
        row[col.column] = Math.trunc(Number(value));
        break;
      case 'ns':
        row[col.column] = (value as bigint).toString();
        break;
      case 'nullableInt':
        row[col.column] = value === null || value === undefined ? null : Math.trunc(value as number).toString();
        break;
      case 'textList':
        row[col.column] = (value as string[]).map(wf);
        break;
      case 'stringMap': {
        const entries = Object.entries(value as Record<string, string>);
        row[`${col.column}_keys`] = entries.map(([k]) => wf(k));
        row[`${col.column}_values`] = entries.map(([, v]) => wf(v));
        break;
      }
      case 'events':
        row[col.column] = wf(eventsToJson(value as Step['events']));
        break;
    }
  }
  row.start_time = partitionSeconds(step.startNs);
  row.version = version.toString();
  return row;
}

// One JSON string per text value (JSON.stringify of a string is native and needs no row object);
// lone surrogates become U+FFFD first, as `wellFormed` does for every other path.
const jsonText = (value: unknown): string => JSON.stringify(wellFormed(String(value)));

const jsonTextList = (list: readonly string[]): string => {
  let out = '[';
  for (let i = 0; i < list.length; i++) out += (i === 0 ? '' : ',') + jsonText(list[i]);
  return `${out}]`;
};

// `"column":` prefixes, built once.
const KEY = (column: string) => `${JSON.stringify(column)}:`;
const ROW_WRITERS: ((step: Step) => string)[] = STEP_COLUMNS.map((col) => {
  const field = col.field;
  switch (col.kind) {
    case 'text': {
      const key = KEY(col.column);
      return (step) => key + jsonText(step[field]);
    }
    case 'int': {
      const key = KEY(col.column);
      return (step) => {
        const n = Math.trunc(Number(step[field]));
        return key + (Number.isFinite(n) ? String(n) : 'null');
      };
    }
    case 'ns': {
      const key = KEY(col.column);
      return (step) => `${key}"${(step[field] as bigint).toString()}"`;
    }
    case 'nullableInt': {
      const key = KEY(col.column);
      return (step) => {
        const value = step[field];
        return key + (value === null || value === undefined ? 'null' : `"${Math.trunc(value as number).toString()}"`);
      };
    }
    case 'textList': {
      const key = KEY(col.column);
      return (step) => key + jsonTextList(step[field] as string[]);
    }
    case 'stringMap': {
      const keys = KEY(`${col.column}_keys`);
      const values = KEY(`${col.column}_values`);
      const write = (map: Record<string, string>) => {
        let k = '[';
        let v = '[';
        let first = true;
        for (const name in map) {
          k += (first ? '' : ',') + jsonText(name);
          v += (first ? '' : ',') + jsonText(map[name]);
          first = false;
        }
        return `${keys + k}],${values}${v}]`;
      };
      if (field !== 'resourceAttributes') return (step) => write(step[field] as Record<string, string>);
      // Every span of one OTLP resource holds the same map object (see `sharedResource`).
      const written = new WeakMap<object, string>();
      return (step) => sharedResource(written, step[field] as Record<string, string>, write);
    }
    case 'events': {
      const key = KEY(col.column);
      return (step) => key + jsonText(eventsToJson(step[field] as Step['events']));
    }
    default:
      throw new Error(`no JSONEachRow writer for column kind ${String(col.kind)}`);
  }
});

/**
 * The `JSONEachRow` body of a span insert, UTF-8: the same rows `stepToRow` gives, with no row object
 * per step, no arrays of keys and values and no second serialisation pass. Each row is encoded as it
 * is built: one string for the whole body is a rope of thousands of parts that encoding must first
 * flatten, which cost about as much as building the rows.
 */
export function stepsToJsonEachRow(steps: readonly Step[], version: bigint): Buffer {
  const tail = `,"version":"${version.toString()}"}\n`;
  const rows: Buffer[] = [];
  let bytes = 0;
  for (const step of steps) {
    let row = `{"start_time":${partitionSeconds(step.startNs)}`;
    for (const write of ROW_WRITERS) row += `,${write(step)}`;
    const encoded = Buffer.from(row + tail, 'utf8');
    rows.push(encoded);
    bytes += encoded.length;
  }
  return Buffer.concat(rows, bytes);
}

/**
 * Converts rows read as arrays (`FORMAT JSONCompact`) with the given column names into Steps; the
 * plan is worked out once per answer, not per row. A column a Step needs and the answer lacks is an
 * error, not an empty field.
 */
export function stepReader(names: readonly string[]): (row: readonly unknown[]) => Step {
  const at = new Map(names.map((name, i) => [name, i]));
  const index = (column: string) => {
    const i = at.get(column);
    if (i === undefined) throw new Error(`span rows lack the column ${column}`);
    return i;
  };
  const plan = STEP_COLUMNS.map((col) =>
    col.kind === 'stringMap'
      ? { field: col.field, kind: col.kind, i: index(`${col.column}_keys`), j: index(`${col.column}_values`) }
      : { field: col.field, kind: col.kind, i: index(col.column), j: -1 },
  );
  return (row) => {
    const step: Record<string, unknown> = {};
    for (const { field, kind, i, j } of plan) {
      const value = row[i];
      switch (kind) {
        case 'text':
          step[field] = typeof value === 'string' ? value : String(value);
          break;
        case 'int':
          step[field] = Number(value);
          break;
        case 'ns':
          step[field] = BigInt(String(value));
          break;
        case 'nullableInt':
          step[field] = value === null ? null : Number(value);
          break;
        case 'textList':
          step[field] = (value as unknown[]).map(String);
          break;
        case 'stringMap':
          step[field] = mapOf(value as string[], row[j] as string[]);
          break;
        case 'events':
          step[field] = eventsFromJson(String(value));
          break;
      }
    }
    return step as unknown as Step;
  };
}

/** A string map from parallel key and value arrays, as read from `<column>_keys` / `<column>_values`. */
function mapOf(keys: readonly string[], values: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (let k = 0; k < keys.length; k++) setEntry(map, keys[k] as string, values[k] ?? '');
  return map;
}

/** Sets one entry; keys are the sender's: `__proto__` must become a field, as Object.fromEntries makes it. */
function setEntry(map: Record<string, string>, key: string, value: string): void {
  if (key === '__proto__')
    Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}

/**
 * What `make` answers for a resource attribute map, once per map object. The normaliser gives every
 * span of one OTLP resource the same (redacted) map object, and an SDK's resource is often a dozen
 * attributes or more (service, SDK, process, host, runtime); nothing changes a step's maps afterwards.
 */
function sharedResource<T>(
  memo: WeakMap<object, T>,
  map: Record<string, unknown>,
  make: (map: Record<string, string>) => T,
): T {
  let made = memo.get(map);
  if (made === undefined) {
    made = make(map as Record<string, string>);
    memo.set(map, made);
  }
  return made;
}

/** Resource maps as `storedStep` answers them, by the written map object (shared, never changed). */
const storedResources = new WeakMap<object, Record<string, string>>();

/** A map as `mapOf` builds it from the written key and value arrays, without the arrays. */
function storedMap(map: Record<string, unknown>): Record<string, string> {
  const copy: Record<string, string> = {};
  for (const name in map) setEntry(copy, wf(name), wf(map[name]));
  return copy;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const UINT64_END = 2n ** 64n;

/**
 * The step as a read of the row `stepsToJsonEachRow` writes for it answers (`stepReader`): text made
 * well formed, numbers truncated, events through their JSON text, maps rebuilt key by key. Undefined
 * when a value would not come back as written (a number out of its column's range), so a caller
 * holding written steps in place of a read (`RecentSpans`) reads that run from the store instead.
 */
export function storedStep(step: Step): Step | undefined {
  const out: Record<string, unknown> = {};
  for (const col of STEP_COLUMNS) {
    const value = step[col.field];
    switch (col.kind) {
      case 'text':
        out[col.field] = wf(value);
        break;
      case 'int': {
        const n = Math.trunc(Number(value));
        if (!(n >= INT32_MIN && n <= INT32_MAX)) return undefined;
        out[col.field] = n + 0; // -0 is stored as 0
        break;
      }
      case 'ns': {
        const n = value as bigint;
        if (typeof n !== 'bigint' || n < 0n || n >= UINT64_END) return undefined;
        out[col.field] = n;
        break;
      }
      case 'nullableInt': {
        if (value === null || value === undefined) {
          out[col.field] = null;
          break;
        }
        const n = Math.trunc(value as number);
        if (!Number.isSafeInteger(n)) return undefined;
        out[col.field] = n + 0;
        break;
      }
      case 'textList':
        out[col.field] = (value as readonly unknown[]).map(wf);
        break;
      case 'stringMap': {
        const map = value as Record<string, unknown>;
        out[col.field] =
          col.field === 'resourceAttributes' ? sharedResource(storedResources, map, storedMap) : storedMap(map);
        break;
      }
      case 'events': {
        const events = value as Step['events'];
        out[col.field] = events.length === 0 ? [] : eventsFromJson(eventsToJson(events));
        break;
      }
    }
  }
  return out as unknown as Step;
}

const merged = (col: string) => `argMinMerge(${col}_s) AS ${col}`;

/** Select list over `runs` grouped by trace_id; every aggregate is read back with -Merge. */
export const SUMMARY_SELECT = `trace_id,
  minMerge(start_s) AS start_ns, maxMerge(end_s) AS end_ns,
  ${['name', 'service_name', 'agent_name', 'agent_version', 'conversation_id', 'prompt_version', 'policy_version', 'run_input'].map(merged).join(', ')},
  if(maxMerge(error_s) = 1, 'error', 'ok') AS status,
  uniqExactMerge(steps_s) AS step_count, uniqExactIfMerge(errors_s) AS error_count,
  arraySort(arrayFilter(x -> x != '', groupUniqArrayMerge(tools_s))) AS tool_names,
  arraySort(arrayFilter(x -> x != '', groupUniqArrayArrayMerge(models_s))) AS models,
  arraySum(arrayMap(t -> t.2, groupUniqArrayMerge(tokens_s))) AS input_tokens,
  arraySum(arrayMap(t -> t.3, groupUniqArrayMerge(tokens_s))) AS output_tokens`;

export function rowToSummary(r: Row): RunSummary {
  return {
    traceId: String(r.trace_id),
    startNs: BigInt(String(r.start_ns)),
    endNs: BigInt(String(r.end_ns)),
    name: String(r.name),
    serviceName: String(r.service_name),
    agentName: String(r.agent_name),
    agentVersion: String(r.agent_version),
    conversationId: String(r.conversation_id),
    status: r.status === 'error' ? 'error' : 'ok',
    stepCount: Number(r.step_count),
    errorCount: Number(r.error_count),
    toolNames: (r.tool_names as string[]).map(String),
    promptVersion: String(r.prompt_version),
    policyVersion: String(r.policy_version),
    models: (r.models as string[]).map(String),
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    runInput: String(r.run_input),
    findingCount: 0,
    runName: '',
    worstSeverity: '',
  };
}
