import { useMemo } from 'react';
import { useSession } from '../app/session';
import { runPagesQuery } from '../data/queries';
import { useCursorList } from '../data/use-cursor-list';
import type { UiRunSummary } from '../lib/model';
import { type RunFilters, runsApiQuery } from '../lib/run-filters';
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
  /** False until the shown runs are the server's current answer to these filters. */
  settled: boolean;
  /** How many runs match the filters, as the server counted them with the first page; undefined if it did not. */
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
    settled: list.settled,
    total: list.pages[0]?.total,
    loadMore: list.loadMore,
    matches,
  };
}
