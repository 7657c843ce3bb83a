import type { FindingDto } from '@casefile/contract';
import { useCallback, useEffect, useState } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { Link } from '../app/Link';
import { navigate, useSearchParams } from '../app/router';
import { useSession } from '../app/session';
import { useAsync } from '../app/use-async';
import { findingsHref, findingsSettingsHref } from '../lib/routes';
import { canTriage } from './FindingStatusActions';
import { FindingsBulkBar } from './FindingsBulkBar';
import { FindingsCounts } from './FindingsCounts';
import { FindingsFiltersForm } from './FindingsFiltersForm';
import { FindingsTable } from './FindingsTable';
import { countFindings } from './finding-summary';
import {
  type FindingFilterKey,
  type FindingFilters,
  findingFiltersFromSearch,
  findingFiltersToSearch,
  findingsApiQuery,
  hasFindingFilters,
  withFilter,
} from './findings-filters';
import { useFindingPages } from './use-finding-pages';

/** How many of the newest matching findings the counts cover (the API's largest page). */
const COUNT_SAMPLE = 500;

export function FindingsPage({ project }: { project: string }) {
  const { api, user } = useSession();
  const filters = findingFiltersFromSearch(useSearchParams());
  const filtersKey = findingFiltersToSearch(project, filters).toString();
  const pages = useFindingPages(api, project, filters, filtersKey);
  // Re-count after a status change made here.
  const [changes, setChanges] = useState(0);
  const counts = useAsync(
    async (signal) => {
      const page = await api.findings.list(findingsApiQuery(project, filters, COUNT_SAMPLE), signal);
      return { counts: countFindings(page.findings), truncated: page.nextCursor !== undefined };
    },
    [api, filtersKey, changes],
  );

  const apply = (next: FindingFilters) => navigate(findingsHref(findingFiltersToSearch(project, next)));
  const filterOn = (key: FindingFilterKey, value: string) => apply(withFilter(filters, key, value));
  const { update } = pages;
  const onChange = useCallback(
    (f: FindingDto) => {
      update(f);
      setChanges((n) => n + 1);
    },
    [update],
  );
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  // A new filter set is a new list: a selection made on the old one does not carry over.
  // biome-ignore lint/correctness/useExhaustiveDependencies: clearing is the point of the effect.
  useEffect(() => setSelected(new Set()), [filtersKey]);
  const select = useCallback((ids: readonly string[], checked: boolean) => {
    setSelected((prev) => {
      const next = new Set(prev);
      for (const id of ids) {
        if (checked) next.add(id);
        else next.delete(id);
      }
      return next;
    });
  }, []);
  const triage = canTriage(user.role);
  const ruleIds = counts.status === 'ok' ? counts.data.counts.byRule.map((r) => r.ruleId) : [];

  return (
    <div className="findings-page" data-testid="findings-page">
      <div className="page-head">
        <h1>Findings</h1>
        <span className="muted small">
          what detection flagged at ingest; open a finding's step to see the evidence in the replay
        </span>
        <div className="spacer" />
        {user.role === 'admin' && (
          <Link to={findingsSettingsHref(project)} data-testid="detection-settings-link">
            Detection settings & audit log →
          </Link>
        )}
      </div>
      <FindingsFiltersForm key={filtersKey} filters={filters} ruleIds={ruleIds} onApply={apply} />
      {counts.status === 'ok' && (
        <FindingsCounts
          counts={counts.data.counts}
          truncated={counts.data.truncated}
          filters={filters}
          onFilter={filterOn}
        />
      )}
      {pages.error !== null && <ErrorBanner error={pages.error} />}
      {pages.status === 'loading' && <div className="page-status">Loading findings…</div>}
      {pages.status === 'ready' && pages.findings.length === 0 && (
        <div className="page-status" data-testid="findings-empty">
          {hasFindingFilters(filters)
            ? 'No finding matches these filters.'
            : 'No findings yet: detection runs on each run a moment after its last span arrives.'}
        </div>
      )}
      {triage && (
        <FindingsBulkBar
          project={project}
          findings={pages.findings}
          selected={selected}
          onChange={onChange}
          onClear={() => setSelected(new Set())}
        />
      )}
      {pages.findings.length > 0 && (
        <FindingsTable
          project={project}
          findings={pages.findings}
          isAdmin={user.role === 'admin'}
          onChange={onChange}
          onFilter={filterOn}
          selectable={triage}
          selected={selected}
          onSelect={select}
        />
      )}
      {pages.hasMore && (
        <div className="load-more">
          <button type="button" onClick={pages.loadMore} disabled={pages.loadingMore} data-testid="findings-load-more">
            {pages.loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </div>
  );
}
