import { z } from 'zod';
import { findingSchema } from './findings.js';
import { nanosSchema } from './nanos.js';
import { stepSchema } from './step.js';

export const runSummarySchema = z.object({
  traceId: z.string(),
  startNs: nanosSchema,
  endNs: nanosSchema,
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

/** One row per run, derived from its steps; the wire form with bigint nanoseconds. */
export type RunSummary = Omit<RunSummaryDto, 'startNs' | 'endNs'> & { startNs: bigint; endNs: bigint };

export function runToDto(run: RunSummary): RunSummaryDto {
  return { ...run, startNs: run.startNs.toString(), endNs: run.endNs.toString() };
}

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

export const runDetailSchema = z.object({
  run: runSummarySchema,
  steps: z.array(stepSchema),
  /** The run's findings, newest first (absent from servers without detection). */
  findings: z.array(findingSchema).optional(),
});
export type RunDetailDto = z.infer<typeof runDetailSchema>;
