import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { Link } from '../app/Link';
import { PageHeading, useDocumentTitle } from '../app/PageHeading';
import { navigate, useSearchParams } from '../app/router';
import { useSession } from '../app/session';
import { findingFoldQuery, findingPagesQuery, findingSampleQuery } from '../data/queries';
import { useCursorList } from '../data/use-cursor-list';
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
  pageSize,
  withFilter,
} from './findings-filters';
import { foldsLow, orderParams, parseOrder } from './findings-order';

/** How many of the newest matching findings the counts cover (the API's largest page). */
const COUNT_SAMPLE = 500;

export function FindingsPage({ project }: { project: string }) {
  const { api, user } = useSession();
  const params = useSearchParams();
  const filters = findingFiltersFromSearch(params);
  const order = parseOrder(params.get('order'));
  const [showLow, setShowLow] = useState(false);
  const filtersKey = findingFiltersToSearch(project, filters).toString();
  // The real number of low findings (and of worse ones) that match, counted by the server.
  const foldCounts = useQuery({
    ...findingFoldQuery(api, project, filtersKey, findingsApiQuery(project, filters, 1)),
    enabled: filters.severity === '',
  });
  const fold = foldsLow(showLow, filters.severity, foldCounts.data);
  const extra = orderParams(order, fold);
  const pages = useCursorList(
    findingPagesQuery(api, project, `${filtersKey}&${new URLSearchParams(extra)}`, (cursor) => {
      const q = findingsApiQuery(project, filters, pageSize(filters), cursor);
      for (const [k, v] of Object.entries(extra)) q.set(k, v);
      return q;
    }),
    (page) => page.findings,
    (finding) => finding.id,
  );
  // Re-counted after every status change (the change invalidates it).
  const sample = useQuery(
    findingSampleQuery(api, project, filtersKey, findingsApiQuery(project, filters, COUNT_SAMPLE)),
  );
  const counts = useMemo(
    () =>
      sample.data === undefined
        ? undefined
        : { counts: countFindings(sample.data.findings), truncated: sample.data.nextCursor !== undefined },
    [sample.data],
  );

  const apply = (next: FindingFilters) => {
    const q = findingFiltersToSearch(project, next);
    if (order === 'time') q.set('order', 'time');
    navigate(findingsHref(q));
  };
  const filterOn = (key: FindingFilterKey, value: string) => apply(withFilter(filters, key, value));
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
  useDocumentTitle('Findings');
  const ruleIds = counts === undefined ? [] : counts.counts.byRule.map((r) => r.ruleId);
  const loaded = pages.items;
  const findings = loaded;
  const foldedLow = fold ? (foldCounts.data?.low ?? 0) : 0;
  const setOrder = (next: 'severity' | 'time') => {
    const q = findingFiltersToSearch(project, filters);
    if (next === 'time') q.set('order', 'time');
    navigate(findingsHref(q), { replace: true });
  };

  return (
    <div className="findings-page" data-testid="findings-page">
      <div className="page-head">
        <PageHeading>Findings</PageHeading>
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
      {counts !== undefined && (
        <FindingsCounts counts={counts.counts} truncated={counts.truncated} filters={filters} onFilter={filterOn} />
      )}
      {pages.error !== null && <ErrorBanner error={pages.error} />}
      {pages.status === 'loading' && <div className="page-status">Loading findings…</div>}
      {loaded.length > 0 && (
        <div className="findings-order small" data-testid="findings-order">
          <span className="muted">Order:</span>{' '}
          <button
            type="button"
            className={`link-button${order === 'severity' ? ' strong' : ''}`}
            aria-pressed={order === 'severity'}
            data-testid="order-severity"
            onClick={() => setOrder('severity')}
          >
            worst first
          </button>{' '}
          ·{' '}
          <button
            type="button"
            className={`link-button${order === 'time' ? ' strong' : ''}`}
            aria-pressed={order === 'time'}
            data-testid="order-time"
            onClick={() => setOrder('time')}
          >
            newest first
          </button>
        </div>
      )}
      {pages.status === 'ready' && loaded.length === 0 && (
        <div className="page-status" data-testid="findings-empty">
          {hasFindingFilters(filters)
            ? 'No finding matches these filters.'
            : 'No findings yet: detection runs on each run a moment after its last span arrives.'}
        </div>
      )}
      {triage && (
        <FindingsBulkBar
          project={project}
          findings={findings}
          selected={selected}
          onClear={() => setSelected(new Set())}
        />
      )}
      {findings.length > 0 && (
        <FindingsTable
          project={project}
          findings={findings}
          isAdmin={user.role === 'admin'}
          onFilter={filterOn}
          selectable={triage}
          selected={selected}
          onSelect={select}
        />
      )}
      {foldedLow > 0 && (
        <div className="folded-low">
          <button type="button" className="link-button" data-testid="show-low" onClick={() => setShowLow(true)}>
            {foldedLow} low · show
          </button>{' '}
          <span className="muted small">hygiene notes (a model alias, a first-seen version), folded</span>
        </div>
      )}
      {showLow && filters.severity === '' && (foldCounts.data?.low ?? 0) > 0 && (foldCounts.data?.above ?? 0) > 0 && (
        <div className="folded-low">
          <button type="button" className="link-button" data-testid="hide-low" onClick={() => setShowLow(false)}>
            fold low findings
          </button>
        </div>
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
