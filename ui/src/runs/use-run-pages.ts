import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../lib/api-client';
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
  /** The `filtersKey` the shown runs answer; differs from the current one until its first page arrives. */
  loadedKey: string | null;
  loadMore: () => void;
}

const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));

/** Pages of runs for one project and filter set; a new filter set starts over from the first page. */
export function useRunPages(api: ApiClient, project: string, filters: RunFilters, filtersKey: string): RunPages {
  const [runs, setRuns] = useState<UiRunSummary[]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [status, setStatus] = useState<RunPages['status']>('loading');
  const [error, setError] = useState<Error | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [loadedKey, setLoadedKey] = useState<string | null>(null);
  const [matches, setMatches] = useState<ReadonlyMap<string, TextMatch>>(new Map());
  const controller = useRef<AbortController | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `filtersKey` stands for `filters`.
  useEffect(() => {
    controller.current?.abort();
    const c = new AbortController();
    controller.current = c;
    setStatus('loading');
    setError(null);
    setRuns([]);
    setMatches(new Map());
    setCursor(undefined);
    setLoadingMore(false);
    api.listRuns(runsApiQuery(project, filters, PAGE_SIZE), c.signal).then(
      (page) => {
        if (c.signal.aborted) return;
        setRuns(page.runs);
        setMatches(addMatches(new Map(), page.textMatches));
        setCursor(page.nextCursor);
        setStatus('ready');
        setLoadedKey(filtersKey);
      },
      (e: unknown) => {
        if (c.signal.aborted) return;
        setError(asError(e));
        setStatus('error');
      },
    );
    return () => c.abort();
  }, [api, project, filtersKey]);

  const loadMore = useCallback(() => {
    const c = controller.current;
    if (cursor === undefined || loadingMore || c === null) return;
    setLoadingMore(true);
    api.listRuns(runsApiQuery(project, filters, PAGE_SIZE, cursor), c.signal).then(
      (page) => {
        if (c.signal.aborted) return;
        // A run may move between pages while new data arrives; keep the first copy only.
        setRuns((prev) => {
          const seen = new Set(prev.map((r) => r.traceId));
          return [...prev, ...page.runs.filter((r) => !seen.has(r.traceId))];
        });
        setMatches((prev) => addMatches(prev, page.textMatches));
        setCursor(page.nextCursor);
        setLoadingMore(false);
      },
      (e: unknown) => {
        if (c.signal.aborted) return;
        setError(asError(e));
        setLoadingMore(false);
      },
    );
  }, [api, project, filters, cursor, loadingMore]);

  return {
    runs,
    status,
    error,
    hasMore: cursor !== undefined && cursor !== '',
    loadingMore,
    loadMore,
    loadedKey,
    matches,
  };
}
