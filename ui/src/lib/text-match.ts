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
