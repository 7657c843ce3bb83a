import type { AttrMap, AttrValue } from '../otlp/decoded.js';
import { FIELD_SOURCES } from './dialects.js';
import { parseJson } from './json.js';

/**
 * What normalisation could not read in a span's attributes, as notes for `casefile.normalize.notes`:
 * values of attributes the dialects read as JSON that are not JSON, counts that are not counts, names
 * and identifiers sent as lists or maps. Checked by attribute name (numbered list entries by their
 * pattern, `retrieval.documents.N.document.metadata`), so a list of 10,000 bad entries is one note.
 */

type Expect = 'json' | 'count' | 'scalar';

const EXPECTED = new Map<string, Expect>();
for (const key of [
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.retrieval.documents',
  'ai.prompt.messages',
  'ai.response.toolCalls',
  'ai.documents',
  'ai.ranking',
  'retrieval.documents.N.document.metadata',
  'llm.output_messages.N.message.tool_calls.N.tool_call.function.arguments',
  'llm.input_messages.N.message.tool_calls.N.tool_call.function.arguments',
  'langfuse.observation.input',
  'langfuse.observation.output',
]) {
  EXPECTED.set(key, 'json');
}
for (const key of [...FIELD_SOURCES.inputTokens, ...FIELD_SOURCES.outputTokens, 'llm.token_count.total']) {
  EXPECTED.set(key, 'count');
}
for (const key of [
  'openinference.span.kind',
  'traceloop.span.kind',
  'langfuse.observation.type',
  'gen_ai.operation.name',
  'ai.operationId',
  'input.value',
  'output.value',
  ...FIELD_SOURCES.agentName,
  ...FIELD_SOURCES.conversationId,
  ...FIELD_SOURCES.requestModel,
  ...FIELD_SOURCES.responseModel,
  ...FIELD_SOURCES.toolName,
  ...FIELD_SOURCES.toolCallId,
]) {
  EXPECTED.set(key, 'scalar');
}

/** Langfuse sends its I/O as JSON, but a plain string input stays a plain string: only `{`/`[` must parse. */
const LOOSE_JSON = new Set(['langfuse.observation.input', 'langfuse.observation.output']);
const MAX_NOTES = 10;

function patternOf(key: string): string {
  return /\d/.test(key) ? key.replace(/\.\d+(?=\.|$)/g, '.N') : key;
}

function readable(expect: Expect, key: string, raw: AttrValue | undefined, text: string): boolean {
  if (expect === 'scalar') return raw === undefined || raw === null || typeof raw !== 'object';
  if (text === '') return true;
  if (expect === 'count') {
    const n = Number(text);
    return Number.isFinite(n) && n >= 0;
  }
  if (LOOSE_JSON.has(key) && !/^\s*[[{]/.test(text)) return true;
  const parsed = parseJson(text);
  return parsed !== undefined && typeof parsed === 'object' && parsed !== null;
}

const WHAT: Record<Expect, string> = {
  json: 'not JSON',
  count: 'not a count',
  scalar: 'a list or map, not a single value (read as its JSON text)',
};

/**
 * Notes for `attrs` (flattened text) as received in `raw`; `dropped` attributes over the decoder's limit
 * and the numbered entries past `maxIndex` that list readers skip are noted too.
 */
export function attributeNotes(attrs: Record<string, string>, raw: AttrMap, dropped = 0, maxIndex = 10_000): string[] {
  const bad = new Map<string, { expect: Expect; count: number }>();
  let pastIndex = 0;
  for (const key in attrs) {
    const pattern = patternOf(key);
    if (pattern !== key && maxIndex >= 0) {
      for (const m of key.matchAll(/\.(\d+)(?=\.|$)/g)) {
        if (Number(m[1]) > maxIndex) {
          pastIndex += 1;
          break;
        }
      }
    }
    const expect = EXPECTED.get(pattern);
    if (expect === undefined || readable(expect, pattern, raw[key], attrs[key] as string)) continue;
    const entry = bad.get(pattern);
    if (entry) entry.count += 1;
    else bad.set(pattern, { expect, count: 1 });
  }
  const notes: string[] = [];
  for (const [pattern, { expect, count }] of bad) {
    if (notes.length >= MAX_NOTES) {
      notes.push(`${bad.size - MAX_NOTES} more attributes could not be read`);
      break;
    }
    notes.push(count > 1 ? `${count} values of ${pattern} are ${WHAT[expect]}` : `${pattern} is ${WHAT[expect]}`);
  }
  if (pastIndex > 0) notes.push(`${pastIndex} list entries numbered over ${maxIndex} were not read`);
  if (dropped > 0) notes.push(`${dropped} attributes over the limit per span were dropped before they were read`);
  return notes;
}
