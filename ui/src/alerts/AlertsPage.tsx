import { ErrorBanner } from '../app/ErrorBanner';
import { Link } from '../app/Link';
import { useSession } from '../app/session';
import { formatTimestamp, parseNanos } from '../lib/nanos';
import { alertRuleHref } from '../lib/routes';
import { AlertHistory, StateBadge } from './AlertHistory';
import { formatMs, referenceText, ruleMetrics, ruleScope } from './alert-view';
import { usePolled } from './use-polled';
import './alerts.css';

const POLL_MS = 3_000;

/** `/alerts`: every rule with its live state, and the history of all of them. */
export function AlertsPage({ project }: { project: string }) {
  const { api, user } = useSession();
  const rules = usePolled((signal) => api.listAlertRules(project, signal), [api, project], POLL_MS);
  return (
    <div className="alerts-page" data-testid="alerts-page">
      <div className="page-head">
        <h1>Alert rules</h1>
        {/* Rules send data to outside URLs, so only admins write them (the API enforces it too). */}
        {user.role === 'admin' && (
          <Link to={alertRuleHref(project, 'new')} className="button primary" data-testid="new-rule">
            New rule
          </Link>
        )}
      </div>
      {rules.status === 'loading' && <div className="page-status">Loading rules…</div>}
      {rules.status === 'error' && <ErrorBanner error={rules.error} />}
      {rules.status === 'ok' && (
        <>
          {rules.data.length === 0 ? (
            <div className="page-status" data-testid="alert-rules-empty">
              No alert rules in this project yet.
            </div>
          ) : (
            <table className="grid" data-testid="alert-rules">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>State</th>
                  <th>Kind</th>
                  <th>Scope</th>
                  <th>Metric(s)</th>
                  <th>Window / every</th>
                  <th>Last evaluated (UTC)</th>
                </tr>
              </thead>
              <tbody>
                {rules.data.map((r) => (
                  <tr key={r.id} data-testid="alert-rule-row" data-rule-id={r.id} data-state={r.state}>
                    <td>
                      <Link to={alertRuleHref(project, r.id)} data-testid="alert-rule-link">
                        {r.name}
                      </Link>
                      {!r.enabled && <span className="badge">disabled</span>}
                    </td>
                    <td>
                      <StateBadge state={r.state} />
                    </td>
                    <td>
                      {r.kind}
                      {r.kind === 'drift' && <div className="muted small">{referenceText(r)}</div>}
                    </td>
                    <td>{ruleScope(r)}</td>
                    <td>{ruleMetrics(r)}</td>
                    <td className="nowrap">
                      {formatMs(r.windowMs)} / {formatMs(r.intervalMs)}
                    </td>
                    <td className="nowrap">
                      {r.lastEvaluatedNs === '' ? 'never' : formatTimestamp(parseNanos(r.lastEvaluatedNs))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <AlertHistory project={project} rules={rules.data} refresh={0} />
        </>
      )}
    </div>
  );
}
