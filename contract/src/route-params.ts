/**
 * Query parameters of the routes beyond runs and findings: lookups, alert history, the overview,
 * case export and drift. Each schema answers the values its handler uses; a value that does not
 * fit is a 400 whose message names the parameter. `project` is read by the handler itself.
 */
import { z } from 'zod';
import { defined, limitParam, oneOfParam, textParam, timeParam } from './queries.js';

/** Largest number of runs one case file holds. */
export const MAX_CASE_RUNS = 50;
const RULE_ID = /^[A-Za-z0-9_-]{1,64}$/;

const ruleIdParam = z
  .string()
  .optional()
  .transform((v) => (v === '' ? undefined : v))
  .refine((v) => v === undefined || RULE_ID.test(v), {
    error: 'rule must be a rule ID (1–64 letters, digits, "_" or "-")',
  });

/** `GET /api/lookup/:what/:id`: the runs that touched a document, tool or approval. */
export const lookupParamsSchema = z.object({ limit: limitParam(100) });

/** `GET /api/alerts/events`: newest first, paged by `before` (the previous page's `nextBeforeNs`). */
export const alertEventParamsSchema = z
  .object({
    limit: limitParam(50),
    rule: ruleIdParam,
    before: z
      .string()
      .optional()
      .refine((v) => v === undefined || v === '' || /^\d{1,20}$/.test(v), {
        error: "before must be nanoseconds as a decimal string (the previous page's nextBeforeNs)",
      })
      .transform((v) => (v === undefined || v === '' ? undefined : BigInt(v)))
      .refine((v) => v === undefined || v < 2n ** 64n, { error: 'before is past the largest time' }),
  })
  .transform((p) => ({ limit: p.limit, ...defined({ ruleId: p.rule, beforeNs: p.before }) }));

/** `GET /api/alerts/deliveries`: delivery attempts, newest first. */
export const alertDeliveryParamsSchema = z
  .object({ limit: limitParam(50), rule: ruleIdParam, event: textParam('event', 200) })
  .transform((p) => ({ limit: p.limit, ...defined({ ruleId: p.rule, eventId: p.event }) }));

/** `GET /api/overview`: figures per bucket over `[from, to)` (default: the last 24 hours). */
export const overviewParamsSchema = z
  .object({
    from: timeParam('from'),
    to: timeParam('to'),
    bucket: oneOfParam(['minute', 'hour', 'day'], 'bucket must be minute, hour or day'),
    agent: textParam('agent'),
  })
  .transform((p) => defined({ fromNs: p.from, toNs: p.to, bucket: p.bucket, agentName: p.agent }));

/** `GET /api/cases/export`: up to `MAX_CASE_RUNS` runs, comma-separated, as JSON or HTML. */
export const caseExportParamsSchema = z.object({
  format: z
    .string()
    .default('json')
    .refine((v): v is 'json' | 'html' => v === 'json' || v === 'html', { error: 'format must be "json" or "html"' }),
  traceIds: z
    .string()
    .default('')
    .transform((v) => v.split(',').filter((t) => t !== ''))
    .refine((ids) => ids.length > 0, { error: 'traceIds must list at least one trace ID' })
    .refine((ids) => ids.length <= MAX_CASE_RUNS, { error: `a case file holds at most ${MAX_CASE_RUNS} runs` })
    .transform((ids) => ids.map((id) => id.toLowerCase()))
    .refine((ids) => ids.every((id) => /^[0-9a-f]{32}$/.test(id)), {
      error: 'traceIds must be trace IDs of 32 hex characters, separated by commas',
    })
    .transform((ids) => [...new Set(ids)]),
});

const driftScope = {
  agent: textParam('agent', 200),
  tool: textParam('tool', 200),
};
const duration = (name: string) =>
  z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^\d{1,12}(ms|s|m|h|d)?$/.test(v), {
      error: `${name} must be milliseconds or a duration like 15m, 1h, 7d`,
    });

/** `GET /api/drift/series`; the metric, bucket and range are checked further by the route. */
export const driftSeriesParamsSchema = z.object({
  metric: textParam('metric', 64),
  ...driftScope,
  from: timeParam('from'),
  to: timeParam('to'),
  bucket: duration('bucket'),
});

/** `GET /api/drift/compare`; the reference and test are checked further by the route. */
export const driftCompareParamsSchema = z.object({
  metric: textParam('metric', 64),
  ...driftScope,
  window: duration('window'),
  end: timeParam('end'),
  reference: textParam('reference', 200),
  test: textParam('test', 64),
  /** A saved drift rule: its metrics, window, reference, test and thresholds, and whether it would fire. */
  rule: ruleIdParam,
  /** An ad hoc rule's threshold (p-value tests: p below it breaches); says whether it would fire. */
  threshold: textParam('threshold', 32),
});

/** `GET /api/drift/versions`: the versions an agent's runs carried. */
export const driftVersionsParamsSchema = z.object({
  dimension: z
    .string()
    .default('prompt')
    .refine((v): v is 'prompt' | 'policy' | 'model' => v === 'prompt' || v === 'policy' || v === 'model', {
      error: 'dimension must be prompt, policy or model',
    }),
  agent: z
    .string()
    .default('')
    .refine((v) => v.length <= 200, { error: 'agent is longer than 200 characters' }),
});

/** `GET /api/access-log` (admin): newest first, narrowed to one actor and a `[from, to)` range. */
export const accessLogParamsSchema = z
  .object({ limit: limitParam(500), actor: textParam('actor', 200), from: timeParam('from'), to: timeParam('to') })
  .transform((p) => ({ limit: p.limit, filter: defined({ actor: p.actor, fromNs: p.from, toNs: p.to }) }));
