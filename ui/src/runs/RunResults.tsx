import { useState } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { hasFilters, type RunFilters } from '../lib/run-filters';
import { CaseExportBar } from './CaseExportBar';
import { RunsTable } from './RunsTable';
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

  return (
    <>
      {pages.error !== null && <ErrorBanner error={pages.error} />}
      <div className="table-meta muted" data-testid="runs-count" data-settled={settled}>
        {!settled
          ? 'Loading runs…'
          : `${pages.runs.length}${pages.hasMore ? '+' : ''} run${pages.runs.length === 1 ? '' : 's'}${hasFilters(filters) ? ' matching the filters' : ''} · times in UTC`}
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
