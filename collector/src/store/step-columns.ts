import type { Step, StepEvent } from '../model/step.js';

/**
 * How each Step field is stored. Both adapters derive their `spans` columns from this one list so
 * that a field added to the model is added to every backend (and the conformance suite notices a
 * field that does not round-trip).
 */
export type ColumnKind = 'text' | 'int' | 'ns' | 'nullableInt' | 'textList' | 'stringMap' | 'events';

export interface StepColumn {
  field: keyof Step;
  column: string;
  kind: ColumnKind;
}

const c = (field: keyof Step, column: string, kind: ColumnKind = 'text'): StepColumn => ({ field, column, kind });

export const STEP_COLUMNS: readonly StepColumn[] = [
  c('projectId', 'project_id'),
  c('traceId', 'trace_id'),
  c('spanId', 'span_id'),
  c('parentSpanId', 'parent_span_id'),
  c('name', 'name'),
  c('kind', 'kind'),
  c('spanKind', 'span_kind', 'int'),
  c('startNs', 'start_ns', 'ns'),
  c('endNs', 'end_ns', 'ns'),
  c('status', 'status'),
  c('statusMessage', 'status_message'),
  c('serviceName', 'service_name'),
  c('agentName', 'agent_name'),
  c('agentVersion', 'agent_version'),
  c('conversationId', 'conversation_id'),
  c('runInput', 'run_input'),
  c('promptVersion', 'prompt_version'),
  c('policyVersion', 'policy_version'),
  c('provider', 'provider'),
  c('requestModel', 'request_model'),
  c('responseModel', 'response_model'),
  c('inputTokens', 'input_tokens', 'nullableInt'),
  c('outputTokens', 'output_tokens', 'nullableInt'),
  c('inputMessages', 'input_messages'),
  c('outputMessages', 'output_messages'),
  c('systemInstructions', 'system_instructions'),
  c('toolName', 'tool_name'),
  c('toolCallId', 'tool_call_id'),
  c('toolArguments', 'tool_arguments'),
  c('toolResult', 'tool_result'),
  c('toolRisk', 'tool_risk'),
  c('dataSourceId', 'data_source_id'),
  c('retrievalQuery', 'retrieval_query'),
  c('documentIds', 'document_ids', 'textList'),
  c('documents', 'documents'),
  c('contentTrust', 'content_trust'),
  c('approvalId', 'approval_id'),
  c('approvalDecision', 'approval_decision'),
  c('approver', 'approver'),
  c('approvalActionHash', 'approval_action_hash'),
  c('actionHash', 'action_hash'),
  c('actionResult', 'action_result'),
  c('policyDecision', 'policy_decision'),
  c('errorType', 'error_type'),
  c('redactionCount', 'redaction_count', 'int'),
  c('redactionRules', 'redaction_rules', 'textList'),
  c('attributes', 'attributes', 'stringMap'),
  c('resourceAttributes', 'resource_attributes', 'stringMap'),
  c('events', 'events', 'events'),
];

/** Events as JSON text; times as decimal strings because they exceed 2^53. */
export function eventsToJson(events: readonly StepEvent[]): string {
  return JSON.stringify(events.map((e) => ({ t: e.timeNs.toString(), n: e.name, a: e.attributes })));
}

export function eventsFromJson(text: string): StepEvent[] {
  if (text === '') return [];
  const raw = JSON.parse(text) as { t: string; n: string; a: Record<string, string> }[];
  return raw.map((e) => ({ timeNs: BigInt(e.t), name: e.n, attributes: e.a }));
}

/**
 * Keeps the last occurrence of each (project, trace, span): a batch may carry the same span twice
 * (a client resend merged into one flush) and "later write wins" must hold inside a batch too.
 */
export function dedupeSteps(steps: readonly Step[]): Step[] {
  const byKey = new Map<string, Step>();
  for (const step of steps) {
    const key = `${step.projectId}\u0000${step.traceId}\u0000${step.spanId}`;
    byKey.delete(key);
    byKey.set(key, step);
  }
  return [...byKey.values()];
}
