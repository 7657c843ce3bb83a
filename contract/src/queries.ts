/**
 * Request schemas: query parameters and bodies of the API, as the collector validates them. Every
 * problem message names the parameter and says what it must be. Query parameters arrive as strings;
 * times are ISO-8601 or epoch milliseconds and come out as bigint nanoseconds.
 */
import { z } from 'zod';
import { FINDING_ORDERS, FINDING_STATUSES, SEVERITIES } from './findings.js';
import { NEWEST_FIRST, parseRunSort, RUN_SORT_KEYS, type RunSort } from './run.js';

export const MAX_PAGE_LIMIT = 500;
const MAX_TEXT = 512;

/** A page size: an integer from 1 to `max` as decimal digits (no sign, point or exponent). */
export const limitParam = (fallback: number, max = MAX_PAGE_LIMIT) =>
  z
    .string()
    .default(String(fallback))
    .refine((v) => /^\d{1,4}$/.test(v) && Number(v) >= 1 && Number(v) <= max, {
      error: `limit must be an integer from 1 to ${max}`,
    })
    .transform(Number);

const limit = limitParam(50);

/** A time bound: ISO-8601, or Unix epoch milliseconds → ns. Absent or '' → undefined. */
export const timeParam = (name: string) =>
  z
    .string()
    .optional()
    .transform((v, ctx): bigint | undefined => {
      if (v === undefined || v === '') return undefined;
      if (/^\d{1,15}$/.test(v)) return BigInt(v) * 1_000_000n;
      const ms = Date.parse(v);
      if (Number.isFinite(ms)) return BigInt(ms) * 1_000_000n;
      ctx.addIssue({ code: 'custom', message: `${name} must be an ISO-8601 time or epoch milliseconds` });
      return z.NEVER;
    });

/** Free text up to `max` characters; absent or '' → undefined. */
export const textParam = (name: string, max = MAX_TEXT) =>
  z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v) => v === undefined || v.length <= max, { error: `${name} is longer than ${max} characters` });

/** One of a closed set; absent or '' → undefined. */
export const oneOfParam = <const V extends readonly [string, ...string[]]>(values: V, message: string) =>
  z
    .string()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine((v): v is V[number] | undefined => v === undefined || values.includes(v), { error: message });

const traceIdParam = z
  .string()
  .optional()
  .transform((v) => (v === '' || v === undefined ? undefined : v.toLowerCase()))
  .refine((v) => v === undefined || /^[0-9a-f]{32}$/.test(v), { error: 'traceId must be 32 hex characters' });

/** Drops the keys whose value is undefined, so a query object has only what was asked. */
export function defined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

const countParam = oneOfParam(['true', 'false'], 'count must be "true" (say how many match) or "false"');

const runSortParam = z
  .string()
  .optional()
  .transform((v, ctx): RunSort => {
    if (v === undefined || v === '') return NEWEST_FIRST;
    const sort = parseRunSort(v);
    if (sort) return sort;
    ctx.addIssue({
      code: 'custom',
      message: `sort must be one of ${RUN_SORT_KEYS.join(', ')}, with a leading "-" for descending`,
    });
    return z.NEVER;
  });

/** `GET /api/runs`: filters (AND), newest first or by `sort`, cursor paging, `count=true` for the total. */
export const runQueryParamsSchema = z
  .object({
    limit,
    from: timeParam('from'),
    to: timeParam('to'),
    status: oneOfParam(['ok', 'error'], 'status must be "ok" or "error"'),
    hasFindings: oneOfParam(
      ['true', 'false'],
      'hasFindings must be "true" (runs with open findings) or "false" (runs without)',
    ),
    agent: textParam('agent'),
    tool: textParam('tool'),
    promptVersion: textParam('promptVersion'),
    policyVersion: textParam('policyVersion'),
    model: textParam('model'),
    documentId: textParam('documentId'),
    approvalId: textParam('approvalId'),
    q: textParam('q'),
    cursor: textParam('cursor'),
    sort: runSortParam,
    count: countParam,
  })
  .transform((p) => ({
    limit: p.limit,
    sort: p.sort,
    ...defined({
      count: p.count === undefined ? undefined : p.count === 'true',
      fromNs: p.from,
      toNs: p.to,
      status: p.status,
      hasFindings: p.hasFindings === undefined ? undefined : p.hasFindings === 'true',
      agentName: p.agent,
      toolName: p.tool,
      promptVersion: p.promptVersion,
      policyVersion: p.policyVersion,
      model: p.model,
      documentId: p.documentId,
      approvalId: p.approvalId,
      text: p.q,
      cursor: p.cursor,
    }),
  }));
export type RunQueryParams = z.output<typeof runQueryParamsSchema>;

/**
 * `GET /api/findings`: filters (AND) over detection time, newest first (or `order=severity`: worst
 * first, then newest), cursor paging; `minSeverity` keeps that severity and worse; `count=true` adds the total.
 */
export const findingQueryParamsSchema = z
  .object({
    limit,
    traceId: traceIdParam,
    severity: oneOfParam(SEVERITIES, `severity must be one of ${SEVERITIES.join(', ')}`),
    status: oneOfParam(FINDING_STATUSES, `status must be one of ${FINDING_STATUSES.join(', ')}`),
    from: timeParam('from'),
    to: timeParam('to'),
    rule: textParam('rule'),
    agent: textParam('agent'),
    tool: textParam('tool'),
    cursor: textParam('cursor'),
    order: oneOfParam(FINDING_ORDERS, `order must be one of ${FINDING_ORDERS.join(', ')}`),
    minSeverity: oneOfParam(SEVERITIES, `minSeverity must be one of ${SEVERITIES.join(', ')}`),
    count: countParam,
  })
  .transform((p) => ({
    limit: p.limit,
    ...defined({
      order: p.order,
      minSeverity: p.minSeverity,
      count: p.count === undefined ? undefined : p.count === 'true',
      traceId: p.traceId,
      severity: p.severity,
      status: p.status,
      fromNs: p.from,
      toNs: p.to,
      ruleId: p.rule,
      agentName: p.agent,
      toolName: p.tool,
      cursor: p.cursor,
    }),
  }));
export type FindingQueryParams = z.output<typeof findingQueryParamsSchema>;

/** `POST /api/findings/:id/status`. */
export const findingStatusBodySchema = z.object(
  {
    status: z.enum(FINDING_STATUSES, {
      error: `status must be one of ${FINDING_STATUSES.map((s) => `"${s}"`).join(', ')}`,
    }),
  },
  { error: `body must be {"status": ${FINDING_STATUSES.map((s) => `"${s}"`).join(' | ')}}` },
);

/**
 * `POST /api/keys` (admin): a new ingest key or login token. `kind` defaults to ingest, `role` to
 * viewer; a `name` that is not text of at most 200 characters is replaced by "<kind> key".
 */
export const keyRequestSchema = z.object(
  {
    project: z
      .unknown()
      .optional()
      .transform((v) => (typeof v === 'string' ? v : undefined)),
    name: z
      .unknown()
      .optional()
      .transform((v) => (typeof v === 'string' && v.length <= 200 ? v : undefined)),
    kind: z.enum(['ingest', 'login'], { error: 'kind must be "ingest" or "login"' }).default('ingest'),
    role: z.preprocess(
      (v) => v ?? undefined,
      z
        .enum(['viewer', 'investigator', 'admin'], { error: 'role must be viewer, investigator or admin' })
        .default('viewer'),
    ),
  },
  { error: 'body must be JSON {project?, name, kind, role?}' },
);
export type KeyRequest = z.output<typeof keyRequestSchema>;
