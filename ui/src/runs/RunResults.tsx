import { useState } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { navigate, useLocation, useSearchParams } from '../app/router';
import { hasFilters, type RunFilters } from '../lib/run-filters';
import { CaseExportBar } from './CaseExportBar';
import { RunsTable } from './RunsTable';
import { formatSort, nextSort, parseSort, type SortKey } from './run-sort';
import { useRunPages } from './use-run-pages';

interface Props {
  project: string;
  filters: RunFilters;
  /** `filtersToSearch(project, filters)` as a string: a new value starts over from the first page. */
  filtersKey: string;
}

/**
 * The runs matching one filter set, page by page, each row a link to its replay; runs can be
 * picked for a case file. Shared by the runs list and the search page.
 */
export function RunResults({ project, filters, filtersKey }: Props) {
  const pages = useRunPages(project, filters, filtersKey);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const select = (traceId: string, on: boolean) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (on) next.add(traceId);
      else next.delete(traceId);
      return next;
    });

  // The runs on screen are the server's current answer to the filters in the URL.
  const settled = pages.settled;
  const params = useSearchParams();
  const location = useLocation();
  const sort = parseSort(params.get('sort'));
  const onSort = (key: SortKey) => {
    const next = new URLSearchParams(params);
    const value = formatSort(nextSort(sort, key));
    if (value === null) next.delete('sort');
    else next.set('sort', value);
    const query = next.toString();
    navigate(`${location.pathname}${query === '' ? '' : `?${query}`}`, { replace: true });
  };
  const n = pages.runs.length;
  const countText = !settled
    ? 'Loading runs…'
    : `${pages.hasMore ? `First ${n}` : n} run${n === 1 ? '' : 's'}${hasFilters(filters) ? ' matching the filters' : ''}${
        pages.hasMore ? ' · more match: "Load more" below' : ''
      }${formatSort(sort) !== null ? ' · sorted among those loaded' : ''} · times in UTC`;

  return (
    <>
      {pages.error !== null && <ErrorBanner error={pages.error} />}
      <div className="table-meta muted" data-testid="runs-count" data-settled={settled}>
        {countText}
      </div>
      <CaseExportBar project={project} traceIds={[...selected]} onClear={() => setSelected(new Set())} />
      {pages.status !== 'error' && (
        <RunsTable
          project={project}
          runs={pages.runs}
          loading={!settled}
          selected={selected}
          onSelect={select}
          matches={pages.matches}
          sort={sort}
          onSort={onSort}
        />
      )}
      {pages.hasMore && (
        <div className="load-more">
          <button type="button" data-testid="load-more" onClick={pages.loadMore} disabled={pages.loadingMore}>
            {pages.loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </>
  );
}
