import { z } from 'zod';
import { findingSchema, SEVERITIES } from './findings.js';
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
  /** `casefile.run.name` of the run (the SDK's `run(name, …)`), '' when it has none; see `runTitle`. */
  runName: z.string().default(''),
  /** The worst severity among the run's open findings (low included), '' when it has none. */
  worstSeverity: z.enum([...SEVERITIES, '']).default(''),
});
export type RunSummaryDto = z.infer<typeof runSummarySchema>;

/** One row per run, derived from its steps; the wire form with bigint nanoseconds. */
export type RunSummary = Omit<RunSummaryDto, 'startNs' | 'endNs'> & { startNs: bigint; endNs: bigint };

export function runToDto(run: RunSummary): RunSummaryDto {
  return { ...run, startNs: run.startNs.toString(), endNs: run.endNs.toString() };
}

/** Where a run matched the free-text query `q`: its first matching step and that step's field (Step field name, or `events`). */
export const textMatchSchema = z.object({
  traceId: z.string(),
  spanId: z.string(),
  field: z.string(),
  /** The matching step's name and tool ('' when none), so the UI can say "tool arguments of send_email". */
  stepName: z.string().default(''),
  toolName: z.string().default(''),
  /** For a match in `attributes` / `resourceAttributes`: the key whose value matched. */
  attribute: z.string().optional(),
});
export type TextMatchDto = z.infer<typeof textMatchSchema>;

export const runPageSchema = z.object({
  runs: z.array(runSummarySchema),
  nextCursor: z.string().optional(),
  /** With `count=true`: how many runs match the filters, over all pages. */
  total: z.number().int().min(0).optional(),
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

/** Columns the runs list can be ordered by (`GET /api/runs?sort=-duration`; `-` for descending). */
export const RUN_SORT_KEYS = ['start', 'duration', 'tokens', 'severity'] as const;
export type RunSortKey = (typeof RUN_SORT_KEYS)[number];
export interface RunSort {
  key: RunSortKey;
  descending: boolean;
}
/** The list's own order: newest first. */
export const NEWEST_FIRST: RunSort = { key: 'start', descending: true };

/** `-duration` → {duration, descending}; undefined for anything that is not a sort key. */
export function parseRunSort(value: string): RunSort | undefined {
  const descending = value.startsWith('-');
  const key = descending ? value.slice(1) : value;
  return (RUN_SORT_KEYS as readonly string[]).includes(key) ? { key: key as RunSortKey, descending } : undefined;
}

export function formatRunSort(sort: RunSort): string {
  return `${sort.descending ? '-' : ''}${sort.key}`;
}
