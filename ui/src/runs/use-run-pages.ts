import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useSession } from '../app/session';
import { runPagesQuery, runsCountQuery } from '../data/queries';
import { useCursorList } from '../data/use-cursor-list';
import type { UiRunSummary } from '../lib/model';
import { type RunFilters, runsApiQuery, runsCountApiQuery } from '../lib/run-filters';
import { addMatches, type TextMatch } from '../lib/text-match';

export const PAGE_SIZE = 50;

export interface RunPages {
  runs: UiRunSummary[];
  status: 'loading' | 'ready' | 'error';
  error: Error | null;
  hasMore: boolean;
  loadingMore: boolean;
  /** With a free-text filter: where each run matched, by trace ID. */
  matches: ReadonlyMap<string, TextMatch>;
  /** False until the shown runs, and the total when there is more than one page, are the server's current answer. */
  settled: boolean;
  /** How many runs match the filters: all of them when they fit in the pages shown, else as the server counted them (undefined if it did not). */
  total: number | undefined;
  loadMore: () => void;
}

/**
 * Pages of runs for one project, filter set and order (`sort` as in the URL, '' for newest first);
 * a new filter set or order starts over from the first page.
 */
export function useRunPages(project: string, filters: RunFilters, filtersKey: string, sort = ''): RunPages {
  const { api } = useSession();
  const list = useCursorList(
    runPagesQuery(api, project, `${filtersKey}&sort=${sort}`, (cursor) =>
      runsApiQuery(project, filters, PAGE_SIZE, cursor, sort),
    ),
    (page) => page.runs,
    (run) => run.traceId,
  );
  // The total is counted apart and only when the first page is full: the rows show without waiting for
  // a count of every match (on a large store the count is the slower half of a filtered first page).
  const counting = list.status === 'ready' && list.hasMore;
  const count = useQuery({ ...runsCountQuery(api, project, runsCountApiQuery(project, filters)), enabled: counting });
  const matches = useMemo(
    () =>
      list.pages.reduce<ReadonlyMap<string, TextMatch>>((acc, page) => addMatches(acc, page.textMatches), new Map()),
    [list.pages],
  );
  return {
    runs: list.items,
    status: list.status,
    error: list.error,
    hasMore: list.hasMore,
    loadingMore: list.loadingMore,
    settled: list.settled && (!counting || count.status !== 'pending'),
    total: list.status !== 'ready' ? undefined : counting ? (count.data ?? undefined) : list.items.length,
    loadMore: list.loadMore,
    matches,
  };
}
