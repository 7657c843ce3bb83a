import { useMemo } from 'react';
import { useLocation } from '../app/router';
import { filtersFromSearch, filtersToSearch, type RunFilters } from '../lib/run-filters';

/** The run filters held in the page URL (so reload, back and a shared link show the same runs). */
export function useUrlFilters(project: string): { filters: RunFilters; filtersKey: string } {
  const { search } = useLocation();
  const filters = useMemo(() => filtersFromSearch(new URLSearchParams(search)), [search]);
  return { filters, filtersKey: filtersToSearch(project, filters).toString() };
}
