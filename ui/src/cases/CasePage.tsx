import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { Link } from '../app/Link';
import { PageHeading, useDocumentTitle } from '../app/PageHeading';
import { useSession } from '../app/session';
import { formatTimestamp, parseNanos } from '../lib/nanos';
import { casesHref, runHref } from '../lib/routes';
import { CaseExportBar } from '../runs/CaseExportBar';
import { auditLine } from './case-view';

/**
 * `/cases/:id`: a case's runs, note and legal hold, its exports (the JSON one with inclusion proofs,
 * checked offline by `casefile verify`) and its audit trail. Investigators place a hold; only admins
 * release one (the API enforces both).
 */
export function CasePage({ project, id }: { project: string; id: string }) {
  const { api, user } = useSession();
  const detail = useQuery({
    queryKey: ['case', project, id],
    queryFn: ({ signal }) => api.cases.get(project, id, signal),
  });
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<Error | null>(null);
  useDocumentTitle(detail.data?.case.name ?? 'Case');

  const act = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setActionError(null);
    try {
      await work();
      setReason('');
      await detail.refetch();
    } catch (err) {
      setActionError(err instanceof Error ? err : new Error(String(err), { cause: err }));
    } finally {
      setBusy(false);
    }
  };

  if (detail.isPending) return <div className="page-status">Loading case…</div>;
  if (detail.error !== null) {
    return (
      <div className="case-page" data-testid="case-page">
        <ErrorBanner error={detail.error} />
        <Link to={casesHref(project)}>All cases</Link>
      </div>
    );
  }
  const c = detail.data.case;
  return (
    <div className="case-page" data-testid="case-page" data-case-id={c.id}>
      <div className="page-head">
        <PageHeading>{c.name}</PageHeading>
        {c.hold ? (
          <span className="badge hold" data-testid="case-hold-badge">
            on legal hold
          </span>
        ) : (
          <span className="badge" data-testid="case-hold-badge">
            not held
          </span>
        )}
      </div>
      <p className="small">
        <Link to={casesHref(project)}>← All cases</Link>
      </p>
      <dl className="fields">
        <dt>Owner</dt>
        <dd className="mono">{c.owner}</dd>
        <dt>Created (UTC)</dt>
        <dd>{formatTimestamp(parseNanos(c.createdNs))}</dd>
        {c.note !== '' && (
          <>
            <dt>Note</dt>
            <dd className="pre-wrap" data-testid="case-note">
              {c.note}
            </dd>
          </>
        )}
        {c.hold && (
          <>
            <dt>Hold</dt>
            <dd data-testid="case-hold">
              since {formatTimestamp(parseNanos(c.hold.sinceNs))} by <span className="mono">{c.hold.by}</span>:{' '}
              {c.hold.reason}
            </dd>
          </>
        )}
      </dl>

      <section className="detail-section">
        <h2>Legal hold</h2>
        {c.hold === null ? (
          user.role === 'viewer' ? (
            <p className="muted small">Investigators and admins can place this case on hold.</p>
          ) : (
            <form
              className="inline-form"
              onSubmit={(e) => {
                e.preventDefault();
                void act(() => api.cases.hold(project, c.id, reason));
              }}
            >
              <input
                aria-label="Reason for the hold"
                placeholder="reason (e.g. litigation notice 2026-114)"
                value={reason}
                maxLength={2000}
                onChange={(e) => setReason(e.target.value)}
                data-testid="hold-reason"
              />{' '}
              <button type="submit" disabled={busy || reason.trim() === ''} data-testid="hold-case">
                Place on hold
              </button>
            </form>
          )
        ) : user.role === 'admin' ? (
          <button
            type="button"
            disabled={busy}
            onClick={() => void act(() => api.cases.release(project, c.id))}
            data-testid="release-case"
          >
            Release hold
          </button>
        ) : (
          <p className="muted small" data-testid="release-admin-only">
            Only an admin can release a hold.
          </p>
        )}
        {actionError !== null && <ErrorBanner error={actionError} />}
      </section>

      <section className="detail-section">
        <h2>Runs ({c.traceIds.length})</h2>
        <ul className="id-list" data-testid="case-runs">
          {c.traceIds.map((t) => (
            <li key={t}>
              <Link to={runHref(project, t)} className="mono" data-testid="case-run">
                {t}
              </Link>
            </li>
          ))}
        </ul>
        <CaseExportBar project={project} traceIds={c.traceIds} label="Export this case" />
      </section>

      <section className="detail-section">
        <h2>Audit trail</h2>
        <table className="grid" data-testid="case-audit">
          <thead>
            <tr>
              <th>Time (UTC)</th>
              <th>Who</th>
              <th>What</th>
            </tr>
          </thead>
          <tbody>
            {detail.data.audit.map((e) => (
              <tr key={`${e.timeNs}-${e.action}`} data-testid="case-audit-row" data-action={e.action}>
                <td className="nowrap">{formatTimestamp(parseNanos(e.timeNs))}</td>
                <td className="mono">{e.actor}</td>
                <td>{auditLine(e)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}
