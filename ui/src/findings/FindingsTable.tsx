import type { FindingDto } from '@casefile/contract';
import { Link } from '../app/Link';
import { formatTimestampParts, parseNanos } from '../lib/nanos';
import { findingsSettingsHref, runHref } from '../lib/routes';
import { EvidenceExcerpt, SeverityBadge, StatusBadge } from './FindingParts';
import { FindingStatusActions } from './FindingStatusActions';
import type { FindingFilterKey } from './findings-filters';
import { ruleInfo } from './rule-info';

interface Props {
  project: string;
  findings: readonly FindingDto[];
  /** Admins get a "mute for this tool" link to the settings. */
  isAdmin: boolean;
  /** A click on a cell value narrows the list to it. */
  onFilter: (key: FindingFilterKey, value: string) => void;
  /** Tick boxes for bulk triage (investigators and admins). */
  selectable: boolean;
  selected: ReadonlySet<string>;
  onSelect: (ids: readonly string[], checked: boolean) => void;
}

function FilterButton({
  label,
  onClick,
  mono,
  title,
}: {
  label: string;
  onClick: () => void;
  mono?: boolean;
  title?: string;
}) {
  return (
    <button
      type="button"
      className={`link-button cell-filter${mono ? ' mono' : ''}`}
      onClick={onClick}
      title={title ?? 'Filter on this value'}
    >
      {label}
    </button>
  );
}

/** One row per finding: what, why, the evidence, where (link to the replay at that step), and triage. */
export function FindingsTable({ project, findings, isAdmin, onFilter, selectable, selected, onSelect }: Props) {
  const allTicked = findings.length > 0 && findings.every((f) => selected.has(f.id));
  return (
    <table className="grid findings-table" data-testid="findings-table">
      <thead>
        <tr>
          {selectable && (
            <th>
              <input
                type="checkbox"
                aria-label="Select all loaded findings"
                data-testid="finding-select-all"
                checked={allTicked}
                onChange={(e) =>
                  onSelect(
                    findings.map((f) => f.id),
                    e.target.checked,
                  )
                }
              />
            </th>
          )}
          <th>Severity</th>
          <th>Rule and reason</th>
          <th>Evidence (redacted)</th>
          <th>Agent / tool</th>
          <th>Detected (UTC)</th>
          <th>Step</th>
          <th>Status</th>
        </tr>
      </thead>
      <tbody>
        {findings.map((f) => {
          const when = formatTimestampParts(parseNanos(f.createdNs));
          return (
            <tr
              key={f.id}
              data-testid="finding-row"
              data-finding-id={f.id}
              data-rule={f.ruleId}
              data-trace-id={f.traceId}
              data-status={f.status}
              className={`sev-row sev-${f.severity}${f.status === 'open' ? '' : ' closed'}`}
            >
              {selectable && (
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Select finding ${f.ruleId}`}
                    data-testid="finding-select"
                    checked={selected.has(f.id)}
                    onChange={(e) => onSelect([f.id], e.target.checked)}
                  />
                </td>
              )}
              <td>
                <SeverityBadge severity={f.severity} />
              </td>
              <td className="finding-what">
                <FilterButton
                  label={f.ruleId}
                  mono
                  onClick={() => onFilter('rule', f.ruleId)}
                  title={`${ruleInfo(f.ruleId)} (click to filter)`}
                />
                <div className="finding-reason" data-testid="finding-reason">
                  {f.reason}
                </div>
              </td>
              <td className="finding-evidence-cell">
                <EvidenceExcerpt finding={f} />
              </td>
              <td className="small">
                {f.agentName !== '' && (
                  <FilterButton label={f.agentName} onClick={() => onFilter('agent', f.agentName)} />
                )}
                {f.toolName !== '' && (
                  <div>
                    <FilterButton label={f.toolName} mono onClick={() => onFilter('tool', f.toolName)} />
                  </div>
                )}
              </td>
              <td className="mono nowrap small">
                <div>{when.time}</div>
                <div className="muted">{when.date}</div>
              </td>
              <td className="nowrap small">
                <Link to={runHref(project, f.traceId, f.spanId)} data-testid="finding-replay">
                  Replay at step →
                </Link>
                <div>
                  <FilterButton label={`${f.traceId.slice(0, 8)}…`} mono onClick={() => onFilter('run', f.traceId)} />
                </div>
              </td>
              <td className="finding-triage">
                <StatusBadge status={f.status} />
                <FindingStatusActions project={project} finding={f} />
                {isAdmin && (
                  <Link
                    to={findingsSettingsHref(project, { rule: f.ruleId, tool: f.toolName, agent: '' })}
                    className="small block"
                    data-testid="tune-rule"
                    title="Mute or re-grade this rule in the detection settings"
                  >
                    tune rule…
                  </Link>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
