/**
 * Response schemas of the query API. The UI imports this module too, so it must stay free of
 * Node-only imports. Nanosecond times travel as decimal strings (JSON has no 64-bit integers) and
 * are parsed back to bigint on the client.
 */
import { z } from 'zod';

const nanos = z.string().regex(/^\d{1,20}$/, 'nanoseconds as a decimal string');

export const stepKindSchema = z.enum(['agent', 'llm', 'retrieval', 'tool', 'approval', 'policy', 'guardrail', 'other']);

export const stepEventSchema = z.object({
  timeNs: nanos,
  name: z.string(),
  attributes: z.record(z.string(), z.string()),
});

export const stepSchema = z.object({
  traceId: z.string(),
  spanId: z.string(),
  parentSpanId: z.string(),
  name: z.string(),
  kind: stepKindSchema,
  spanKind: z.number(),
  startNs: nanos,
  endNs: nanos,
  status: z.enum(['unset', 'ok', 'error']),
  statusMessage: z.string(),
  serviceName: z.string(),
  agentName: z.string(),
  agentVersion: z.string(),
  conversationId: z.string(),
  runInput: z.string(),
  promptVersion: z.string(),
  policyVersion: z.string(),
  provider: z.string(),
  requestModel: z.string(),
  responseModel: z.string(),
  inputTokens: z.number().nullable(),
  outputTokens: z.number().nullable(),
  inputMessages: z.string(),
  outputMessages: z.string(),
  systemInstructions: z.string(),
  toolName: z.string(),
  toolCallId: z.string(),
  toolArguments: z.string(),
  toolResult: z.string(),
  toolRisk: z.string(),
  dataSourceId: z.string(),
  retrievalQuery: z.string(),
  documentIds: z.array(z.string()),
  documents: z.string(),
  contentTrust: z.string(),
  approvalId: z.string(),
  approvalDecision: z.string(),
  approver: z.string(),
  approvalActionHash: z.string(),
  actionHash: z.string(),
  actionResult: z.string(),
  policyDecision: z.string(),
  errorType: z.string(),
  redactionCount: z.number(),
  redactionRules: z.array(z.string()),
  attributes: z.record(z.string(), z.string()),
  resourceAttributes: z.record(z.string(), z.string()),
  events: z.array(stepEventSchema),
});
export type StepDto = z.infer<typeof stepSchema>;

export const runSummarySchema = z.object({
  traceId: z.string(),
  startNs: nanos,
  endNs: nanos,
  name: z.string(),
  serviceName: z.string(),
  agentName: z.string(),
  agentVersion: z.string(),
  conversationId: z.string(),
  status: z.enum(['ok', 'error']),
  stepCount: z.number(),
  errorCount: z.number(),
  toolNames: z.array(z.string()),
  promptVersion: z.string(),
  policyVersion: z.string(),
  models: z.array(z.string()),
  inputTokens: z.number(),
  outputTokens: z.number(),
  runInput: z.string(),
  findingCount: z.number(),
});
export type RunSummaryDto = z.infer<typeof runSummarySchema>;

export const runPageSchema = z.object({
  runs: z.array(runSummarySchema),
  nextCursor: z.string().optional(),
});
export type RunPageDto = z.infer<typeof runPageSchema>;

export const runDetailSchema = z.object({
  run: runSummarySchema,
  steps: z.array(stepSchema),
});
export type RunDetailDto = z.infer<typeof runDetailSchema>;

export const whoamiSchema = z.object({
  name: z.string(),
  role: z.enum(['viewer', 'investigator', 'admin']),
  projects: z.array(z.object({ id: z.string(), name: z.string() })),
});
export type WhoamiDto = z.infer<typeof whoamiSchema>;

export const errorSchema = z.object({
  error: z.string(),
  message: z.string(),
});
export type ErrorDto = z.infer<typeof errorSchema>;
