/**
 * Findings-list filters and their encodings: the page URL (shareable) and the API query of
 * `GET /api/findings`. URL values are untrusted (a crafted link), so invalid ones are dropped.
 */

export const FINDING_FILTER_KEYS = [
  'severity',
  'rule',
  'status',
  'agent',
  'tool',
  'run',
  'from',
  'to',
  'limit',
] as const;
export type FindingFilterKey = (typeof FINDING_FILTER_KEYS)[number];
export type FindingFilters = Record<FindingFilterKey, string>;

export const EMPTY_FINDING_FILTERS: FindingFilters = Object.fromEntries(
  FINDING_FILTER_KEYS.map((k) => [k, '']),
) as FindingFilters;

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export const STATUSES = ['open', 'expected', 'muted'] as const;
/** Rows per page (`limit` in the URL); not a filter, but kept in the link like one. */
export const PAGE_SIZES = [10, 25, 50, 100, 200] as const;
export const DEFAULT_PAGE_SIZE = 50;

const MAX_VALUE = 500;

function validIso(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));
}

function clean(key: FindingFilterKey, raw: string): string {
  const value = raw.trim();
  if (value.length > MAX_VALUE) return '';
  switch (key) {
    case 'severity':
      return (SEVERITIES as readonly string[]).includes(value) ? value : '';
    case 'status':
      return (STATUSES as readonly string[]).includes(value) ? value : '';
    case 'run':
      return /^[0-9a-f]{32}$/i.test(value) ? value.toLowerCase() : '';
    case 'limit':
      return (PAGE_SIZES as readonly number[]).includes(Number(value)) ? String(Number(value)) : '';
    case 'from':
    case 'to':
      return validIso(value) ? new Date(value).toISOString() : '';
    default:
      return value;
  }
}

export function findingFiltersFromSearch(search: URLSearchParams): FindingFilters {
  const out = { ...EMPTY_FINDING_FILTERS };
  for (const key of FINDING_FILTER_KEYS) out[key] = clean(key, search.get(key) ?? '');
  return out;
}

export function hasFindingFilters(filters: FindingFilters): boolean {
  return FINDING_FILTER_KEYS.some((k) => k !== 'limit' && filters[k] !== '');
}

export function pageSize(filters: FindingFilters): number {
  return clean('limit', filters.limit) === '' ? DEFAULT_PAGE_SIZE : Number(filters.limit);
}

/** The page URL's query: project first, then every valid non-empty filter in a stable order. */
export function findingFiltersToSearch(project: string, filters: FindingFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (project !== '') params.set('project', project);
  for (const key of FINDING_FILTER_KEYS) {
    const value = clean(key, filters[key]);
    if (value !== '') params.set(key, value);
  }
  return params;
}

/** The same filters under the API's parameter names (`run` → `traceId`), with this page size. */
export function findingsApiQuery(
  project: string,
  filters: FindingFilters,
  limit: number,
  cursor?: string,
): URLSearchParams {
  const params = new URLSearchParams();
  if (project !== '') params.set('project', project);
  for (const key of FINDING_FILTER_KEYS) {
    if (key === 'limit') continue;
    const value = clean(key, filters[key]);
    if (value !== '') params.set(key === 'run' ? 'traceId' : key, value);
  }
  params.set('limit', String(limit));
  if (cursor !== undefined && cursor !== '') params.set('cursor', cursor);
  return params;
}

/** One filter changed, the rest kept: for the clickable counts and cells of the list. */
export function withFilter(filters: FindingFilters, key: FindingFilterKey, value: string): FindingFilters {
  return { ...filters, [key]: filters[key] === value ? '' : value };
}
