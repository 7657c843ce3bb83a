import type { Step, StepEvent, ToolRisk } from '../model/step.js';
import { emptyStep, TOOL_RISKS } from '../model/step.js';
import type { DecodedSpan } from '../otlp/decoded.js';
import { FIELD_SOURCES, gatherIndexed, pick } from './dialects.js';
import { flattenMap } from './flatten.js';
import { deriveStepKind } from './step-kind.js';

/** The collector's redaction pass over one flat attribute map (values are strings). */
export type AttributeRedactor = (attrs: Record<string, string>) => {
  attributes: Record<string, string>;
  count: number;
  rules: string[];
};

export const NO_REDACTION: AttributeRedactor = (attributes) => ({ attributes, count: 0, rules: [] });

const STATUS = ['unset', 'ok', 'error'] as const;

/** Redacted resource attributes, by decoded resource: the spans of one ResourceSpans share it. */
export type ResourceCache = WeakMap<object, ReturnType<AttributeRedactor>>;

/** One decoded OTLP span → one canonical step, with every attribute redacted before it is read. */
export function normalizeSpan(
  span: DecodedSpan,
  projectId: string,
  redact: AttributeRedactor,
  resourceCache: ResourceCache = new WeakMap(),
): Step {
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
  step.kind = deriveStepKind(attrs, name, span.parentSpanId === '');

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
  step.inputMessages = pick(attrs, FIELD_SOURCES.inputMessages) || indexedMessages(attrs, 'input');
  step.outputMessages = pick(attrs, FIELD_SOURCES.outputMessages) || indexedMessages(attrs, 'output');
  step.systemInstructions = pick(attrs, FIELD_SOURCES.systemInstructions);
  step.runInput =
    pick(attrs, FIELD_SOURCES.runInput) ||
    (step.kind === 'agent' ? attrs['input.value'] || attrs['traceloop.entity.input'] || '' : '');

  if (step.kind === 'tool') {
    step.toolName =
      pick(attrs, FIELD_SOURCES.toolName) ||
      attrs['traceloop.entity.name'] ||
      (name.startsWith('execute_tool ') ? name.slice('execute_tool '.length) : '');
    step.toolArguments =
      pick(attrs, FIELD_SOURCES.toolArguments) || attrs['input.value'] || attrs['traceloop.entity.input'] || '';
    step.toolResult =
      pick(attrs, FIELD_SOURCES.toolResult) || attrs['output.value'] || attrs['traceloop.entity.output'] || '';
  } else {
    step.toolName = pick(attrs, FIELD_SOURCES.toolName);
    step.toolArguments = pick(attrs, FIELD_SOURCES.toolArguments);
    step.toolResult = pick(attrs, FIELD_SOURCES.toolResult);
  }
  step.toolCallId = pick(attrs, FIELD_SOURCES.toolCallId);
  const risk = pick(attrs, FIELD_SOURCES.toolRisk);
  step.toolRisk = (TOOL_RISKS as readonly string[]).includes(risk) ? (risk as ToolRisk) : '';

  step.dataSourceId = pick(attrs, FIELD_SOURCES.dataSourceId);
  step.retrievalQuery =
    pick(attrs, FIELD_SOURCES.retrievalQuery) || (step.kind === 'retrieval' ? attrs['input.value'] || '' : '');
  const docs = retrievalDocuments(attrs);
  step.documents = docs.json;
  step.documentIds = docs.ids;
  const trust = pick(attrs, FIELD_SOURCES.contentTrust);
  step.contentTrust = trust === 'trusted' || trust === 'untrusted' ? trust : '';

  step.approvalId = pick(attrs, FIELD_SOURCES.approvalId);
  step.approvalDecision = pick(attrs, FIELD_SOURCES.approvalDecision);
  step.approver = pick(attrs, FIELD_SOURCES.approver);
  step.approvalActionHash = pick(attrs, FIELD_SOURCES.approvalActionHash).toLowerCase();
  step.actionHash = pick(attrs, FIELD_SOURCES.actionHash).toLowerCase();
  step.actionResult = pick(attrs, FIELD_SOURCES.actionResult);
  step.policyDecision = pick(attrs, FIELD_SOURCES.policyDecision);
  step.errorType =
    pick(attrs, FIELD_SOURCES.errorType) ||
    (events.find((e) => e.name === 'exception')?.attributes['exception.type'] ?? '');
  if (step.status === 'unset' && step.errorType && events.some((e) => e.name === 'exception')) step.status = 'error';

  step.redactionCount = count + (toCount(attrs['casefile.redaction.count'] ?? '') ?? 0);
  for (const r of parseStringArray(attrs['casefile.redaction.rules'])) rules.add(r);
  step.redactionRules = [...rules].sort();
  return step;
}

function toCount(v: string): number | null {
  if (v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.round(n) : null;
}

function parseStringArray(v: string | undefined): string[] {
  if (!v) return [];
  try {
    const parsed: unknown = JSON.parse(v);
    return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [v];
  } catch {
    return [v];
  }
}

/** OpenInference `llm.{input,output}_messages.i.message.*` or OpenLLMetry `gen_ai.{prompt,completion}.i.*`. */
function indexedMessages(attrs: Record<string, string>, side: 'input' | 'output'): string {
  const oi = gatherIndexed(attrs, `llm.${side}_messages`).map((m) => ({
    role: m['message.role'] ?? '',
    parts: [{ type: 'text', content: m['message.content'] ?? '' }],
  }));
  const rows = oi.length
    ? oi
    : gatherIndexed(attrs, side === 'input' ? 'gen_ai.prompt' : 'gen_ai.completion').map((m) => ({
        role: m.role ?? '',
        parts: [{ type: 'text', content: m.content ?? '' }],
      }));
  return rows.length ? JSON.stringify(rows) : '';
}

function retrievalDocuments(attrs: Record<string, string>): { json: string; ids: string[] } {
  const ids = new Set<string>(parseStringArray(attrs['casefile.retrieval.document_ids']));
  let json = pick(attrs, FIELD_SOURCES.documents);
  if (json) {
    try {
      const parsed: unknown = JSON.parse(json);
      if (Array.isArray(parsed)) {
        for (const d of parsed) {
          if (d && typeof d === 'object' && 'id' in d && (typeof d.id === 'string' || typeof d.id === 'number')) {
            ids.add(String(d.id));
          }
        }
      }
    } catch {
      // Not JSON: keep the raw text for the investigator, no IDs to index.
    }
  } else {
    const oi = gatherIndexed(attrs, 'retrieval.documents').map((d) => ({
      id: d['document.id'] ?? '',
      score: d['document.score'] === undefined ? null : Number(d['document.score']),
    }));
    if (oi.length) {
      json = JSON.stringify(oi);
      for (const d of oi) if (d.id) ids.add(d.id);
    }
  }
  return { json, ids: [...ids].slice(0, 1000) };
}
