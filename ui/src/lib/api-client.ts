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
  type BacktestAnswerDto,
  backtestAnswerSchema,
  type DriftCompareDto,
  driftCompareSchema,
  findByValueAnswerSchema,
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
import { type AdminApi, createAdminApi } from './admin-api';
import { type CasesApi, createCasesApi } from './cases-api';
import { createFindingsApi, type FindingsApi } from './findings-api';
import { createHttp, type HttpOptions, nullIfNotFound } from './http';
import { toRunDetail, toRunSummary, type UiRunDetail, type UiRunSummary } from './model';
import type { TextMatch } from './text-match';

export interface RunPage {
  runs: UiRunSummary[];
  nextCursor: string | undefined;
  /** With a free-text query: where each run matched (first matching step and field). */
  textMatches: TextMatch[];
  /** With `count=true`: how many runs match the filters, over all pages. */
  total: number | undefined;
}

export type LookupKind = 'document' | 'tool' | 'approval';

/** What a find-by-value returned: the datum's kind, its tokens, and the runs that carried it. */
export interface ValueSearch {
  kind: string;
  tokens: string[];
  runs: UiRunSummary[];
  textMatches: TextMatch[];
  more: boolean;
  note: string | undefined;
}

export interface ApiClient {
  whoami(signal?: AbortSignal): Promise<WhoamiDto>;
  /** `query` holds the API's filter parameters (already validated); `cursor` continues a page. */
  listRuns(query: URLSearchParams, signal?: AbortSignal): Promise<RunPage>;
  /** `null` when the run does not exist in this project. */
  getRun(project: string, traceId: string, signal?: AbortSignal): Promise<UiRunDetail | null>;
  lookup(project: string, kind: LookupKind, id: string, signal?: AbortSignal): Promise<UiRunSummary[]>;
  /**
   * Runs that carried a datum the investigator types (e-mail, IBAN, phone, card, key): the collector
   * turns it into its pseudonym token. The value goes in the request body only, never in a URL.
   */
  findByValue(project: string, value: string): Promise<ValueSearch>;
  overview(query: URLSearchParams, signal?: AbortSignal): Promise<OverviewDto>;
  /** The selected runs as a case file (an attachment), with the file name the server chose. */
  exportCase(project: string, traceIds: readonly string[], format: 'html' | 'json'): Promise<CaseDownload>;
  /** Findings, their status, and detection settings. */
  findings: FindingsApi;
  cases: CasesApi;
  /** Projects, people and keys (admins). */
  admin: AdminApi;
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
  /**
   * A rule as typed in the form (saved or not) judged over every past window of a range; `from`/`to`
   * are dates as typed (ISO, "now", "7d ago", "last 7 days"). Nothing is recorded or sent.
   */
  backtestAlertRule(
    project: string,
    input: AlertRuleInput,
    range: { from: string; to: string },
  ): Promise<BacktestAnswerDto>;
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

export type ApiClientOptions = HttpOptions;

const lookupSchema = z.object({ runs: z.array(runSummarySchema) });

const ruleAnswerSchema = alertRuleAnswerSchema.transform((b) => b.rule);

/** The secret is present only when the server generated one: it is shown this once. */
const createdRuleSchema = alertRuleAnswerSchema.transform((b): CreatedRule => ({ rule: b.rule, secret: b.secret }));

const evaluateAnswerSchema = alertEvaluateAnswerSchema.transform((b) => b.evaluation);

export function createApiClient(options: ApiClientOptions): ApiClient {
  const http = createHttp(options);
  const withProject = (project: string) => `?${new URLSearchParams({ project })}`;
  const ruleUrl = (project: string, id: string) => `/api/alerts/rules/${encodeURIComponent(id)}${withProject(project)}`;

  const get = http.get;
  const withProjectParam = (project: string, query: URLSearchParams) => {
    const q = new URLSearchParams(query);
    if (project !== '') q.set('project', project);
    return q;
  };

  return {
    findings: createFindingsApi(http),
    cases: createCasesApi(http),
    admin: createAdminApi(http),
    overview: (query, signal) => get(`/api/overview?${query}`, overviewSchema, signal),
    exportCase(project, traceIds, format) {
      const query = withProjectParam(project, new URLSearchParams({ traceIds: traceIds.join(','), format }));
      return http.download(`/api/cases/export?${query}`, `casefile-case.${format}`);
    },
    async listAlertRules(project, signal) {
      return (await get(`/api/alerts/rules${withProject(project)}`, alertRuleListSchema, signal)).rules;
    },
    getAlertRule: (project, id, signal) => nullIfNotFound(get(ruleUrl(project, id), ruleAnswerSchema, signal)),
    createAlertRule: (project, input) =>
      http.request('POST', `/api/alerts/rules${withProject(project)}`, createdRuleSchema, { body: ruleBody(input) }),
    updateAlertRule: (project, id, input) =>
      http.request('PUT', ruleUrl(project, id), createdRuleSchema, { body: ruleBody(input) }),
    async deleteAlertRule(project, id) {
      await http.request('DELETE', ruleUrl(project, id), z.unknown());
    },
    evaluateAlertRule(project, id) {
      const path = `/api/alerts/rules/${encodeURIComponent(id)}/evaluate${withProject(project)}`;
      return http.request('POST', path, evaluateAnswerSchema);
    },
    backtestAlertRule: (project, input, range) =>
      http.request('POST', `/api/alerts/backtest${withProject(project)}`, backtestAnswerSchema, {
        body: { rule: ruleBody(input), ...range },
      }),
    listAlertEvents: (project, query, signal) =>
      get(`/api/alerts/events?${withProjectParam(project, query)}`, alertEventListSchema, signal),
    async listAlertDeliveries(project, query, signal) {
      const q = withProjectParam(project, query);
      return (await get(`/api/alerts/deliveries?${q}`, alertDeliveryListSchema, signal)).deliveries;
    },
    driftSeries: (query, signal) => get(`/api/drift/series?${query}`, metricSeriesSchema, signal),
    driftCompare: (query, signal) => get(`/api/drift/compare?${query}`, driftCompareSchema, signal),
    driftVersions: (query, signal) => get(`/api/drift/versions?${query}`, versionListSchema, signal),
    whoami: (signal) => get('/api/whoami', whoamiSchema, signal),
    async listRuns(query, signal) {
      const page = await get(`/api/runs?${query}`, runPageSchema, signal);
      return {
        runs: page.runs.map(toRunSummary),
        nextCursor: page.nextCursor,
        textMatches: page.textMatches ?? [],
        total: page.total,
      };
    },
    async getRun(project, traceId, signal) {
      const path = `/api/runs/${encodeURIComponent(traceId)}${withProject(project)}`;
      const detail = await nullIfNotFound(get(path, runDetailSchema, signal));
      return detail === null ? null : toRunDetail(detail);
    },
    async findByValue(project, value) {
      const answer = await http.request('POST', '/api/search/by-value', findByValueAnswerSchema, {
        body: { project, value },
      });
      return {
        kind: answer.kind,
        tokens: answer.tokens,
        runs: answer.runs.map(toRunSummary),
        textMatches: answer.textMatches ?? [],
        more: answer.more,
        note: answer.note,
      };
    },
    async lookup(project, kind, id, signal) {
      const path = `/api/lookup/${kind}/${encodeURIComponent(id)}${withProject(project)}`;
      return (await get(path, lookupSchema, signal)).runs.map(toRunSummary);
    },
  };
}

/**
 * A rule as sent: a fixed baseline's bounds go as ISO 8601 dates (`from`/`to`), as a person would
 * write them and as the collector takes them, rather than epoch milliseconds; the collector stores
 * them as milliseconds, so the answer's rule has `fromMs`/`toMs` as before.
 */
export function ruleBody(input: AlertRuleInput): unknown {
  if (input.kind !== 'drift' || input.reference.type !== 'baseline') return input;
  const { fromMs, toMs, ...rest } = input.reference;
  const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : ms);
  return { ...input, reference: { ...rest, from: iso(fromMs), to: iso(toMs) } };
}
