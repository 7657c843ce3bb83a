import type { FindingDto } from '@casefile/contract';
import { useCallback } from 'react';
import type { ApiClient } from '../lib/api-client';
import { useCursorPages } from '../lib/use-cursor-pages';
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

/** Pages of findings for one project and filter set (cursor paging); new filters start over. */
export function useFindingPages(
  api: ApiClient,
  project: string,
  filters: FindingFilters,
  filtersKey: string,
): FindingPages {
  const pages = useCursorPages({
    key: filtersKey,
    source: [api, project],
    async fetchPage(cursor, signal) {
      const page = await api.findings.list(findingsApiQuery(project, filters, pageSize(filters), cursor), signal);
      return { items: page.findings, nextCursor: page.nextCursor, page };
    },
    idOf: (finding) => finding.id,
  });
  const { setItems } = pages;
  const update = useCallback((f: FindingDto) => setItems((prev) => replaceFinding(prev, f)), [setItems]);
  return {
    findings: pages.items,
    status: pages.status,
    error: pages.error,
    hasMore: pages.hasMore,
    loadingMore: pages.loadingMore,
    loadMore: pages.loadMore,
    update,
  };
}
