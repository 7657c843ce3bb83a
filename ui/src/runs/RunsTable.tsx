import { Link } from '../app/Link';
import { navigate } from '../app/router';
import type { UiRunSummary } from '../lib/model';
import { durationNs, formatDuration, formatTimestampParts } from '../lib/nanos';
import { findingsHref, runHref } from '../lib/routes';
import { matchLabel, type TextMatch } from '../lib/text-match';

interface Props {
  project: string;
  runs: UiRunSummary[];
  loading: boolean;
  /** Runs picked for a case file; no checkbox column when absent. */
  selected?: ReadonlySet<string>;
  onSelect?: (traceId: string, on: boolean) => void;
  /** With a free-text filter: where each run matched; shown under the run with a link to that step. */
  matches?: ReadonlyMap<string, TextMatch>;
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

export function RunsTable({ project, runs, loading, selected, onSelect, matches }: Props) {
  const selectable = selected !== undefined && onSelect !== undefined;
  return (
    <div className="table-wrap">
      <table className="grid runs-table" data-testid="runs-table">
        <thead>
          <tr>
            {selectable && <th aria-label="Select" />}
            <th>Start (UTC)</th>
            <th>Agent</th>
            <th>Run</th>
            <th>Status</th>
            <th className="num">Steps</th>
            <th>Tools</th>
            <th>Prompt / policy</th>
            <th>Models</th>
            <th className="num">Tokens in / out</th>
            <th className="num">Duration</th>
            <th className="num">Findings</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((r) => {
            const href = runHref(project, r.traceId);
            const match = matches?.get(r.traceId);
            return (
              <tr
                key={r.traceId}
                data-testid="run-row"
                data-trace-id={r.traceId}
                className={`clickable${r.status === 'error' ? ' row-error' : ''}`}
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
                      aria-label={`Select run ${r.traceId}`}
                      checked={selected.has(r.traceId)}
                      onChange={(e) => onSelect(r.traceId, e.target.checked)}
                    />
                  </td>
                )}
                <td className="mono nowrap">
                  <div>{formatTimestampParts(r.startNs).time}</div>
                  <div className="muted small">{formatTimestampParts(r.startNs).date}</div>
                </td>
                <td>
                  <div className="strong truncate narrow" title={r.agentName || r.serviceName}>
                    {r.agentName || r.serviceName || '—'}
                  </div>
                  {r.agentVersion !== '' && <div className="muted mono small">{r.agentVersion}</div>}
                </td>
                <td className="run-name">
                  <Link to={href} className="row-link truncate block" title={r.name}>
                    {r.name || '(unnamed)'}
                  </Link>
                  <div className="muted mono small truncate" title={r.runInput}>
                    {r.runInput !== '' ? r.runInput : r.traceId}
                  </div>
                  {match !== undefined && (
                    <Link
                      to={runHref(project, r.traceId, match.spanId)}
                      className="text-match small"
                      data-testid="text-match"
                      data-field={match.field}
                    >
                      matched in {matchLabel(match.field)}
                    </Link>
                  )}
                </td>
                <td>
                  <span className={`badge status-${r.status}`}>{r.status}</span>
                </td>
                <td className="num mono">
                  {r.stepCount}
                  {r.errorCount > 0 && <span className="err-count"> ({r.errorCount} err)</span>}
                </td>
                <td>
                  <List items={r.toolNames} />
                </td>
                <td className="mono small">
                  <div className="truncate narrow" title={`prompt version ${r.promptVersion}`}>
                    {r.promptVersion || '—'}
                  </div>
                  <div className="muted truncate narrow" title={`policy version ${r.policyVersion}`}>
                    {r.policyVersion || '—'}
                  </div>
                </td>
                <td className="models">
                  <List items={r.models} max={1} />
                </td>
                <td className="num mono nowrap">
                  {r.inputTokens.toLocaleString('en-US')} / {r.outputTokens.toLocaleString('en-US')}
                </td>
                <td className="num mono nowrap">{formatDuration(durationNs(r.startNs, r.endNs))}</td>
                <td className="num">
                  {r.findingCount > 0 ? (
                    <Link
                      to={findingsHref(
                        new URLSearchParams(project === '' ? { run: r.traceId } : { project, run: r.traceId }),
                      )}
                      className="badge findings"
                      data-testid="run-findings-count"
                      title="This run's findings"
                    >
                      {r.findingCount}
                    </Link>
                  ) : (
                    <span className="muted">0</span>
                  )}
                </td>
              </tr>
            );
          })}
          {!loading && runs.length === 0 && (
            <tr>
              <td colSpan={selectable ? 12 : 11} className="empty" data-testid="runs-empty">
                No runs match. Widen the time range or clear a filter.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
