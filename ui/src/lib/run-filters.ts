/**
 * Run-list filters and their two encodings: the page URL (shareable, what the user typed) and the
 * API query. Values from the URL are untrusted too (a crafted link), so invalid ones are dropped.
 */

export const FILTER_KEYS = [
  'from',
  'to',
  'agent',
  'status',
  'tool',
  'promptVersion',
  'policyVersion',
  'model',
  'documentId',
  'approvalId',
  'q',
  'hasFindings',
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];
export type RunFilters = Record<FilterKey, string>;

export const EMPTY_FILTERS: RunFilters = Object.fromEntries(FILTER_KEYS.map((k) => [k, ''])) as RunFilters;

/** Longest value kept from a URL; longer ones are not a real filter. */
const MAX_VALUE = 500;

function validIso(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T/.test(value) && !Number.isNaN(Date.parse(value));
}

function clean(key: FilterKey, raw: string): string {
  const value = raw.trim();
  if (value.length > MAX_VALUE) return '';
  if (key === 'status') return value === 'ok' || value === 'error' ? value : '';
  if (key === 'hasFindings') return value === 'true' || value === 'false' ? value : '';
  if (key === 'from' || key === 'to') return validIso(value) ? new Date(value).toISOString() : '';
  return value;
}

export function filtersFromSearch(search: URLSearchParams): RunFilters {
  const out = { ...EMPTY_FILTERS };
  for (const key of FILTER_KEYS) out[key] = clean(key, search.get(key) ?? '');
  return out;
}

export function hasFilters(filters: RunFilters): boolean {
  return FILTER_KEYS.some((k) => filters[k] !== '');
}

/** The page URL's query: project first, then every non-empty filter in a stable order. */
export function filtersToSearch(project: string, filters: RunFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (project !== '') params.set('project', project);
  for (const key of FILTER_KEYS) {
    const value = clean(key, filters[key]);
    if (value !== '') params.set(key, value);
  }
  return params;
}

/**
 * The API query of one page: the filters, the page size, the order (`sort`, e.g. `-duration`; absent
 * for newest first) and the cursor. The total is asked for apart (`runsCountApiQuery`), so the first
 * rows do not wait for the server to count every match.
 */
export function runsApiQuery(
  project: string,
  filters: RunFilters,
  limit: number,
  cursor?: string,
  sort?: string,
): URLSearchParams {
  const params = filtersToSearch(project, filters);
  params.set('limit', String(limit));
  if (sort !== undefined && sort !== '') params.set('sort', sort);
  if (cursor !== undefined && cursor !== '') params.set('cursor', cursor);
  return params;
}

/** The API query that counts the runs matching `filters` (`count=true` with a one-run page). */
export function runsCountApiQuery(project: string, filters: RunFilters): URLSearchParams {
  const params = filtersToSearch(project, filters);
  params.set('limit', '1');
  params.set('count', 'true');
  return params;
}

/**
 * `<input type="datetime-local">` has no time zone; the UI shows every time in UTC, so its value is
 * read as UTC too. Returns '' for an empty or invalid value.
 */
export function dateInputToIso(value: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2}(\.\d{1,3})?)?$/.exec(value);
  if (!m) return '';
  const iso = `${m[1]}T${m[2]}${m[3] ?? ':00'}Z`;
  return Number.isNaN(Date.parse(iso)) ? '' : new Date(iso).toISOString();
}

/** The reverse of `dateInputToIso`: `2026-11-21T16:43` for an ISO time (minute precision, UTC). */
export function isoToDateInput(iso: string): string {
  if (!validIso(iso)) return '';
  return new Date(iso).toISOString().slice(0, 16);
}

export const RANGE_PRESETS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };
export type RangePreset = keyof typeof RANGE_PRESETS;

/** An open-ended range ending now; written as absolute times so a shared link shows the same runs. */
export function presetRange(preset: RangePreset, nowMs: number): { from: string; to: string } {
  return { from: new Date(nowMs - RANGE_PRESETS[preset]).toISOString(), to: '' };
}
