import { useMemo } from 'react';
import type { AuditEntry } from '../lib/findings-api';
import { formatTimestampExact, parseNanos } from '../lib/nanos';
import { describeAudit } from './audit-describe';

/** Who changed detection, what and when (newest first): settings saves and finding status changes. */
export function AuditLog({ entries }: { entries: readonly AuditEntry[] }) {
  const described = useMemo(() => describeAudit(entries), [entries]);
  return (
    <section className="settings-section" data-testid="detection-audit">
      <h2>Audit log</h2>
      {entries.length === 0 ? (
        <p className="muted small">Nothing changed yet.</p>
      ) : (
        <table className="grid compact audit-table">
          <thead>
            <tr>
              <th>Time (UTC)</th>
              <th>Who</th>
              <th>Action</th>
              <th>What changed</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e, i) => (
              // The log has no IDs; entries are listed in the server's order.
              // biome-ignore lint/suspicious/noArrayIndexKey: see above.
              <tr key={i} data-testid="audit-entry" data-action={e.action}>
                <td className="mono nowrap small">{formatTimestampExact(parseNanos(e.timeNs))}</td>
                <td>{e.actor}</td>
                <td className="mono small">{e.action}</td>
                <td>
                  <ul className="audit-changes">
                    {(described[i] ?? []).map((line) => (
                      <li key={line}>{line}</li>
                    ))}
                  </ul>
                  <details className="small">
                    <summary className="muted">raw</summary>
                    <pre className="payload wrap">{e.detail}</pre>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
