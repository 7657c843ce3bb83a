/**
 * The order of the runs list: a column click asks the server for every matching run in that order
 * (not only the pages loaded so far). It lives in the URL (`sort=duration` or `sort=-duration`, `-`
 * for descending) so a sorted view can be shared.
 */
import { formatRunSort, NEWEST_FIRST, parseRunSort, type RunSort, type RunSortKey } from '@casefile/contract';

export type { RunSort } from '@casefile/contract';
export type SortKey = RunSortKey;

/** The server's own order: newest first. */
export const DEFAULT_SORT: RunSort = NEWEST_FIRST;

export function parseSort(value: string | null): RunSort {
  return (value === null ? undefined : parseRunSort(value)) ?? DEFAULT_SORT;
}

/** The URL value; null for the default order (no parameter). */
export function formatSort(sort: RunSort): string | null {
  if (sort.key === DEFAULT_SORT.key && sort.descending === DEFAULT_SORT.descending) return null;
  return formatRunSort(sort);
}

/** A click on a column: a new column sorts descending (biggest, worst, newest first), the same one flips. */
export function nextSort(current: RunSort, key: SortKey): RunSort {
  return current.key === key ? { key, descending: !current.descending } : { key, descending: true };
}
