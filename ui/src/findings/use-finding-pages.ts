import type { FindingDto } from '@casefile/collector/api-schemas';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiClient } from '../lib/api-client';
import { replaceFinding } from './finding-summary';
import { type FindingFilters, findingsApiQuery, pageSize } from './findings-filters';

export interface FindingPages {
  findings: FindingDto[];
  status: 'loading' | 'ready' | 'error';
  error: Error | null;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => void;
  /** Puts a finding the API returned after a status change in place of the old copy. */
  update: (finding: FindingDto) => void;
}

const asError = (e: unknown) => (e instanceof Error ? e : new Error(String(e)));

/** Pages of findings for one project and filter set (cursor paging); new filters start over. */
export function useFindingPages(
  api: ApiClient,
  project: string,
  filters: FindingFilters,
  filtersKey: string,
): FindingPages {
  const [findings, setFindings] = useState<FindingDto[]>([]);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [status, setStatus] = useState<FindingPages['status']>('loading');
  const [error, setError] = useState<Error | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const controller = useRef<AbortController | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `filtersKey` stands for `filters`.
  useEffect(() => {
    controller.current?.abort();
    const c = new AbortController();
    controller.current = c;
    setStatus('loading');
    setError(null);
    setFindings([]);
    setCursor(undefined);
    setLoadingMore(false);
    api.findings.list(findingsApiQuery(project, filters, pageSize(filters)), c.signal).then(
      (page) => {
        if (c.signal.aborted) return;
        setFindings(page.findings);
        setCursor(page.nextCursor);
        setStatus('ready');
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
    api.findings.list(findingsApiQuery(project, filters, pageSize(filters), cursor), c.signal).then(
      (page) => {
        if (c.signal.aborted) return;
        // New findings may arrive while paging; keep the first copy of each.
        setFindings((prev) => {
          const seen = new Set(prev.map((f) => f.id));
          return [...prev, ...page.findings.filter((f) => !seen.has(f.id))];
        });
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

  const update = useCallback((f: FindingDto) => setFindings((prev) => replaceFinding(prev, f)), []);

  return {
    findings,
    status,
    error,
    hasMore: cursor !== undefined && cursor !== '',
    loadingMore,
    loadMore,
    update,
  };
}
