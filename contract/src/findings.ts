import { z } from 'zod';
import { nanosSchema } from './nanos.js';
import { TOOL_RISKS } from './step.js';

/** A detection result: one rule's verdict about one step of one run. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  /** Stable identifier, e.g. `approval.hash_mismatch`. */
  ruleId: string;
  severity: Severity;
  traceId: string;
  /** The step the finding points at. */
  spanId: string;
  /** One plain-English sentence; never contains payload text. */
  reason: string;
  /** Short excerpt (≤ 200 chars) of the already-redacted text. */
  evidence: string;
  /** Offsets of the highlighted part within `evidence`. */
  evidenceStart?: number;
  evidenceEnd?: number;
  details?: Record<string, string | number>;
}

export const FINDING_STATUSES = ['open', 'expected', 'muted'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** A finding as stored: with its project, stable ID, first-seen time, context and status. */
export interface StoredFinding extends Finding {
  projectId: string;
  /** Stable: the same verdict on the same step of the same run always gets the same ID. */
  id: string;
  /** When the finding was first detected, ns. Kept when the run is re-detected. */
  createdNs: bigint;
  /** The run's agent ('' when none). */
  agentName: string;
  /** The tool of the step the finding points at ('' when it is not a tool step). */
  toolName: string;
  status: FindingStatus;
}

export const severitySchema = z.enum(SEVERITIES);
export const findingStatusSchema = z.enum(FINDING_STATUSES);

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
  createdNs: nanosSchema,
});
export type FindingDto = z.infer<typeof findingSchema>;

export function findingToDto(f: StoredFinding): FindingDto {
  const { projectId: _projectId, createdNs, ...rest } = f;
  return { ...rest, createdNs: createdNs.toString() };
}

export const findingPageSchema = z.object({
  findings: z.array(findingSchema),
  nextCursor: z.string().optional(),
  /** With `count=true`: how many findings match the filters, over all pages. */
  total: z.number().int().min(0).optional(),
});

/** Orders of the findings list: newest first (`time`), or worst first then newest (`severity`). */
export const FINDING_ORDERS = ['time', 'severity'] as const;
export type FindingOrder = (typeof FINDING_ORDERS)[number];
export type FindingPageDto = z.infer<typeof findingPageSchema>;

const name = z.string().min(1).max(200);
const count = z.number().int().min(0).max(1_000_000);
const ratio = z.number().min(0).max(1_000);
const toolRisk = z.enum(TOOL_RISKS);

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
          arguments: z.record(name, z.array(name).max(100)).optional(),
          minToolRuns: count.optional(),
          recipientTokens: z.boolean().optional(),
        })
        .optional(),
      shapeOutlier: z.strictObject({ zThreshold: ratio.optional(), minLengthDelta: count.optional() }).optional(),
      flows: z.strictObject({ minScore: count.optional() }).optional(),
      volume: z
        .strictObject({ zThreshold: ratio.optional(), minRatio: ratio.optional(), minBytesDelta: count.optional() })
        .optional(),
      approval: z
        .strictObject({ requireFor: z.array(toolRisk).max(4).optional(), gapFor: z.array(toolRisk).max(4).optional() })
        .optional(),
    })
    .optional(),
});
export type DetectionSettingsDto = z.infer<typeof detectionSettingsSchema>;

export const detectionAuditSchema = z.object({
  entries: z.array(
    z.object({
      timeNs: nanosSchema,
      actor: z.string(),
      action: z.string(),
      target: z.string(),
      detail: z.string(),
    }),
  ),
});
export type DetectionAuditDto = z.infer<typeof detectionAuditSchema>;
