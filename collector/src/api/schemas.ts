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

/** Where a run matched the free-text query `q`: its first matching step and that step's field (Step field name, or `events`). */
export const textMatchSchema = z.object({ traceId: z.string(), spanId: z.string(), field: z.string() });
export type TextMatchDto = z.infer<typeof textMatchSchema>;

export const runPageSchema = z.object({
  runs: z.array(runSummarySchema),
  nextCursor: z.string().optional(),
  /** Present when the query had `q`, in the order of `runs`. */
  textMatches: z.array(textMatchSchema).optional(),
});
export type RunPageDto = z.infer<typeof runPageSchema>;

export const severitySchema = z.enum(['low', 'medium', 'high', 'critical']);
export const findingStatusSchema = z.enum(['open', 'expected', 'muted']);

export const findingSchema = z.object({
  id: z.string(),
  traceId: z.string(),
  spanId: z.string(),
  ruleId: z.string(),
  severity: severitySchema,
  reason: z.string(),
  evidence: z.string(),
  evidenceStart: z.number().optional(),
  evidenceEnd: z.number().optional(),
  details: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  agentName: z.string(),
  toolName: z.string(),
  status: findingStatusSchema,
  createdNs: nanos,
});
export type FindingDto = z.infer<typeof findingSchema>;

export const findingPageSchema = z.object({
  findings: z.array(findingSchema),
  nextCursor: z.string().optional(),
});
export type FindingPageDto = z.infer<typeof findingPageSchema>;

export const runDetailSchema = z.object({
  run: runSummarySchema,
  steps: z.array(stepSchema),
  /** The run's findings, newest first (absent from servers without detection). */
  findings: z.array(findingSchema).optional(),
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

const name = z.string().min(1).max(200);
const count = z.number().int().min(0).max(1_000_000);
const ratio = z.number().min(0).max(1_000);
const toolRisk = z.enum(['read', 'write', 'external', 'irreversible']);

/**
 * A project's detection settings (`GET/PUT /api/detection/settings`): what an admin may change.
 * Everything is optional; what is left out keeps its default. Unknown keys are rejected.
 */
export const detectionSettingsSchema = z.strictObject({
  disabledRules: z.array(name).max(100).optional(),
  mutes: z
    .array(z.strictObject({ ruleId: name, tool: name.optional(), agent: name.optional() }))
    .max(1_000)
    .optional(),
  severityOverrides: z.record(name, severitySchema).optional(),
  toolRisks: z.record(name, toolRisk).optional(),
  thresholds: z
    .strictObject({
      baseline: z.strictObject({ minRuns: count.optional() }).optional(),
      sensitiveData: z.strictObject({ piiMedium: count.optional(), piiHigh: count.optional() }).optional(),
      encodedBlob: z
        .strictObject({
          minBase64Chars: count.optional(),
          minHexChars: count.optional(),
          minPercentEscapes: count.optional(),
          base64Entropy: ratio.optional(),
          minHighEntropyChars: count.optional(),
          minBinaryChars: count.optional(),
        })
        .optional(),
      dataUrl: z
        .strictObject({
          minValueChars: count.optional(),
          minEntropy: ratio.optional(),
          minSubdomainLabelChars: count.optional(),
          trustedHosts: z.array(name).max(1_000).optional(),
        })
        .optional(),
      destination: z
        .strictObject({
          allow: z.record(name, z.array(name).max(1_000)).optional(),
          recipientTokens: z.boolean().optional(),
        })
        .optional(),
      shapeOutlier: z.strictObject({ zThreshold: ratio.optional(), minLengthDelta: count.optional() }).optional(),
      flows: z.strictObject({ minScore: count.optional() }).optional(),
      volume: z
        .strictObject({ zThreshold: ratio.optional(), minRatio: ratio.optional(), minBytesDelta: count.optional() })
        .optional(),
      approval: z.strictObject({ requireFor: z.array(toolRisk).max(4).optional() }).optional(),
    })
    .optional(),
});
export type DetectionSettingsDto = z.infer<typeof detectionSettingsSchema>;

export const detectionAuditSchema = z.object({
  entries: z.array(
    z.object({
      timeNs: nanos,
      actor: z.string(),
      action: z.string(),
      target: z.string(),
      detail: z.string(),
    }),
  ),
});
export type DetectionAuditDto = z.infer<typeof detectionAuditSchema>;

const overviewFigures = {
  runs: z.number(),
  errors: z.number(),
  errorRate: z.number(),
  p50Ms: z.number(),
  p95Ms: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  withFindings: z.number(),
};

/** `GET /api/overview`: figures per time bucket and per agent over at most `maxRuns` runs. */
export const overviewSchema = z.object({
  fromMs: z.number(),
  toMs: z.number(),
  bucketMs: z.number(),
  totals: z.object(overviewFigures),
  buckets: z.array(z.object({ startMs: z.number(), ...overviewFigures })),
  agents: z.array(z.object({ agent: z.string(), ...overviewFigures })),
  scannedRuns: z.number(),
  maxRuns: z.number(),
  truncated: z.boolean(),
});
export type OverviewDto = z.infer<typeof overviewSchema>;

export {
  type AlertEvaluationDto,
  type AlertEventDto,
  type AlertRuleDto,
  type AlertRuleInput,
  type AlertRuleSpec,
  alertDeliveryListSchema,
  alertDeliverySchema,
  alertEvaluateAnswerSchema,
  alertEvaluationSchema,
  alertEventListSchema,
  alertEventSchema,
  alertRuleAnswerSchema,
  alertRuleInputSchema,
  alertRuleListSchema,
  alertRuleSchema,
  alertSeveritySchema,
  alertStateSchema,
  channelSchema,
  type DriftCompareDto,
  distributionSchema,
  driftCompareSchema,
  driftRuleSchema,
  driftTestSchema,
  type MetricSeriesDto,
  metricNameSchema,
  metricResultSchema,
  metricSeriesSchema,
  referenceSchema,
  thresholdRuleSchema,
  versionListSchema,
} from './alert-schemas.js';
