import type { FindingCounts } from './finding-summary';
import type { FindingFilterKey, FindingFilters } from './findings-filters';

interface Props {
  counts: FindingCounts;
  /** The counts cover only the newest `sample` findings that match. */
  truncated: boolean;
  filters: FindingFilters;
  onFilter: (key: FindingFilterKey, value: string) => void;
}

/** Counts per severity, status and rule over the matching findings; a click filters on that value. */
export function FindingsCounts({ counts, truncated, filters, onFilter }: Props) {
  const chip = (key: FindingFilterKey, value: string, label: string, count: number, cls: string, testId: string) => (
    <button
      key={`${key}:${value}`}
      type="button"
      className={`count-chip ${cls}${filters[key] === value ? ' active' : ''}`}
      aria-pressed={filters[key] === value}
      onClick={() => onFilter(key, value)}
      data-testid={testId}
      data-value={value}
    >
      <span className="count-label">{label}</span> <span className="count-num">{count}</span>
    </button>
  );
  return (
    <section className="finding-counts" data-testid="finding-counts" aria-label="Counts">
      <div className="count-group">
        <span className="muted small">
          {truncated ? `newest ${counts.total}` : counts.total} finding{counts.total === 1 ? '' : 's'}
        </span>
        {counts.bySeverity.map((s) =>
          chip('severity', s.severity, s.severity, s.count, `sev sev-${s.severity}`, 'count-severity'),
        )}
      </div>
      <div className="count-group">
        {chip('status', 'open', 'open', counts.byStatus.open, 'fstatus-open', 'count-status')}
        {chip('status', 'expected', 'expected', counts.byStatus.expected, 'fstatus-expected', 'count-status')}
        {chip('status', 'muted', 'muted', counts.byStatus.muted, 'fstatus-muted', 'count-status')}
      </div>
      <div className="count-group rules">
        {counts.byRule.map((r) => chip('rule', r.ruleId, r.ruleId, r.count, `mono sev-${r.worst}`, 'count-rule'))}
      </div>
    </section>
  );
}
