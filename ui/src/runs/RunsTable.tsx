import { runTitle } from '@casefile/contract';
import { Link } from '../app/Link';
import { navigate } from '../app/router';
import type { UiRunSummary } from '../lib/model';
import { durationNs, formatDuration, formatTimestampParts } from '../lib/nanos';
import { findingsHref, runHref } from '../lib/routes';
import { matchPlace, type TextMatch } from '../lib/text-match';
import '../findings/findings.css';
import { RUN_COLUMNS, type RunColumn } from './run-columns';
import type { RunSort, SortKey } from './run-sort';

interface Props {
  project: string;
  runs: UiRunSummary[];
  loading: boolean;
  /** Runs picked for a case file; no checkbox column when absent. */
  selected?: ReadonlySet<string>;
  onSelect?: (traceId: string, on: boolean) => void;
  /** With a free-text filter: where each run matched; shown under the run with a link to that step. */
  matches?: ReadonlyMap<string, TextMatch>;
  /** The order the server listed `runs` in, shown on the headers; absent: no sortable headers. */
  sort?: RunSort;
  onSort?: (key: SortKey) => void;
  /** Optional columns the user hid. */
  hidden?: ReadonlySet<RunColumn>;
}

function List({ items, max = 2 }: { items: string[]; max?: number }) {
  // Trace values may repeat; a set also gives stable unique keys.
  const unique = [...new Set(items)];
  if (unique.length === 0) return <span className="muted">—</span>;
  const shown = unique.slice(0, max);
  return (
    <span className="chips" title={unique.join(', ')}>
      {shown.map((t) => (
        <span key={t} className="chip mono">
          {t}
        </span>
      ))}
      {unique.length > max && <span className="muted">+{unique.length - max}</span>}
    </span>
  );
}

function SortHeader({
  label,
  sortKey,
  sort,
  onSort,
  className,
  title,
}: {
  label: string;
  sortKey: SortKey;
  sort: RunSort | undefined;
  onSort: ((key: SortKey) => void) | undefined;
  className?: string;
  title: string;
}) {
  if (sort === undefined || onSort === undefined) return <th className={className}>{label}</th>;
  const active = sort.key === sortKey;
  return (
    <th className={className} aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}>
      <button
        type="button"
        className={`sort-button${active ? ' active' : ''}`}
        data-testid={`sort-${sortKey}`}
        title={title}
        onClick={() => onSort(sortKey)}
      >
        {label}
        <span className="sort-arrow" aria-hidden="true">
          {active ? (sort.descending ? ' ▼' : ' ▲') : ' ↕'}
        </span>
      </button>
    </th>
  );
}

export function RunsTable({ project, runs, loading, selected, onSelect, matches, sort, onSort, hidden }: Props) {
  const selectable = selected !== undefined && onSelect !== undefined;
  const show = (column: RunColumn) => hidden === undefined || !hidden.has(column);
  const columns = (selectable ? 3 : 2) + RUN_COLUMNS.filter((c) => show(c.id)).length;
  return (
    <div className="table-wrap">
      <table className="grid runs-table" data-testid="runs-table">
        <thead>
          <tr>
            {selectable && <th aria-label="Select" />}
            <SortHeader label="Start (UTC)" sortKey="start" sort={sort} onSort={onSort} title="Sort by start time" />
            <th>Run</th>
            {show('status') && <th>Status</th>}
            {show('steps') && <th className="num">Steps</th>}
            {show('tools') && <th>Tools</th>}
            {show('versions') && <th>Prompt · policy · model</th>}
            {show('tokens') && (
              <SortHeader
                label="Tokens"
                sortKey="tokens"
                sort={sort}
                onSort={onSort}
                className="num"
                title="Sort all matching runs by tokens (in + out)"
              />
            )}
            {show('duration') && (
              <SortHeader
                label="Duration"
                sortKey="duration"
                sort={sort}
                onSort={onSort}
                className="num"
                title="Sort all matching runs by duration"
              />
            )}
            {show('findings') && (
              <SortHeader
                label="Findings"
                sortKey="severity"
                sort={sort}
                onSort={onSort}
                className="num"
                title="Sort all matching runs by worst open finding, then count"
              />
            )}
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => {
            const href = runHref(project, r.traceId);
            const match = matches?.get(r.traceId);
            const title = runTitle(r);
            const agent = r.agentName || r.serviceName;
            return (
              <tr
                key={r.traceId}
                data-testid="run-row"
                data-trace-id={r.traceId}
                data-severity={r.worstSeverity || undefined}
                className={`clickable${r.status === 'error' ? ' row-error' : ''}${r.worstSeverity !== '' ? ` row-sev sev-${r.worstSeverity}` : ''}`}
                onClick={(e) => {
                  // Let the inner link handle its own (possibly modified) clicks.
                  if ((e.target as HTMLElement).closest('a,input,label') === null) navigate(href);
                }}
              >
                {selectable && (
                  <td>
                    <input
                      type="checkbox"
                      data-testid="run-select"
                      aria-label={`Select run ${title}`}
                      checked={selected.has(r.traceId)}
                      onChange={(e) => onSelect(r.traceId, e.target.checked)}
                    />
                  </td>
                )}
                <td className="mono nowrap">
                  <div>{formatTimestampParts(r.startNs).time}</div>
                  <div className="muted small">{formatTimestampParts(r.startNs).date}</div>
                </td>
                <td className="run-name">
                  <div className="run-title-line">
                    <Link to={href} className="row-link truncate" title={title} data-testid="run-title">
                      {title}
                    </Link>
                    {/* Low findings are hygiene notes nearly every run has; a badge for them would hide the bad run. */}
                    {r.worstSeverity !== '' && r.worstSeverity !== 'low' && (
                      <span
                        className={`badge sev sev-${r.worstSeverity}`}
                        data-testid="run-severity"
                        title={`Worst open finding: ${r.worstSeverity}`}
                      >
                        {r.worstSeverity}
                      </span>
                    )}
                  </div>
                  <div className="muted small truncate" title={r.runInput || r.traceId}>
                    <span className="strong">{agent || '—'}</span>
                    {r.agentVersion !== '' && <span className="mono"> {r.agentVersion}</span>}
                    {' · '}
                    <span className="mono">{r.runInput !== '' ? r.runInput : r.traceId}</span>
                  </div>
                  {match !== undefined && (
                    <Link
                      to={runHref(project, r.traceId, match.spanId)}
                      className="text-match small"
                      data-testid="text-match"
                      data-field={match.field}
                    >
                      matched in {matchPlace(match)}
                    </Link>
                  )}
                </td>
                {show('status') && (
                  <td>
                    <span className={`badge status-${r.status}`}>{r.status}</span>
                  </td>
                )}
                {show('steps') && (
                  <td className="num mono">
                    {r.stepCount}
                    {r.errorCount > 0 && <div className="err-count small">{r.errorCount} err</div>}
                  </td>
                )}
                {show('tools') && (
                  <td>
                    <List items={r.toolNames} />
                  </td>
                )}
                {show('versions') && (
                  <td className="mono small versions">
                    <div
                      className="truncate narrow"
                      title={`prompt version ${r.promptVersion} · policy version ${r.policyVersion}`}
                    >
                      {r.promptVersion || '—'} · <span className="muted">{r.policyVersion || '—'}</span>
                    </div>
                    <div className="muted truncate narrow" title={r.models.join(', ')}>
                      {r.models.length === 0 ? '—' : r.models.join(', ')}
                    </div>
                  </td>
                )}
                {show('tokens') && (
                  <td className="num mono nowrap" title="tokens in / out">
                    <div>{(r.inputTokens + r.outputTokens).toLocaleString('en-US')}</div>
                    <div className="muted small">
                      {r.inputTokens.toLocaleString('en-US')} / {r.outputTokens.toLocaleString('en-US')}
                    </div>
                  </td>
                )}
                {show('duration') && (
                  <td className="num mono nowrap">{formatDuration(durationNs(r.startNs, r.endNs))}</td>
                )}
                {show('findings') && (
                  <td className="num">
                    {r.findingCount > 0 ? (
                      <Link
                        to={findingsHref(
                          new URLSearchParams(project === '' ? { run: r.traceId } : { project, run: r.traceId }),
                        )}
                        className={`badge findings sev sev-${r.worstSeverity || 'medium'}`}
                        data-testid="run-findings-count"
                        title="Open findings of medium severity or above; click for this run's findings"
                      >
                        {r.findingCount}
                      </Link>
                    ) : (
                      <span className="muted">0</span>
                    )}
                  </td>
                )}
              </tr>
            );
          })}
          {!loading && runs.length === 0 && (
            <tr>
              <td colSpan={columns} className="empty" data-testid="runs-empty">
                No runs match. Widen the time range or clear a filter.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
