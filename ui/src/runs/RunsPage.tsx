import { useMemo, useState } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { navigate, useLocation } from '../app/router';
import { useSession } from '../app/session';
import { runsHref } from '../lib/routes';
import { filtersFromSearch, filtersToSearch, hasFilters, type RunFilters } from '../lib/run-filters';
import { CaseExportBar } from './CaseExportBar';
import { RunFiltersForm } from './RunFiltersForm';
import { RunsTable } from './RunsTable';
import { useRunPages } from './use-run-pages';

export function RunsPage({ project }: { project: string }) {
  const { api } = useSession();
  const { search } = useLocation();
  const filters = useMemo(() => filtersFromSearch(new URLSearchParams(search)), [search]);
  const filtersKey = filtersToSearch(project, filters).toString();
  const pages = useRunPages(api, project, filters, filtersKey);

  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const select = (traceId: string, on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(traceId);
      else next.delete(traceId);
      return next;
    });
  const apply = (next: RunFilters) => navigate(runsHref(filtersToSearch(project, next)));

  return (
    <div className="runs-page">
      <RunFiltersForm key={filtersKey} filters={filters} onApply={apply} />
      {pages.error !== null && <ErrorBanner error={pages.error} />}
      <div className="table-meta muted" data-testid="runs-count">
        {pages.status === 'loading'
          ? 'Loading runs…'
          : `${pages.runs.length}${pages.hasMore ? '+' : ''} run${pages.runs.length === 1 ? '' : 's'}${hasFilters(filters) ? ' matching the filters' : ''} · times in UTC`}
      </div>
      <CaseExportBar project={project} traceIds={[...selected]} onClear={() => setSelected(new Set())} />
      {pages.status !== 'error' && (
        <RunsTable
          project={project}
          runs={pages.runs}
          loading={pages.status === 'loading'}
          selected={selected}
          onSelect={select}
        />
      )}
      {pages.hasMore && (
        <div className="load-more">
          <button type="button" data-testid="load-more" onClick={pages.loadMore} disabled={pages.loadingMore}>
            {pages.loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </div>
  );
}
