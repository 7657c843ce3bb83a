import { useState } from 'react';
import type { ApiClient } from '../lib/api-client';
import type { UiRunSummary } from '../lib/model';
import { type RunFilters, runsApiQuery } from '../lib/run-filters';
import { addMatches, type TextMatch } from '../lib/text-match';
import { useCursorPages } from '../lib/use-cursor-pages';

export const PAGE_SIZE = 50;

export interface RunPages {
  runs: UiRunSummary[];
  status: 'loading' | 'ready' | 'error';
  error: Error | null;
  hasMore: boolean;
  loadingMore: boolean;
  /** With a free-text filter: where each run matched, by trace ID. */
  matches: ReadonlyMap<string, TextMatch>;
  /** The `filtersKey` the shown runs answer; differs from the current one until its first page arrives. */
  loadedKey: string | null;
  loadMore: () => void;
}

/** Pages of runs for one project and filter set; a new filter set starts over from the first page. */
export function useRunPages(api: ApiClient, project: string, filters: RunFilters, filtersKey: string): RunPages {
  const [matches, setMatches] = useState<ReadonlyMap<string, TextMatch>>(new Map());
  const pages = useCursorPages({
    key: filtersKey,
    source: [api, project],
    async fetchPage(cursor, signal) {
      const page = await api.listRuns(runsApiQuery(project, filters, PAGE_SIZE, cursor), signal);
      return { items: page.runs, nextCursor: page.nextCursor, page };
    },
    idOf: (run) => run.traceId,
    onPage: (page, first) => setMatches((prev) => addMatches(first ? new Map() : prev, page.textMatches)),
  });
  return {
    runs: pages.items,
    status: pages.status,
    error: pages.error,
    hasMore: pages.hasMore,
    loadingMore: pages.loadingMore,
    loadedKey: pages.loadedKey,
    loadMore: pages.loadMore,
    matches,
  };
}
