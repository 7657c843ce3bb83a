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
