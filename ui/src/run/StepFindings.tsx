import type { FindingDto } from '@casefile/collector/api-schemas';
import { Link } from '../app/Link';
import { EvidenceExcerpt, SeverityBadge, StatusBadge } from '../findings/FindingParts';
import { FindingStatusActions } from '../findings/FindingStatusActions';
import { findingsHref } from '../lib/routes';

interface Props {
  project: string;
  findings: readonly FindingDto[];
  onChange: (updated: FindingDto) => void;
}

/** The selected step's findings, worst first: what was flagged, why, and the evidence. */
export function StepFindings({ project, findings, onChange }: Props) {
  if (findings.length === 0) return null;
  const ruleHref = (ruleId: string) => {
    const params = new URLSearchParams();
    if (project !== '') params.set('project', project);
    params.set('rule', ruleId);
    return findingsHref(params);
  };
  return (
    <section className="detail-section step-findings" data-testid="step-findings">
      <h3>
        Findings ({findings.length}) <span className="muted small">evidence is marked in the fields below</span>
      </h3>
      <ul className="finding-list">
        {findings.map((f) => (
          <li key={f.id} className={`finding-item sev-${f.severity}`} data-testid="step-finding" data-rule={f.ruleId}>
            <div className="finding-head">
              <SeverityBadge severity={f.severity} />{' '}
              <Link to={ruleHref(f.ruleId)} className="mono" data-testid="finding-rule">
                {f.ruleId}
              </Link>{' '}
              <StatusBadge status={f.status} />
              <FindingStatusActions project={project} finding={f} onChange={onChange} />
            </div>
            <p className="finding-reason" data-testid="finding-reason">
              {f.reason}
            </p>
            <EvidenceExcerpt finding={f} />
          </li>
        ))}
      </ul>
    </section>
  );
}
