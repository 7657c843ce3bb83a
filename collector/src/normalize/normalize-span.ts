import { actionHash } from '@casefile/sdk/action-hash';
import type { Step, StepEvent, ToolRisk } from '../model/step.js';
import { emptyStep, TOOL_RISKS } from '../model/step.js';
import type { DecodedSpan } from '../otlp/decoded.js';
import { attributeNotes } from './attribute-notes.js';
import { DIALECT_ATTR, type Dialect, type DialectId, NOTES_ATTR, type SpanView } from './dialect.js';
import { casefile, genAi } from './dialects/genai.js';
import { langfuse } from './dialects/langfuse.js';
import { applyInterrupt, interruptsOf, resumeApprovalStep, resumeCommandOf } from './dialects/langgraph.js';
import { mlflow } from './dialects/mlflow.js';
import { openInference } from './dialects/openinference.js';
import { traceloop } from './dialects/traceloop.js';
import { vercelAi } from './dialects/vercel-ai.js';
import { vercelAiOtel } from './dialects/vercel-ai-otel.js';
import { FIELD_SOURCES, pick } from './dialects.js';
import { documentsFromValue, documentsJson } from './documents.js';
import { flattenMap } from './flatten.js';
import { asText, parseJson } from './json.js';
import {
  type EventMessages,
  eventMessages,
  eventToolCall,
  indexedMessages,
  lastUserText,
  messagesJson,
  vertexAgentMessages,
} from './messages.js';
import { deriveStepKind, isMergedToolsSpan } from './step-kind.js';

/** The collector's redaction pass over one flat attribute map (values are strings). */
export type AttributeRedactor = (attrs: Record<string, string>) => {
  attributes: Record<string, string>;
  count: number;
  rules: string[];
};

export const NO_REDACTION: AttributeRedactor = (attributes) => ({ attributes, count: 0, rules: [] });

const STATUS = ['unset', 'ok', 'error'] as const;

/** In the order a span is claimed: the most specific marker wins (Casefile's own attributes first). */
export const DIALECTS: readonly Dialect[] = [
  casefile,
  langfuse,
  traceloop,
  openInference,
  vercelAi,
  vercelAiOtel,
  mlflow,
  genAi,
];

/** Redacted resource attributes, by decoded resource: the spans of one ResourceSpans share it. */
export type ResourceCache = WeakMap<object, ReturnType<AttributeRedactor>>;

/** One decoded OTLP span → one canonical step, with every attribute redacted before it is read. */
export function normalizeSpan(
  span: DecodedSpan,
  projectId: string,
  redact: AttributeRedactor,
  resourceCache: ResourceCache = new WeakMap(),
): Step {
  return normalizeSpanSteps(span, projectId, redact, resourceCache)[0] as Step;
}

/**
 * One span → its step, plus any step the span implies but no SDK sends as a span of its own (the
 * human's decision when a LangGraph run resumes after an interrupt). Never throws on attribute
 * content: a dialect that cannot read its attributes leaves the base mapping and a note in
 * `casefile.normalize.notes`.
 */
export function normalizeSpanSteps(
  span: DecodedSpan,
  projectId: string,
  redact: AttributeRedactor,
  resourceCache: ResourceCache = new WeakMap(),
): Step[] {
  const rules = new Set<string>();
  let count = 0;
  const pass = (map: Record<string, string>) => {
    const r = redact(map);
    count += r.count;
    for (const rule of r.rules) rules.add(rule);
    return r.attributes;
  };
  const attrs = pass(flattenMap(span.attributes));
  let redactedResource = resourceCache.get(span.resource);
  if (!redactedResource) {
    redactedResource = redact(flattenMap(span.resource));
    resourceCache.set(span.resource, redactedResource);
  }
  count += redactedResource.count;
  for (const rule of redactedResource.rules) rules.add(rule);
  const resource = redactedResource.attributes;
  const events: StepEvent[] = span.events.map((e) => ({
    timeNs: e.timeNs,
    name: pass({ name: e.name }).name ?? '',
    attributes: pass(flattenMap(e.attributes)),
  }));
  const { name, statusMessage } = pass({ name: span.name, statusMessage: span.statusMessage }) as {
    name: string;
    statusMessage: string;
  };
  // The normaliser's own markers are never taken from the sender.
  delete attrs[DIALECT_ATTR];
  delete attrs[NOTES_ATTR];
  delete attrs['casefile.normalize.derived_from'];
  const view: SpanView = { attrs, resource, name, events, isRoot: span.parentSpanId === '', spanKind: span.kind };

  const step = emptyStep(projectId, span.traceId, span.spanId);
  step.parentSpanId = span.parentSpanId;
  step.name = name;
  step.spanKind = span.kind;
  step.startNs = span.startNs;
  step.endNs = span.endNs;
  step.status = STATUS[span.statusCode] ?? 'unset';
  step.statusMessage = statusMessage;
  step.serviceName = resource['service.name'] ?? '';
  step.attributes = attrs;
  step.resourceAttributes = resource;
  step.events = events;

  const notes: string[] = [];
  let extra: Step[] = [];
  const dialect = DIALECTS.find((d) => safe(() => d.detect(view), false));
  const dialectId: DialectId = dialect?.id ?? 'otel';
  try {
    step.kind = deriveStepKind(view);
    applyBase(view, step);
  } catch (err) {
    notes.push(`base mapping stopped: ${messageOf(err)}`);
  }
  if (dialect) {
    try {
      dialect.apply(view, step, notes);
    } catch (err) {
      notes.push(`${dialect.id} mapping stopped: ${messageOf(err)}`);
    }
  }
  try {
    extra = applyFrameworkPatterns(view, step, dialectId);
    applyCommonRules(view, step);
  } catch (err) {
    notes.push(`run mapping stopped: ${messageOf(err)}`);
  }
  try {
    notes.push(...attributeNotes(attrs, span.attributes, span.droppedAttributes ?? 0));
  } catch (err) {
    notes.push(`attribute check stopped: ${messageOf(err)}`);
  }

  attrs[DIALECT_ATTR] = dialectId;
  if (notes.length > 0) attrs[NOTES_ATTR] = JSON.stringify(notes);
  step.redactionCount = count + (toCount(attrs['casefile.redaction.count'] ?? '') ?? 0);
  for (const r of parseStringArray(attrs['casefile.redaction.rules'])) rules.add(r);
  step.redactionRules = [...rules].sort();
  return [step, ...extra];
}

/** Messages from a second source, where the attributes gave none. */
function fillMessages(step: Step, found: EventMessages): void {
  step.inputMessages ||= found.input;
  step.outputMessages ||= found.output;
  step.systemInstructions ||= found.systemInstructions;
}

/** GenAI semconv (current and deprecated names) and `casefile.*`: what every dialect starts from. */
function applyBase(view: SpanView, step: Step): void {
  const { attrs, resource, events } = view;
  const merged = { ...resource, ...attrs };
  step.agentName = pick(merged, FIELD_SOURCES.agentName);
  step.agentVersion = pick(merged, FIELD_SOURCES.agentVersion);
  step.conversationId = pick(attrs, FIELD_SOURCES.conversationId);
  step.promptVersion = pick(attrs, FIELD_SOURCES.promptVersion);
  step.policyVersion = pick(attrs, FIELD_SOURCES.policyVersion);
  step.provider = pick(attrs, FIELD_SOURCES.provider);
  step.requestModel = pick(attrs, FIELD_SOURCES.requestModel);
  step.responseModel = pick(attrs, FIELD_SOURCES.responseModel);
  step.inputTokens = toCount(pick(attrs, FIELD_SOURCES.inputTokens));
  step.outputTokens = toCount(pick(attrs, FIELD_SOURCES.outputTokens));
  step.inputMessages = pick(attrs, FIELD_SOURCES.inputMessages) || messagesJson(indexedMessages(attrs, 'input'));
  step.outputMessages = pick(attrs, FIELD_SOURCES.outputMessages) || messagesJson(indexedMessages(attrs, 'output'));
  step.systemInstructions = pick(attrs, FIELD_SOURCES.systemInstructions);
  // Tool spans' events hold the call (below), not a conversation.
  if (step.kind !== 'tool' && (events.length > 0 || attrs.events !== undefined)) {
    fillMessages(step, eventMessages(events, attrs.events));
  }
  if (attrs['gcp.vertex.agent.llm_request'] !== undefined || attrs['gcp.vertex.agent.llm_response'] !== undefined) {
    fillMessages(step, vertexAgentMessages(attrs));
    // ADK records the user's message only in its model calls' requests (its agent and root spans carry
    // none): a call whose request ends with the user's text gives the run its input. Later calls of the
    // turn end with a function response, and tool output reaches the model only that way, never as text.
    if (step.kind === 'llm') step.runInput ||= lastUserText(step.inputMessages);
  }
  // ADK's span merging parallel calls' responses is a container (its kind says so), not a call.
  const mergedTools = isMergedToolsSpan(attrs);
  step.runInput = pick(attrs, FIELD_SOURCES.runInput) || step.runInput;
  step.toolName = mergedTools ? '' : pick(attrs, FIELD_SOURCES.toolName);
  if (step.kind === 'tool' && step.toolName === '' && view.name.startsWith('execute_tool ')) {
    step.toolName = view.name.slice('execute_tool '.length);
  }
  // The merged span's responses stay in its attributes; each call's own span carries its call.
  if (!mergedTools) {
    step.toolArguments = pick(attrs, FIELD_SOURCES.toolArguments);
    step.toolResult = pick(attrs, FIELD_SOURCES.toolResult);
    step.toolCallId = pick(attrs, FIELD_SOURCES.toolCallId);
  }
  if (step.kind === 'tool' && (step.toolArguments === '' || step.toolResult === '')) {
    const call = eventToolCall(events);
    step.toolArguments ||= call.arguments;
    step.toolResult ||= call.result;
  }
  const risk = pick(attrs, FIELD_SOURCES.toolRisk);
  step.toolRisk = (TOOL_RISKS as readonly string[]).includes(risk) ? (risk as ToolRisk) : '';
  step.dataSourceId = pick(attrs, FIELD_SOURCES.dataSourceId);
  step.retrievalQuery = pick(attrs, FIELD_SOURCES.retrievalQuery);
  const ids = new Set<string>(parseStringArray(attrs['casefile.retrieval.document_ids']));
  const docsText = pick(attrs, FIELD_SOURCES.documents);
  if (docsText !== '') {
    step.documents = docsText;
    for (const d of documentsFromValue(parseJson(docsText))) ids.add(d.id);
  }
  step.documentIds = [...ids].slice(0, 1000);
  const trust = pick(attrs, FIELD_SOURCES.contentTrust);
  step.contentTrust = trust === 'trusted' || trust === 'untrusted' ? trust : '';
  step.approvalId = pick(attrs, FIELD_SOURCES.approvalId);
  step.approvalDecision = pick(attrs, FIELD_SOURCES.approvalDecision);
  step.approver = pick(attrs, FIELD_SOURCES.approver);
  step.approvalActionHash = pick(attrs, FIELD_SOURCES.approvalActionHash).toLowerCase();
  step.actionHash = pick(attrs, FIELD_SOURCES.actionHash).toLowerCase();
  step.actionResult = pick(attrs, FIELD_SOURCES.actionResult);
  step.policyDecision = pick(attrs, FIELD_SOURCES.policyDecision);
  const exception = events.find((e) => e.name === 'exception');
  step.errorType = pick(attrs, FIELD_SOURCES.errorType) || (exception?.attributes['exception.type'] ?? '');
  if (step.status === 'unset' && exception && step.errorType) step.status = 'error';
}

/** Patterns of agent frameworks that span several spans or traces (LangGraph's human-in-the-loop). */
function applyFrameworkPatterns(view: SpanView, step: Step, dialect: DialectId): Step[] {
  if (dialect !== 'openinference') return [];
  const interrupts = interruptsOf(view);
  if (interrupts) applyInterrupt(view, step, interrupts);
  const resume = resumeCommandOf(view);
  if (!resume) return [];
  // The resumed run's input is the human's answer, not the serialised Command around it.
  step.runInput = asText(resume.resume);
  return [resumeApprovalStep(step, resume.resume)];
}

/**
 * Rules over the canonical fields whatever the dialect: an in-process agent span repeats the tokens
 * of the model calls below it (Vercel AI SDK, `invoke_agent`), so only LLM calls and remote agents
 * (CLIENT spans, whose calls we never see) count; an agent's input falls back to its last user
 * message; a tool call without a Casefile action hash gets one from its name and arguments.
 */
function applyCommonRules(view: SpanView, step: Step): void {
  if (step.kind === 'agent' && view.spanKind !== 3) {
    step.inputTokens = null;
    step.outputTokens = null;
  }
  if (step.kind === 'agent' && step.runInput === '') step.runInput = lastUserText(step.inputMessages);
  if (step.kind === 'tool' && step.actionHash === '' && step.toolName !== '' && step.toolArguments !== '') {
    const args = parseJson(step.toolArguments);
    if (args !== undefined) step.actionHash = actionHash(step.toolName, args);
  }
  if (step.documents === '' && step.documentIds.length > 0) {
    step.documents = documentsJson(step.documentIds.map((id) => ({ id, score: null })));
  }
}

function safe<T>(f: () => T, fallback: T): T {
  try {
    return f();
  } catch {
    return fallback;
  }
}

function messageOf(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 200);
}

function toCount(v: string): number | null {
  if (v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.round(n) : null;
}

function parseStringArray(v: string | undefined): string[] {
  if (!v) return [];
  const parsed = parseJson(v);
  return Array.isArray(parsed)
    ? parsed.filter((x): x is string => typeof x === 'string')
    : parsed === undefined
      ? [v]
      : [];
}
