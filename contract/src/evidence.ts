/**
 * Evidence: the integrity report of the hash chain, cases and their legal hold, the evidence audit
 * log, retention and erasure — requests and answers as the collector validates and sends them.
 */
import { z } from 'zod';
import { nanosSchema } from './nanos.js';
import { timeParam } from './queries.js';

const optionalTraceId = z
  .string()
  .optional()
  .transform((v) => (v === '' || v === undefined ? undefined : v.toLowerCase()))
  .refine((v) => v === undefined || /^[0-9a-f]{32}$/.test(v), { error: 'traceId must be 32 hex characters' });

/** `GET /api/integrity`: one run (`traceId`), a range of run starts (`from`, `to`), or the whole project. */
export const integrityQueryParamsSchema = z
  .object({ traceId: optionalTraceId, from: timeParam('from'), to: timeParam('to') })
  .refine((q) => q.traceId === undefined || (q.from === undefined && q.to === undefined), {
    error: 'give traceId or a from/to range, not both',
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, { error: 'from must be before to' });

export const integrityProblemSchema = z.object({
  kind: z.enum([
    'span_altered',
    'span_unrecorded',
    'span_missing',
    'run_missing',
    'leaves_altered',
    'entry_altered',
    'chain_broken',
    'signature_invalid',
  ]),
  message: z.string(),
  traceId: z.string().optional(),
  spanId: z.string().optional(),
  chainId: z.string().optional(),
  seq: z.string().optional(),
});

export const chainHeadSchema = z.object({
  chainId: z.string(),
  collectorId: z.string(),
  seq: z.string(),
  hash: z.string(),
  timeNs: nanosSchema,
  signed: z.boolean(),
  signatureValid: z.boolean().nullable(),
});

export const integrityReportSchema = z.object({
  project: z.string(),
  scope: z.object({
    kind: z.enum(['run', 'range', 'project']),
    traceId: z.string().optional(),
    fromNs: nanosSchema.optional(),
    toNs: nanosSchema.optional(),
  }),
  ok: z.boolean(),
  checked: z.object({ runs: z.number(), spans: z.number(), entries: z.number(), chains: z.number() }),
  erasedSpans: z.number(),
  droppedSpans: z.number(),
  heads: z.array(chainHeadSchema),
  keyId: z.string().optional(),
  problems: z.array(integrityProblemSchema),
  moreProblems: z.number(),
  durationMs: z.number(),
});
export type IntegrityReportDto = z.infer<typeof integrityReportSchema>;

/** `GET /api/integrity/heads`: the chain heads to anchor elsewhere, and the signing key if there is one. */
export const chainHeadsAnswerSchema = z.object({
  heads: z.array(chainHeadSchema),
  keyId: z.string().optional(),
  publicKeyPem: z.string().optional(),
});
export type ChainHeadsAnswerDto = z.infer<typeof chainHeadsAnswerSchema>;

const traceIdItem = z
  .string()
  .transform((v) => v.toLowerCase())
  .refine((v) => /^[0-9a-f]{32}$/.test(v), { error: 'each trace ID must be 32 hex characters' });

/** `POST /api/cases`: a named set of runs with a note; `hold` places it on legal hold at once. */
export const caseCreateSchema = z.object({
  project: z.string().optional(),
  name: z.string().trim().min(1, 'name must not be empty').max(200, 'name is at most 200 characters'),
  note: z.string().max(10_000, 'note is at most 10,000 characters').default(''),
  traceIds: z
    .array(traceIdItem)
    .min(1, 'traceIds must list at least one run')
    .max(500, 'a case holds at most 500 runs'),
  hold: z.object({ reason: z.string().trim().min(1, 'a hold needs a reason').max(2000) }).optional(),
});
export type CaseCreateRequest = z.input<typeof caseCreateSchema>;

/** `POST /api/cases/:id/hold`. */
export const caseHoldSchema = z.object({
  reason: z.string().trim().min(1, 'a hold needs a reason').max(2000, 'reason is at most 2,000 characters'),
});

export const caseSchema = z.object({
  id: z.string(),
  name: z.string(),
  note: z.string(),
  owner: z.string(),
  createdNs: nanosSchema,
  updatedNs: nanosSchema,
  traceIds: z.array(z.string()),
  hold: z.object({ by: z.string(), sinceNs: nanosSchema, reason: z.string() }).nullable(),
});
export type CaseDto = z.infer<typeof caseSchema>;

export const evidenceAuditEntrySchema = z.object({
  timeNs: nanosSchema,
  actor: z.string(),
  action: z.string(),
  target: z.string(),
  detail: z.unknown(),
});
export type EvidenceAuditEntryDto = z.infer<typeof evidenceAuditEntrySchema>;

/** `PUT /api/retention`: days kept in this project; null = the collector's default. */
export const retentionPutSchema = z.object({
  project: z.string().optional(),
  days: z
    .number()
    .int('days must be a whole number')
    .min(1, 'days must be at least 1')
    .max(36_500, 'days is at most 36,500')
    .nullable(),
});

/** `POST /api/erasure`: an e-mail address, IBAN, phone or card number — or its pseudonym token. */
export const erasureRequestSchema = z.object({
  project: z.string().optional(),
  value: z
    .string()
    .max(1000, 'value is at most 1,000 characters')
    .refine((v) => v.trim().length > 0, { error: 'value must not be empty' }),
});

export const erasureAnswerSchema = z.object({
  id: z.string(),
  kind: z.string(),
  tokens: z.array(z.string()),
  runs: z.array(z.string()),
  spans: z.number(),
  heldRuns: z.array(z.string()),
});
export type ErasureAnswerDto = z.infer<typeof erasureAnswerSchema>;
