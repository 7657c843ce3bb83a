import type { TextMatchDto } from '@casefile/contract';

/** Where a run matched the free-text query: its first matching step and that step's field. */
export type TextMatch = TextMatchDto;

const LABELS: Record<string, string> = {
  name: 'step name',
  statusMessage: 'error message',
  errorType: 'error type',
  agentName: 'agent name',
  runInput: 'run input',
  toolName: 'tool name',
  retrievalQuery: 'retrieval query',
  dataSourceId: 'data source',
  approvalId: 'approval ID',
  approver: 'approver',
  actionResult: 'action result',
  inputMessages: 'input messages',
  outputMessages: 'output messages',
  systemInstructions: 'system instructions',
  toolArguments: 'tool arguments',
  toolResult: 'tool result',
  documents: 'retrieved documents',
  documentIds: 'document IDs',
  attributes: 'attributes',
  resourceAttributes: 'resource attributes',
  events: 'events',
};

/** "tool arguments" for `toolArguments`; a field this UI does not know yet is shown by its name. */
export function matchLabel(field: string): string {
  return Object.hasOwn(LABELS, field) ? (LABELS[field] as string) : field;
}

/** Attribute keys that hold what a named field holds, in the dialects the collector reads. */
const ATTRIBUTE_FIELDS: Record<string, string> = {
  'gen_ai.tool.call.arguments': 'tool arguments',
  'gen_ai.tool.call.result': 'tool result',
  'ai.toolCall.args': 'tool arguments',
  'ai.toolCall.result': 'tool result',
  'tool.parameters': 'tool arguments',
  'tool_call.function.arguments': 'tool arguments',
  'gen_ai.input.messages': 'input messages',
  'gen_ai.output.messages': 'output messages',
  'gen_ai.system_instructions': 'system instructions',
  'ai.prompt': 'prompt',
  'ai.prompt.messages': 'input messages',
  'ai.response.text': 'output',
  'input.value': 'input',
  'output.value': 'output',
  'traceloop.entity.input': 'input',
  'traceloop.entity.output': 'output',
  'casefile.run.input': 'run input',
  'casefile.action.result': 'action result',
  'gen_ai.retrieval.documents': 'retrieved documents',
  'gen_ai.retrieval.query.text': 'retrieval query',
};

// Fields that belong to the run, not to the step that happens to carry them.
const RUN_FIELDS = new Set(['runInput', 'agentName']);

/**
 * Where a search matched, in words: "tool arguments of send_email", "run input", "attribute
 * http.url of step “fetch page”". A match in an attribute map names the attribute (and what it
 * holds, when it is a known payload attribute), never just "attributes".
 */
export function matchPlace(match: Pick<TextMatch, 'field' | 'stepName' | 'toolName' | 'attribute'>): string {
  let what = matchLabel(match.field);
  const key = match.attribute;
  if (key !== undefined && key !== '' && (match.field === 'attributes' || match.field === 'resourceAttributes')) {
    const known = Object.hasOwn(ATTRIBUTE_FIELDS, key) ? ATTRIBUTE_FIELDS[key] : undefined;
    const kind = match.field === 'attributes' ? 'attribute' : 'resource attribute';
    what = known !== undefined ? `${known} (${kind} ${key})` : `${kind} ${key}`;
  }
  if (RUN_FIELDS.has(match.field)) return what;
  if (match.toolName !== '') return `${what} of ${match.toolName}`;
  if (match.stepName !== '') return `${what} of step “${match.stepName}”`;
  return what;
}

/** The matches of one page of runs by trace ID, added to those of the earlier pages. */
export function addMatches(
  known: ReadonlyMap<string, TextMatch>,
  page: readonly TextMatch[],
): ReadonlyMap<string, TextMatch> {
  if (page.length === 0) return known;
  const next = new Map(known);
  for (const m of page) if (!next.has(m.traceId)) next.set(m.traceId, m);
  return next;
}
