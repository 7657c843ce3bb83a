/**
 * What each screen reads, as TanStack Query options: the key (from `query-keys`) and the API call that
 * answers it. Screens call `useQuery(x(api, …))`; a new screen adds its reads here, so keys and
 * fetches stay side by side and any screen can reuse (or prefetch) another's read.
 */
import { infiniteQueryOptions, type Query, queryOptions } from '@tanstack/react-query';
import type { ApiClient } from '../lib/api-client';
import { queryKeys } from './query-keys';

/** Live views (alert rules and their history) poll every 3 s. */
export const POLL_MS = 3_000;

/** The poll interval: after a failed poll, three times as long until an answer comes back. */
export const pollInterval = (query: Pick<Query, 'state'>): number =>
  query.state.status === 'error' ? POLL_MS * 3 : POLL_MS;

/** A cursor that continues, or `undefined` at the end (the API ends with no cursor or an empty one). */
const nextCursor = (cursor: string | undefined): string | undefined => (cursor === '' ? undefined : cursor);

export const runQuery = (api: ApiClient, project: string, traceId: string) =>
  queryOptions({
    queryKey: queryKeys.runs.detail(project, traceId),
    queryFn: ({ signal }) => api.getRun(project, traceId, signal),
  });

/** One page of runs for `query` (the API's filter parameters, `project` included). */
export const runsPageQuery = (api: ApiClient, project: string, query: URLSearchParams) =>
  queryOptions({
    queryKey: queryKeys.runs.page(project, query.toString()),
    queryFn: ({ signal }) => api.listRuns(query, signal),
  });

/**
 * Cursor pages of runs. `filtersKey` names the filter set (the page's URL query); `pageQuery` builds the
 * API query for a cursor (`undefined` for the first page).
 */
export const runPagesQuery = (
  api: ApiClient,
  project: string,
  filtersKey: string,
  pageQuery: (cursor: string | undefined) => URLSearchParams,
) =>
  infiniteQueryOptions({
    queryKey: queryKeys.runs.pages(project, filtersKey),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) => api.listRuns(pageQuery(pageParam), signal),
    getNextPageParam: (last) => nextCursor(last.nextCursor),
  });

/** How many runs a filter set matches, as the server counts them (`query` from `runsCountApiQuery`). */
export const runsCountQuery = (api: ApiClient, project: string, query: URLSearchParams) =>
  queryOptions({
    queryKey: queryKeys.runs.count(project, query.toString()),
    // null when the server did not count (a query's data must not be undefined).
    queryFn: async ({ signal }) => (await api.listRuns(query, signal)).total ?? null,
  });

/** Cursor pages of findings; as `runPagesQuery`. */
export const findingPagesQuery = (
  api: ApiClient,
  project: string,
  filtersKey: string,
  pageQuery: (cursor: string | undefined) => URLSearchParams,
) =>
  infiniteQueryOptions({
    queryKey: queryKeys.findings.pages(project, filtersKey),
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam, signal }) => api.findings.list(pageQuery(pageParam), signal),
    getNextPageParam: (last) => nextCursor(last.nextCursor),
  });

/**
 * How many findings of a filter set are low and how many worse, as the server counts them (two
 * one-row pages with `count=true`); `base` is the filter set's query.
 */
export const findingFoldQuery = (api: ApiClient, project: string, filtersKey: string, base: URLSearchParams) =>
  queryOptions({
    queryKey: [...queryKeys.findings.counts(project, filtersKey), 'fold'] as const,
    queryFn: async ({ signal }) => {
      const low = new URLSearchParams(base);
      low.set('severity', 'low');
      low.set('count', 'true');
      const above = new URLSearchParams(base);
      above.set('minSeverity', 'medium');
      above.set('count', 'true');
      const [l, a] = await Promise.all([api.findings.list(low, signal), api.findings.list(above, signal)]);
      return { low: l.total ?? 0, above: a.total ?? 0 };
    },
  });

/** The newest findings of a filter set in one page (`query` asks for the API's largest page), for counting. */
export const findingSampleQuery = (api: ApiClient, project: string, filtersKey: string, query: URLSearchParams) =>
  queryOptions({
    queryKey: queryKeys.findings.counts(project, filtersKey),
    queryFn: ({ signal }) => api.findings.list(query, signal),
  });

export const detectionSettingsQuery = (api: ApiClient, project: string) =>
  queryOptions({
    queryKey: queryKeys.detection.settings(project),
    queryFn: ({ signal }) => api.findings.settings(project, signal),
  });

export const detectionAuditQuery = (api: ApiClient, project: string) =>
  queryOptions({
    queryKey: queryKeys.detection.audit(project),
    queryFn: ({ signal }) => api.findings.audit(project, signal),
  });

/** `query` as `GET /api/overview` takes it (`project`, `from`, `to`, `bucket`, `agent`). */
export const overviewQuery = (api: ApiClient, project: string, query: URLSearchParams) =>
  queryOptions({
    queryKey: queryKeys.overview(project, query.toString()),
    queryFn: ({ signal }) => api.overview(query, signal),
  });

export const driftSeriesQuery = (api: ApiClient, project: string, query: URLSearchParams) =>
  queryOptions({
    queryKey: queryKeys.drift.series(project, query.toString()),
    queryFn: ({ signal }) => api.driftSeries(query, signal),
  });

export const driftCompareQuery = (api: ApiClient, project: string, query: URLSearchParams) =>
  queryOptions({
    queryKey: queryKeys.drift.compare(project, query.toString()),
    queryFn: ({ signal }) => api.driftCompare(query, signal),
  });

const VERSION_DIMENSIONS = ['prompt', 'policy', 'model'] as const;

/** The agent's prompt, policy and model versions, oldest first, each with when it was first seen. */
export const agentVersionsQuery = (api: ApiClient, project: string, agent: string) =>
  queryOptions({
    queryKey: queryKeys.drift.versions(project, agent),
    queryFn: ({ signal }) =>
      Promise.all(
        VERSION_DIMENSIONS.map(async (dimension) => {
          const q = new URLSearchParams({ dimension, agent });
          if (project !== '') q.set('project', project);
          return { dimension, versions: (await api.driftVersions(q, signal)).versions };
        }),
      ),
  });

export const alertRulesQuery = (api: ApiClient, project: string) =>
  queryOptions({
    queryKey: queryKeys.alerts.rules(project),
    queryFn: ({ signal }) => api.listAlertRules(project, signal),
  });

export const alertRuleQuery = (api: ApiClient, project: string, id: string) =>
  queryOptions({
    queryKey: queryKeys.alerts.rule(project, id),
    queryFn: ({ signal }) => api.getAlertRule(project, id, signal),
  });

const eventsQuery = (ruleId: string, limit: number, before?: string) => {
  const q = new URLSearchParams({ limit: String(limit) });
  if (before !== undefined) q.set('before', before);
  if (ruleId !== '') q.set('rule', ruleId);
  return q;
};

/** The newest `limit` state changes, of one rule or (`ruleId` `''`) of every rule. */
export const alertEventsQuery = (api: ApiClient, project: string, ruleId: string, limit: number) =>
  queryOptions({
    queryKey: queryKeys.alerts.events(project, ruleId, limit),
    queryFn: ({ signal }) => api.listAlertEvents(project, eventsQuery(ruleId, limit), signal),
  });

/** Pages of events before `firstCursor` (the newest page's `nextBeforeNs`), `limit` each. */
export const olderAlertEventsQuery = (
  api: ApiClient,
  project: string,
  ruleId: string,
  limit: number,
  newestId: string,
  firstCursor: string,
) =>
  infiniteQueryOptions({
    queryKey: queryKeys.alerts.olderEvents(project, ruleId, newestId),
    initialPageParam: firstCursor,
    queryFn: ({ pageParam, signal }) => api.listAlertEvents(project, eventsQuery(ruleId, limit, pageParam), signal),
    getNextPageParam: (last) => nextCursor(last.nextBeforeNs),
  });

export const alertDeliveriesQuery = (api: ApiClient, project: string, ruleId: string, eventId: string) =>
  queryOptions({
    queryKey: queryKeys.alerts.deliveries(project, eventId),
    queryFn: ({ signal }) =>
      api.listAlertDeliveries(project, new URLSearchParams({ rule: ruleId, event: eventId }), signal),
  });
