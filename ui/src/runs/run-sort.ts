/**
 * Sorting the loaded runs by a column. The server lists runs newest first; a sort reorders the runs
 * loaded so far (the count line says so), and lives in the URL (`sort=duration` or `sort=-duration`,
 * `-` for descending) so a sorted view can be shared.
 */
import { SEVERITIES } from '@casefile/contract';
import type { UiRunSummary } from '../lib/model';

export const SORT_KEYS = ['start', 'duration', 'tokens', 'severity'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export interface RunSort {
  key: SortKey;
  descending: boolean;
}

/** The server's order: newest first. */
export const DEFAULT_SORT: RunSort = { key: 'start', descending: true };

export function parseSort(value: string | null): RunSort {
  if (value === null) return DEFAULT_SORT;
  const descending = value.startsWith('-');
  const key = (descending ? value.slice(1) : value) as SortKey;
  return SORT_KEYS.includes(key) ? { key, descending } : DEFAULT_SORT;
}

export function formatSort(sort: RunSort): string | null {
  if (sort.key === DEFAULT_SORT.key && sort.descending === DEFAULT_SORT.descending) return null;
  return `${sort.descending ? '-' : ''}${sort.key}`;
}

/** A click on a column: a new column sorts descending (biggest, worst, newest first), the same one flips. */
export function nextSort(current: RunSort, key: SortKey): RunSort {
  return current.key === key ? { key, descending: !current.descending } : { key, descending: true };
}

const severityRank = (r: UiRunSummary) => SEVERITIES.indexOf(r.worstSeverity as (typeof SEVERITIES)[number]);

function value(r: UiRunSummary, key: SortKey): bigint | number {
  switch (key) {
    case 'start':
      return r.startNs;
    case 'duration':
      return r.endNs - r.startNs;
    case 'tokens':
      return r.inputTokens + r.outputTokens;
    case 'severity':
      // Worst open severity first, then how many findings count towards the run.
      return (severityRank(r) + 1) * 1_000_000 + Math.min(r.findingCount, 999_999);
  }
}

/** A new array in the requested order; ties keep the server's order (newest first), so the sort is stable. */
export function sortRuns(runs: readonly UiRunSummary[], sort: RunSort): UiRunSummary[] {
  if (sort.key === DEFAULT_SORT.key && sort.descending === DEFAULT_SORT.descending) return [...runs];
  const indexed = runs.map((r, i) => ({ r, i, v: value(r, sort.key) }));
  indexed.sort((a, b) => {
    if (a.v !== b.v) return (a.v < b.v ? -1 : 1) * (sort.descending ? -1 : 1);
    return a.i - b.i;
  });
  return indexed.map((x) => x.r);
}
