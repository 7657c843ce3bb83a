/** Small views of one finding, shared by the findings list and the run page. Text only. */
import type { FindingDto } from '@casefile/contract';
import { evidenceSegments } from './evidence-highlight';
import './findings.css';

export function SeverityBadge({ severity }: { severity: FindingDto['severity'] }) {
  return (
    <span className={`badge sev sev-${severity}`} data-testid="finding-severity">
      {severity}
    </span>
  );
}

export function StatusBadge({ status }: { status: FindingDto['status'] }) {
  return (
    <span className={`badge fstatus fstatus-${status}`} data-testid="finding-status">
      {status}
    </span>
  );
}

/** The redacted excerpt the detector kept, with the offending part marked. */
export function EvidenceExcerpt({ finding }: { finding: FindingDto }) {
  const parts = evidenceSegments(finding);
  if (parts.length === 0) return <span className="muted small">no excerpt</span>;
  return (
    <code className="evidence" data-testid="finding-evidence">
      {parts.map((p, i) =>
        p.marked ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: positional segments.
          <mark key={i}>{p.text}</mark>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: positional segments.
          <span key={i}>{p.text}</span>
        ),
      )}
    </code>
  );
}
