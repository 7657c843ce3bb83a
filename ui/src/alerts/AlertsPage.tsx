import { useQuery } from '@tanstack/react-query';
import { ErrorBanner } from '../app/ErrorBanner';
import { Link } from '../app/Link';
import { PageHeading, useDocumentTitle } from '../app/PageHeading';
import { useSession } from '../app/session';
import { alertRulesQuery, pollInterval } from '../data/queries';
import { formatTimestamp, parseNanos } from '../lib/nanos';
import { alertRuleHref } from '../lib/routes';
import { AlertHistory, StateBadge } from './AlertHistory';
import { formatMs, referenceText, ruleMetrics, ruleScope } from './alert-view';
import './alerts.css';

/**
 * `/alerts`: every rule with its live state, and the history of all of them. Polled, so a rule turning
 * `firing` shows without a reload; after a failed poll the last answer stays under the error.
 */
export function AlertsPage({ project }: { project: string }) {
  const { api, user } = useSession();
  const rules = useQuery({ ...alertRulesQuery(api, project), refetchInterval: pollInterval });
  useDocumentTitle('Alert rules');
  return (
    <div className="alerts-page" data-testid="alerts-page">
      <div className="page-head">
        <PageHeading>Alert rules</PageHeading>
        {/* Rules send data to outside URLs, so only admins write them (the API enforces it too). */}
        {user.role === 'admin' && (
          <Link to={alertRuleHref(project, 'new')} className="button primary" data-testid="new-rule">
            New rule
          </Link>
        )}
      </div>
      {rules.isPending && <div className="page-status">Loading rules…</div>}
      {rules.error !== null && <ErrorBanner error={rules.error} />}
      {rules.data !== undefined && (
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
          <AlertHistory project={project} rules={rules.data} />
        </>
      )}
    </div>
  );
}
