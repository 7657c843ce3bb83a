/**
 * Every query key of the app, in one place. A key starts with its area and the project, so one
 * `invalidateQueries({ queryKey: queryKeys.findings.all(project) })` reaches everything of that area
 * in that project, and no two screens can cache the same answer under different names.
 *
 * Filter sets enter a key as their canonical URL query string (`findingFiltersToSearch(…)`, `runsApiQuery(…)`),
 * so the same filters always make the same key.
 */
export const queryKeys = {
  runs: {
    all: (project: string) => ['runs', project] as const,
    /** Cursor pages of the runs list or search (`query` without the cursor). */
    pages: (project: string, query: string) => ['runs', project, 'pages', query] as const,
    /** One page of runs (the agent's latest runs for version badges, compare candidates). */
    page: (project: string, query: string) => ['runs', project, 'page', query] as const,
    /** How many runs match a filter set (`query`: its count query). */
    count: (project: string, query: string) => ['runs', project, 'count', query] as const,
    /** `null` when the run is not in this project. */
    detail: (project: string, traceId: string) => ['runs', project, 'detail', traceId] as const,
  },
  findings: {
    all: (project: string) => ['findings', project] as const,
    /** Every filter set's pages (a prefix). */
    allPages: (project: string) => ['findings', project, 'pages'] as const,
    /** Cursor pages of findings for a filter set. */
    pages: (project: string, filtersKey: string) => ['findings', project, 'pages', filtersKey] as const,
    /** Every filter set's counts (a prefix). */
    allCounts: (project: string) => ['findings', project, 'counts'] as const,
    /** Counts per severity, status and rule over the newest matching findings. */
    counts: (project: string, filtersKey: string) => ['findings', project, 'counts', filtersKey] as const,
  },
  detection: {
    all: (project: string) => ['detection', project] as const,
    settings: (project: string) => ['detection', project, 'settings'] as const,
    audit: (project: string) => ['detection', project, 'audit'] as const,
  },
  /** `query` as sent to `GET /api/overview` (the drift page asks it for the agents of a range). */
  overview: (project: string, query: string) => ['overview', project, query] as const,
  drift: {
    series: (project: string, query: string) => ['drift', project, 'series', query] as const,
    compare: (project: string, query: string) => ['drift', project, 'compare', query] as const,
    versions: (project: string, agent: string) => ['drift', project, 'versions', agent] as const,
  },
  alerts: {
    all: (project: string) => ['alerts', project] as const,
    rules: (project: string) => ['alerts', project, 'rules'] as const,
    /** `null` when the rule is not in this project. */
    rule: (project: string, id: string) => ['alerts', project, 'rule', id] as const,
    /** The newest page of events (of one rule, or of all with `ruleId` `''`), `limit` per page. */
    events: (project: string, ruleId: string, limit: number) => ['alerts', project, 'events', ruleId, limit] as const,
    /** Pages older than the newest page; `newestId` ties them to the newest page they continue. */
    olderEvents: (project: string, ruleId: string, newestId: string) =>
      ['alerts', project, 'older-events', ruleId, newestId] as const,
    deliveries: (project: string, eventId: string) => ['alerts', project, 'deliveries', eventId] as const,
  },
} as const;
