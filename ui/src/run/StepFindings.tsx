import type { FindingDto } from '@casefile/contract';
import { Link } from '../app/Link';
import { countedValues } from '../findings/evidence-highlight';
import { EvidenceExcerpt, SeverityBadge, StatusBadge } from '../findings/FindingParts';
import { FindingStatusActions } from '../findings/FindingStatusActions';
import { ruleInfo } from '../findings/rule-info';
import type { UiStep } from '../lib/model';
import { findingsHref } from '../lib/routes';

interface Props {
  project: string;
  findings: readonly FindingDto[];
  steps: readonly UiStep[];
  stepHref: (spanId: string) => string;
}

/** A finding's details: facts the rule recorded, with steps it names (`approvalSpanId`, …) as links. */
function Details({ details, steps, stepHref }: Pick<Props, 'steps' | 'stepHref'> & { details: FindingDto['details'] }) {
  const entries = Object.entries(details ?? {});
  if (entries.length === 0) return null;
  return (
    <dl className="finding-details small" data-testid="finding-details">
      {entries.map(([key, value]) => {
        const linked = /SpanId$/.test(key) ? steps.find((s) => s.spanId === value) : undefined;
        return (
          <div key={key}>
            <dt>{linked === undefined ? key : `${key.replace(/SpanId$/, '')} step`}</dt>
            <dd className="mono">
              {linked === undefined ? (
                key === 'values' ? (
                  countedValues({ details: { values: value } }).join(' · ') || String(value)
                ) : (
                  String(value)
                )
              ) : (
                <Link to={stepHref(linked.spanId)} replace data-testid="finding-related-step">
                  {linked.name || linked.spanId}
                </Link>
              )}
            </dd>
          </div>
        );
      })}
    </dl>
  );
}

/** The selected step's findings, worst first: what was flagged, why, and the evidence. */
export function StepFindings({ project, findings, steps, stepHref }: Props) {
  if (findings.length === 0) return null;
  const listHref = (key: 'rule' | 'run', value: string) => {
    const params = new URLSearchParams();
    if (project !== '') params.set('project', project);
    params.set(key, value);
    return findingsHref(params);
  };
  return (
    <section className="detail-section step-findings" data-testid="step-findings">
      <h3>
        Findings ({findings.length}) <span className="muted small">evidence is marked in the fields below · </span>
        <Link to={listHref('run', findings[0]!.traceId)} className="small" data-testid="run-findings-link">
          all findings of this run
        </Link>
      </h3>
      <ul className="finding-list">
        {findings.map((f) => (
          <li key={f.id} className={`finding-item sev-${f.severity}`} data-testid="step-finding" data-rule={f.ruleId}>
            <div className="finding-head">
              <SeverityBadge severity={f.severity} />{' '}
              <Link
                to={listHref('rule', f.ruleId)}
                className="mono"
                data-testid="finding-rule"
                title={ruleInfo(f.ruleId)}
              >
                {f.ruleId}
              </Link>{' '}
              <StatusBadge status={f.status} />
              <FindingStatusActions project={project} finding={f} />
            </div>
            <p className="finding-reason" data-testid="finding-reason">
              {f.reason}
            </p>
            <EvidenceExcerpt finding={f} />
            <Details details={f.details} steps={steps} stepHref={stepHref} />
          </li>
        ))}
      </ul>
    </section>
  );
}
