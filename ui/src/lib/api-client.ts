/**
 * The query API, as the UI sees it. Every response is parsed with the collector's own schemas, so
 * a server that drifts from the contract fails loudly here instead of rendering half a run.
 */
import {
  type AlertEvaluationDto,
  type AlertRuleDto,
  type AlertRuleInput,
  alertDeliveryListSchema,
  alertEvaluateAnswerSchema,
  alertEventListSchema,
  alertRuleAnswerSchema,
  alertRuleListSchema,
  type DriftCompareDto,
  driftCompareSchema,
  errorSchema,
  type MetricSeriesDto,
  metricSeriesSchema,
  type OverviewDto,
  overviewSchema,
  runDetailSchema,
  runPageSchema,
  runSummarySchema,
  versionListSchema,
  type WhoamiDto,
  whoamiSchema,
} from '@casefile/contract';
import { z } from 'zod';
import { createFindingsApi, type FindingsApi } from './findings-api';
import { toRunDetail, toRunSummary, type UiRunDetail, type UiRunSummary } from './model';
import type { TextMatch } from './text-match';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ApiError';
  }
}

/** The token is missing, expired or revoked; the app returns to the login screen. */
export class UnauthorizedError extends ApiError {
  constructor(message: string) {
    super(401, 'unauthorized', message);
    this.name = 'UnauthorizedError';
  }
}

export interface RunPage {
  runs: UiRunSummary[];
  nextCursor: string | undefined;
  /** With a free-text query: where each run matched (first matching step and field). */
  textMatches: TextMatch[];
}

export type LookupKind = 'document' | 'tool' | 'approval';

export interface ApiClient {
  whoami(signal?: AbortSignal): Promise<WhoamiDto>;
  /** `query` holds the API's filter parameters (already validated); `cursor` continues a page. */
  listRuns(query: URLSearchParams, signal?: AbortSignal): Promise<RunPage>;
  /** `null` when the run does not exist in this project. */
  getRun(project: string, traceId: string, signal?: AbortSignal): Promise<UiRunDetail | null>;
  lookup(project: string, kind: LookupKind, id: string, signal?: AbortSignal): Promise<UiRunSummary[]>;
  overview(query: URLSearchParams, signal?: AbortSignal): Promise<OverviewDto>;
  /** The selected runs as a case file (an attachment), with the file name the server chose. */
  exportCase(project: string, traceIds: readonly string[], format: 'html' | 'json'): Promise<CaseDownload>;
  /** Findings, their status, and detection settings. */
  findings: FindingsApi;
  listAlertRules(project: string, signal?: AbortSignal): Promise<AlertRuleDto[]>;
  /** `null` when the rule does not exist in this project. */
  getAlertRule(project: string, id: string, signal?: AbortSignal): Promise<AlertRuleDto | null>;
  /** The webhook secret comes back only here, once; later reads say `secretSet`. */
  createAlertRule(project: string, input: AlertRuleInput): Promise<CreatedRule>;
  /** Carries a secret only when the server generated one (a webhook added without a secret). */
  updateAlertRule(project: string, id: string, input: AlertRuleInput): Promise<CreatedRule>;
  deleteAlertRule(project: string, id: string): Promise<void>;
  /** A dry run with the window ending now: what the rule would find; nothing is recorded or sent. */
  evaluateAlertRule(project: string, id: string): Promise<RuleEvaluation>;
  /** `query`: `rule`, `before` (ns), `limit`. */
  listAlertEvents(project: string, query: URLSearchParams, signal?: AbortSignal): Promise<AlertEventListDto>;
  listAlertDeliveries(project: string, query: URLSearchParams, signal?: AbortSignal): Promise<AlertDeliveryDto[]>;
  /** `query`: `metric`, `agent`, `tool`, `from`, `to`, `bucket` (ms). */
  driftSeries(query: URLSearchParams, signal?: AbortSignal): Promise<MetricSeriesDto>;
  /** `query`: `metric`, `agent`, `tool`, `reference`, `window`, `end`. */
  driftCompare(query: URLSearchParams, signal?: AbortSignal): Promise<DriftCompareDto>;
  driftVersions(query: URLSearchParams, signal?: AbortSignal): Promise<VersionListDto>;
}

export type AlertEventListDto = z.infer<typeof alertEventListSchema>;
export type AlertDeliveryDto = z.infer<typeof alertDeliveryListSchema>['deliveries'][number];
export type VersionListDto = z.infer<typeof versionListSchema>;

export type RuleEvaluation = AlertEvaluationDto;

export interface CreatedRule {
  rule: AlertRuleDto;
  /** The webhook signing secret, shown once; `undefined` when the rule has no webhook. */
  secret: string | undefined;
}

export interface CaseDownload {
  blob: Blob;
  fileName: string;
}

export interface ApiClientOptions {
  token: string;
  fetch?: typeof globalThis.fetch;
  /** Called once per 401 response, before the error is thrown. */
  onUnauthorized?: () => void;
  baseUrl?: string;
}

const lookupSchema = z.object({ runs: z.array(runSummarySchema) });

const ruleAnswerSchema = alertRuleAnswerSchema.transform((b) => b.rule);

/** The secret is present only when the server generated one: it is shown this once. */
const createdRuleSchema = alertRuleAnswerSchema.transform((b): CreatedRule => ({ rule: b.rule, secret: b.secret }));

const evaluateAnswerSchema = alertEvaluateAnswerSchema.transform((b) => b.evaluation);

export function createApiClient(options: ApiClientOptions): ApiClient {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const base = options.baseUrl ?? '';

  async function get<T>(path: string, schema: z.ZodType<T>, signal?: AbortSignal): Promise<T | null> {
    const res = await doFetch(`${base}${path}`, {
      headers: { Authorization: `Bearer ${options.token}`, Accept: 'application/json' },
      credentials: 'omit',
      signal: signal ?? null,
    });
    if (res.status === 401) {
      options.onUnauthorized?.();
      throw new UnauthorizedError('The session token was rejected; sign in again.');
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (res.status === 404 && path.startsWith('/api/runs/')) return null;
    if (!res.ok) {
      const err = errorSchema.safeParse(body);
      if (err.success) throw new ApiError(res.status, err.data.error, err.data.message);
      throw new ApiError(res.status, 'http', `${path.split('?')[0]} answered HTTP ${res.status}`);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      const where = first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'unexpected shape';
      throw new ApiError(res.status, 'bad-response', `Unexpected response from ${path.split('?')[0]} (${where})`, {
        cause: parsed.error,
      });
    }
    return parsed.data;
  }

  const withProject = (project: string) => `?${new URLSearchParams({ project })}`;
  const ruleUrl = (project: string, id: string) => `/api/alerts/rules/${encodeURIComponent(id)}${withProject(project)}`;

  /** A write: JSON in, parsed JSON out; 4xx bodies become an ApiError with the server's message. */
  async function send<T>(method: string, path: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Authorization: `Bearer ${options.token}`, Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await doFetch(`${base}${path}`, {
      method,
      headers,
      credentials: 'omit',
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status === 401) {
      options.onUnauthorized?.();
      throw new UnauthorizedError('The session token was rejected; sign in again.');
    }
    const parsedBody: unknown = res.status === 204 ? undefined : await res.json().catch(() => undefined);
    if (!res.ok) {
      const err = errorSchema.safeParse(parsedBody);
      if (err.success) throw new ApiError(res.status, err.data.error, err.data.message);
      throw new ApiError(res.status, 'http', `${method} ${path.split('?')[0]} answered HTTP ${res.status}`);
    }
    const parsed = schema.safeParse(parsedBody);
    if (!parsed.success) {
      throw new ApiError(res.status, 'bad-response', `Unexpected response from ${path.split('?')[0]}`, {
        cause: parsed.error,
      });
    }
    return parsed.data;
  }

  return {
    findings: createFindingsApi(options),
    async overview(query, signal) {
      return (await get(`/api/overview?${query}`, overviewSchema, signal))!;
    },
    async exportCase(project, traceIds, format) {
      const query = new URLSearchParams({ traceIds: traceIds.join(','), format });
      if (project !== '') query.set('project', project);
      const res = await doFetch(`${base}/api/cases/export?${query}`, {
        headers: { Authorization: `Bearer ${options.token}` },
        credentials: 'omit',
      });
      if (res.status === 401) {
        options.onUnauthorized?.();
        throw new UnauthorizedError('The session token was rejected; sign in again.');
      }
      if (!res.ok) {
        const err = errorSchema.safeParse(await res.json().catch(() => undefined));
        if (err.success) throw new ApiError(res.status, err.data.error, err.data.message);
        throw new ApiError(res.status, 'http', `/api/cases/export answered HTTP ${res.status}`);
      }
      const disposition = res.headers.get('content-disposition') ?? '';
      const name = /filename="([\w.-]+)"/.exec(disposition)?.[1] ?? `casefile-case.${format}`;
      return { blob: await res.blob(), fileName: name };
    },
    async listAlertRules(project, signal) {
      return (await get(`/api/alerts/rules${withProject(project)}`, alertRuleListSchema, signal))!.rules;
    },
    async getAlertRule(project, id, signal) {
      try {
        return await get(ruleUrl(project, id), ruleAnswerSchema, signal);
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
    async createAlertRule(project, input) {
      return send('POST', `/api/alerts/rules${withProject(project)}`, createdRuleSchema, input);
    },
    async updateAlertRule(project, id, input) {
      return send('PUT', ruleUrl(project, id), createdRuleSchema, input);
    },
    async deleteAlertRule(project, id) {
      await send('DELETE', ruleUrl(project, id), z.unknown());
    },
    async evaluateAlertRule(project, id) {
      const path = `/api/alerts/rules/${encodeURIComponent(id)}/evaluate${withProject(project)}`;
      return send('POST', path, evaluateAnswerSchema);
    },
    async listAlertEvents(project, query, signal) {
      const q = new URLSearchParams(query);
      if (project !== '') q.set('project', project);
      return (await get(`/api/alerts/events?${q}`, alertEventListSchema, signal))!;
    },
    async listAlertDeliveries(project, query, signal) {
      const q = new URLSearchParams(query);
      if (project !== '') q.set('project', project);
      return (await get(`/api/alerts/deliveries?${q}`, alertDeliveryListSchema, signal))!.deliveries;
    },
    async driftSeries(query, signal) {
      return (await get(`/api/drift/series?${query}`, metricSeriesSchema, signal))!;
    },
    async driftCompare(query, signal) {
      return (await get(`/api/drift/compare?${query}`, driftCompareSchema, signal))!;
    },
    async driftVersions(query, signal) {
      return (await get(`/api/drift/versions?${query}`, versionListSchema, signal))!;
    },
    async whoami(signal) {
      return (await get('/api/whoami', whoamiSchema, signal))!;
    },
    async listRuns(query, signal) {
      const page = (await get(`/api/runs?${query}`, runPageSchema, signal))!;
      return { runs: page.runs.map(toRunSummary), nextCursor: page.nextCursor, textMatches: page.textMatches ?? [] };
    },
    async getRun(project, traceId, signal) {
      const detail = await get(
        `/api/runs/${encodeURIComponent(traceId)}${withProject(project)}`,
        runDetailSchema,
        signal,
      );
      return detail === null ? null : toRunDetail(detail);
    },
    async lookup(project, kind, id, signal) {
      const res = (await get(
        `/api/lookup/${kind}/${encodeURIComponent(id)}${withProject(project)}`,
        lookupSchema,
        signal,
      ))!;
      return res.runs.map(toRunSummary);
    },
  };
}
