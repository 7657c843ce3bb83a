/**
 * The canonical step model. One run = one trace; one step = one span. Every dialect (GenAI semconv,
 * OpenInference, Vercel AI SDK, OpenLLMetry) is normalised onto these fields and every store keeps
 * exactly these fields. `STEP_FIELDS` is the one list of them: the `Step` type, `emptyStep`, the wire
 * schema (`stepSchema`) and the stores' columns are all derived from it, so a field added here is added
 * everywhere (and the conformance suite notices a store that does not round-trip it).
 * Times are bigint nanoseconds since the Unix epoch.
 */
import { z } from 'zod';
import { nanosSchema } from './nanos.js';

export const STEP_KINDS = ['agent', 'llm', 'retrieval', 'tool', 'approval', 'policy', 'guardrail', 'other'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export const TOOL_RISKS = ['read', 'write', 'external', 'irreversible'] as const;
export type ToolRisk = (typeof TOOL_RISKS)[number];

export const STEP_STATUSES = ['unset', 'ok', 'error'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export type ContentTrust = 'trusted' | 'untrusted';

export interface StepEvent {
  timeNs: bigint;
  name: string;
  attributes: Record<string, string>;
}

/**
 * How a field's value is represented. Each store maps a kind to one column type, the wire to one JSON
 * type: `ns` is a bigint here and a decimal string on the wire; `events` is a list of `StepEvent`.
 */
export type StepFieldKind = 'text' | 'int' | 'ns' | 'nullableInt' | 'textList' | 'stringMap' | 'events';

/** One field of the list: its kind, the value of a field nothing set, and (closed text sets) its values. */
export interface StepField<K extends StepFieldKind = StepFieldKind, T = unknown, V = undefined> {
  readonly kind: K;
  readonly empty: () => T;
  /** Text fields the wire checks against a closed set (responses with another value are rejected). */
  readonly values: V;
  /** false: kept by the collector, never sent (the project is implied by the request). */
  readonly wire: boolean;
}

const text = <T extends string = string>(empty = '' as T): StepField<'text', T> => ({
  kind: 'text',
  empty: () => empty,
  values: undefined,
  wire: true,
});
const oneOf = <const V extends readonly [string, ...string[]]>(
  values: V,
  empty: V[number],
): StepField<'text', V[number], V> => ({ kind: 'text', empty: () => empty, values, wire: true });
const int = (): StepField<'int', number> => ({ kind: 'int', empty: () => 0, values: undefined, wire: true });
const ns = (): StepField<'ns', bigint> => ({ kind: 'ns', empty: () => 0n, values: undefined, wire: true });
const nullableInt = (): StepField<'nullableInt', number | null> => ({
  kind: 'nullableInt',
  empty: () => null,
  values: undefined,
  wire: true,
});
const textList = (): StepField<'textList', string[]> => ({
  kind: 'textList',
  empty: () => [],
  values: undefined,
  wire: true,
});
const stringMap = (): StepField<'stringMap', Record<string, string>> => ({
  kind: 'stringMap',
  empty: () => ({}),
  values: undefined,
  wire: true,
});
const events = (): StepField<'events', StepEvent[]> => ({
  kind: 'events',
  empty: () => [],
  values: undefined,
  wire: true,
});

/** Every field of a step, in storage and wire order. */
export const STEP_FIELDS = {
  projectId: { ...text(), wire: false },
  /** 32 lower-case hex characters. */
  traceId: text(),
  /** 16 lower-case hex characters. */
  spanId: text(),
  /** '' for the root span of a run. */
  parentSpanId: text(),
  name: text(),
  kind: oneOf(STEP_KINDS, 'other'),
  /** OTLP span kind, 0..5. */
  spanKind: int(),
  startNs: ns(),
  endNs: ns(),
  status: oneOf(STEP_STATUSES, 'unset'),
  statusMessage: text(),
  serviceName: text(),

  agentName: text(),
  agentVersion: text(),
  conversationId: text(),
  runInput: text(),
  promptVersion: text(),
  policyVersion: text(),

  provider: text(),
  requestModel: text(),
  responseModel: text(),
  inputTokens: nullableInt(),
  outputTokens: nullableInt(),
  /** JSON text (redacted). */
  inputMessages: text(),
  outputMessages: text(),
  systemInstructions: text(),

  toolName: text(),
  toolCallId: text(),
  /** JSON text (redacted). */
  toolArguments: text(),
  toolResult: text(),
  /** Open text on the wire: clients show what a server sends. */
  toolRisk: text<ToolRisk | ''>(),

  dataSourceId: text(),
  retrievalQuery: text(),
  documentIds: textList(),
  /** JSON text: [{id, score}] */
  documents: text(),
  contentTrust: text<ContentTrust | ''>(),

  approvalId: text(),
  approvalDecision: text(),
  approver: text(),
  approvalActionHash: text(),
  actionHash: text(),
  actionResult: text(),
  policyDecision: text(),

  errorType: text(),
  redactionCount: int(),
  redactionRules: textList(),

  /** Every span attribute, stringified (arrays and maps as JSON), after redaction. */
  attributes: stringMap(),
  resourceAttributes: stringMap(),
  events: events(),
} as const;

type Fields = typeof STEP_FIELDS;
type ValueOf<F> = F extends StepField<StepFieldKind, infer T, unknown> ? T : never;

/** One step as the collector keeps it. */
export type Step = { -readonly [K in keyof Fields]: ValueOf<Fields[K]> };
export type StepFieldName = keyof Fields;

export const STEP_FIELD_NAMES = Object.keys(STEP_FIELDS) as StepFieldName[];

/** A step with every field empty: what normalisation starts from. */
export function emptyStep(projectId: string, traceId: string, spanId: string): Step {
  const step = { ...SCALAR_EMPTIES } as Step;
  for (const [name, field] of COMPOUND_FIELDS) (step as Record<string, unknown>)[name] = field.empty();
  step.projectId = projectId;
  step.traceId = traceId;
  step.spanId = spanId;
  return step;
}

const entries = Object.entries(STEP_FIELDS) as [StepFieldName, StepField][];
const isCompound = (f: StepField) => f.kind === 'textList' || f.kind === 'stringMap' || f.kind === 'events';
// Scalars are copied from one template (fast: called once per ingested span); lists and maps are fresh.
const SCALAR_EMPTIES = Object.fromEntries(entries.map(([name, f]) => [name, isCompound(f) ? undefined : f.empty()]));
const COMPOUND_FIELDS = entries.filter(([, f]) => isCompound(f));

// ---- the wire form --------------------------------------------------------------------------------

export const stepKindSchema = z.enum(STEP_KINDS);

export const stepEventSchema = z.object({
  timeNs: nanosSchema,
  name: z.string(),
  attributes: z.record(z.string(), z.string()),
});

type WireKeys = { [K in keyof Fields]: Fields[K]['wire'] extends false ? never : K }[keyof Fields];
type WireSchemaOf<F> =
  F extends StepField<'text', string, infer V>
    ? V extends readonly string[]
      ? z.ZodEnum<{ [Value in V[number]]: Value }>
      : z.ZodString
    : F extends StepField<'int'>
      ? z.ZodNumber
      : F extends StepField<'ns'>
        ? typeof nanosSchema
        : F extends StepField<'nullableInt'>
          ? z.ZodNullable<z.ZodNumber>
          : F extends StepField<'textList'>
            ? z.ZodArray<z.ZodString>
            : F extends StepField<'stringMap'>
              ? z.ZodRecord<z.ZodString, z.ZodString>
              : F extends StepField<'events'>
                ? z.ZodArray<typeof stepEventSchema>
                : never;
type WireShape = { -readonly [K in WireKeys]: WireSchemaOf<Fields[K]> };

function wireSchema(field: StepField): z.ZodType {
  switch (field.kind) {
    case 'text':
      return Array.isArray(field.values) ? z.enum(field.values as [string, ...string[]]) : z.string();
    case 'int':
      return z.number();
    case 'ns':
      return nanosSchema;
    case 'nullableInt':
      return z.number().nullable();
    case 'textList':
      return z.array(z.string());
    case 'stringMap':
      return z.record(z.string(), z.string());
    case 'events':
      return z.array(stepEventSchema);
  }
}

/** A step in API responses: no project, nanoseconds as decimal strings. */
export const stepSchema = z.object(
  Object.fromEntries(entries.filter(([, f]) => f.wire).map(([name, f]) => [name, wireSchema(f)])) as WireShape,
);
export type StepDto = z.infer<typeof stepSchema>;

export function stepToDto(step: Step): StepDto {
  const { projectId: _projectId, startNs, endNs, events, ...rest } = step;
  return {
    ...rest,
    startNs: startNs.toString(),
    endNs: endNs.toString(),
    events: events.map((e) => ({ timeNs: e.timeNs.toString(), name: e.name, attributes: e.attributes })),
  };
}
