import { useEffect, useRef, useState } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { navigate, useLocation, useSearchParams } from '../app/router';
import { hasFilters, type RunFilters } from '../lib/run-filters';
import { CaseExportBar } from './CaseExportBar';
import { RunsTable } from './RunsTable';
import { RUN_COLUMNS, type RunColumn, useRunColumns } from './run-columns';
import { formatSort, nextSort, parseSort, type RunSort, type SortKey } from './run-sort';
import { useRunPages } from './use-run-pages';

const SORT_WORDS: Record<SortKey, [string, string]> = {
  start: ['newest first', 'oldest first'],
  duration: ['longest first', 'shortest first'],
  tokens: ['most tokens first', 'fewest tokens first'],
  severity: ['worst findings first', 'fewest findings first'],
};

/** "111 runs matching the filters · showing the first 50 · longest first · times in UTC". */
export function runsCountText(
  shown: number,
  total: number | undefined,
  hasMore: boolean,
  filtered: boolean,
  sort: RunSort,
): string {
  const matching = filtered ? ' matching the filters' : '';
  const order = formatSort(sort) === null ? '' : ` · ${SORT_WORDS[sort.key][sort.descending ? 0 : 1]}`;
  const head =
    total !== undefined
      ? `${total} run${total === 1 ? '' : 's'}${matching}${hasMore ? ` · showing the first ${shown}` : ''}`
      : `${hasMore ? `First ${shown}` : shown} run${shown === 1 ? '' : 's'}${matching}${hasMore ? ' · more match' : ''}`;
  return `${head}${order} · times in UTC`;
}

function ColumnPicker({
  hidden,
  onChange,
}: {
  hidden: ReadonlySet<RunColumn>;
  onChange: (column: RunColumn, show: boolean) => void;
}) {
  // The menu lies over the table's headers: a click anywhere else closes it, as a menu would.
  const ref = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    const close = (e: PointerEvent) => {
      const el = ref.current;
      if (el?.open && !el.contains(e.target as Node)) el.open = false;
    };
    document.addEventListener('pointerdown', close);
    return () => document.removeEventListener('pointerdown', close);
  }, []);
  return (
    <details className="column-picker" data-testid="column-picker" ref={ref}>
      <summary>Columns{hidden.size > 0 ? ` (${hidden.size} hidden)` : ''}</summary>
      <div className="column-picker-menu">
        {RUN_COLUMNS.map((c) => (
          <label key={c.id}>
            <input
              type="checkbox"
              data-testid="column-toggle"
              data-column={c.id}
              checked={!hidden.has(c.id)}
              onChange={(e) => onChange(c.id, e.target.checked)}
            />{' '}
            {c.label}
          </label>
        ))}
      </div>
    </details>
  );
}

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
  const params = useSearchParams();
  const sort = parseSort(params.get('sort'));
  const pages = useRunPages(project, filters, filtersKey, formatSort(sort) ?? '');
  const columns = useRunColumns();
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
  const location = useLocation();
  const onSort = (key: SortKey) => {
    const next = new URLSearchParams(params);
    const value = formatSort(nextSort(sort, key));
    if (value === null) next.delete('sort');
    else next.set('sort', value);
    const query = next.toString();
    navigate(`${location.pathname}${query === '' ? '' : `?${query}`}`, { replace: true });
  };
  const countText = !settled
    ? 'Loading runs…'
    : runsCountText(pages.runs.length, pages.total, pages.hasMore, hasFilters(filters), sort);

  return (
    <>
      {pages.error !== null && <ErrorBanner error={pages.error} />}
      <div className="table-meta">
        <span className="muted" data-testid="runs-count" data-settled={settled}>
          {countText}
        </span>
        <ColumnPicker hidden={columns.hidden} onChange={columns.setShown} />
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
          hidden={columns.hidden}
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
