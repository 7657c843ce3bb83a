import { useQuery } from '@tanstack/react-query';
import { ErrorBanner } from '../app/ErrorBanner';
import { Link } from '../app/Link';
import { PageHeading, useDocumentTitle } from '../app/PageHeading';
import { useSession } from '../app/session';
import { formatTimestamp, parseNanos } from '../lib/nanos';
import { caseHref } from '../lib/routes';

/** `/cases`: the project's cases, newest first, with their legal hold. Cases are made from selected runs. */
export function CasesPage({ project }: { project: string }) {
  const { api } = useSession();
  const cases = useQuery({
    queryKey: ['cases', project],
    queryFn: ({ signal }) => api.cases.list(project, signal),
  });
  useDocumentTitle('Cases');
  return (
    <div className="cases-page" data-testid="cases-page">
      <div className="page-head">
        <PageHeading>Cases</PageHeading>
      </div>
      <p className="muted small">
        A case is a named set of runs with a note. On legal hold, its runs survive retention until the hold is released.
        Select runs on the runs or search page and "Save as case" to make one.
      </p>
      {cases.isPending && <div className="page-status">Loading cases…</div>}
      {cases.error !== null && <ErrorBanner error={cases.error} />}
      {cases.data !== undefined &&
        (cases.data.length === 0 ? (
          <div className="page-status" data-testid="cases-empty">
            No cases in this project yet.
          </div>
        ) : (
          <table className="grid" data-testid="cases-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Runs</th>
                <th>Owner</th>
                <th>Created (UTC)</th>
                <th>Legal hold</th>
              </tr>
            </thead>
            <tbody>
              {cases.data.map((c) => (
                <tr key={c.id} data-testid="case-row" data-case-id={c.id} data-held={c.hold ? 'true' : 'false'}>
                  <td>
                    <Link to={caseHref(project, c.id)} data-testid="case-link">
                      {c.name}
                    </Link>
                  </td>
                  <td>{c.traceIds.length}</td>
                  <td className="mono">{c.owner}</td>
                  <td className="nowrap">{formatTimestamp(parseNanos(c.createdNs))}</td>
                  <td>
                    {c.hold ? (
                      <span className="badge hold" title={c.hold.reason}>
                        on hold
                      </span>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </div>
  );
}
