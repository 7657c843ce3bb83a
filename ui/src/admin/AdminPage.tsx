import type { CredentialDto } from '@casefile/contract';
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { Link } from '../app/Link';
import { PageHeading, useDocumentTitle } from '../app/PageHeading';
import { navigate } from '../app/router';
import { useSession } from '../app/session';
import { formatTimestamp, parseNanos } from '../lib/nanos';
import { adminHref, runsHref } from '../lib/routes';

type Role = CredentialDto['role'];

/** A secret shown once, right after it was created, with what to do with it. */
interface Issued {
  kind: CredentialDto['kind'];
  name: string;
  secret: string;
}

/**
 * `/admin?project=` (admins): the projects this admin manages and a form for a new one; for the
 * chosen project, its people (login tokens with a role) and its ingest keys, each with a button to
 * disable or revoke it, and forms to add a person or a key. A new secret is shown once. The API
 * enforces the same rules (admins only, their own projects, not their own token).
 */
export function AdminPage({ project }: { project: string }) {
  const { api, user } = useSession();
  useDocumentTitle('Admin');
  const projects = useQuery({ queryKey: ['admin-projects'], queryFn: ({ signal }) => api.admin.projects(signal) });
  const credentials = useQuery({
    queryKey: ['admin-credentials', project],
    queryFn: ({ signal }) => api.admin.credentials(project, signal),
    enabled: project !== '',
  });
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<Error | null>(null);
  const [issued, setIssued] = useState<Issued | null>(null);
  const [newProject, setNewProject] = useState({ id: '', name: '' });
  const [person, setPerson] = useState<{ name: string; role: Role }>({ name: '', role: 'viewer' });
  const [keyName, setKeyName] = useState('');

  if (user.role !== 'admin') {
    return (
      <div className="page-status" data-testid="admin-only">
        Only admins manage projects, people and keys.
      </div>
    );
  }

  // `work` may return what to do once the lists are fresh again (e.g. open the project it created).
  const act = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setActionError(null);
    try {
      const then = await work();
      await Promise.all([projects.refetch(), project === '' ? undefined : credentials.refetch()]);
      if (typeof then === 'function') then();
    } catch (err) {
      setActionError(err instanceof Error ? err : new Error(String(err), { cause: err }));
    } finally {
      setBusy(false);
    }
  };
  const submit = (work: () => Promise<unknown>) => (e: FormEvent) => {
    e.preventDefault();
    void act(work);
  };

  const people = (credentials.data ?? []).filter((c) => c.kind === 'login');
  const keys = (credentials.data ?? []).filter((c) => c.kind === 'ingest');
  const projectName = projects.data?.find((p) => p.id === project)?.name ?? project;

  return (
    <div className="admin-page" data-testid="admin-page">
      <div className="page-head">
        <PageHeading>Admin</PageHeading>
      </div>
      {actionError !== null && <ErrorBanner error={actionError} />}
      {issued !== null && (
        <div className="pane notice" data-testid="issued-secret">
          <p>
            {issued.kind === 'ingest' ? 'Ingest key' : 'Login token'} for <strong>{issued.name}</strong>, shown this
            once (only its hash is stored):
          </p>
          <code className="mono secret" data-testid="issued-secret-value">
            {issued.secret}
          </code>
          <p className="muted small">
            {issued.kind === 'ingest'
              ? 'Give it to the agent as Authorization: Bearer <key> (the SDK’s apiKey).'
              : 'Give it to the person: they sign in with it.'}{' '}
            <button type="button" onClick={() => setIssued(null)}>
              Done
            </button>
          </p>
        </div>
      )}

      <CollectorStatus />

      <section className="pane">
        <h2>Projects</h2>
        {projects.error !== null && <ErrorBanner error={projects.error} />}
        {projects.data !== undefined && (
          <table className="grid" data-testid="projects-table">
            <thead>
              <tr>
                <th>ID</th>
                <th>Name</th>
                <th>Created (UTC)</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {projects.data.map((p) => (
                <tr
                  key={p.id}
                  data-testid="project-row"
                  data-project-id={p.id}
                  className={p.id === project ? 'selected' : ''}
                >
                  <td className="mono">{p.id}</td>
                  <td>{p.name}</td>
                  <td className="nowrap">{formatTimestamp(parseNanos(p.createdNs))}</td>
                  <td>
                    <Link to={adminHref(p.id)} data-testid="manage-project">
                      People and keys
                    </Link>{' '}
                    · <Link to={runsHref(new URLSearchParams({ project: p.id }))}>Runs</Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <form
          className="inline-form"
          onSubmit={submit(async () => {
            const made = await api.admin.createProject({ id: newProject.id.trim(), name: newProject.name.trim() });
            setNewProject({ id: '', name: '' });
            // The new project is where the admin goes next, once the list holds it: its people and keys.
            return () => navigate(adminHref(made.id));
          })}
        >
          <input
            aria-label="New project ID"
            placeholder="id (e.g. claims-bot)"
            value={newProject.id}
            maxLength={64}
            onChange={(e) => setNewProject({ ...newProject, id: e.target.value })}
            data-testid="new-project-id"
          />{' '}
          <input
            aria-label="New project name"
            placeholder="name"
            value={newProject.name}
            maxLength={200}
            onChange={(e) => setNewProject({ ...newProject, name: e.target.value })}
            data-testid="new-project-name"
          />{' '}
          <button
            type="submit"
            disabled={busy || newProject.id.trim() === '' || newProject.name.trim() === ''}
            data-testid="create-project"
          >
            Create project
          </button>
          <span className="muted small"> ID: lower-case letters, digits, _ . - (at most 64)</span>
        </form>
      </section>

      {project !== '' && (
        <section className="pane" data-testid="project-credentials" data-project-id={project}>
          <h2>People and keys of {projectName}</h2>
          {credentials.error !== null && <ErrorBanner error={credentials.error} />}
          <h3>People</h3>
          <CredentialTable
            rows={people}
            testId="people-table"
            busy={busy}
            action="Disable"
            onRevoke={(c) => void act(async () => void (await api.admin.revoke(c.id)))}
          />
          <form
            className="inline-form"
            onSubmit={submit(async () => {
              const made = await api.admin.createCredential({
                kind: 'login',
                name: person.name.trim(),
                projects: [project],
                role: person.role,
              });
              setIssued({ kind: 'login', name: made.credential.name, secret: made.secret });
              setPerson({ name: '', role: 'viewer' });
            })}
          >
            <input
              aria-label="Person's name"
              placeholder="name (e.g. Ines Ortega)"
              value={person.name}
              maxLength={200}
              onChange={(e) => setPerson({ ...person, name: e.target.value })}
              data-testid="new-person-name"
            />{' '}
            <select
              aria-label="Role"
              value={person.role}
              onChange={(e) => setPerson({ ...person, role: e.target.value as Role })}
              data-testid="new-person-role"
            >
              <option value="viewer">viewer (reads)</option>
              <option value="investigator">investigator (also triages, searches by value)</option>
              <option value="admin">admin (also manages)</option>
            </select>{' '}
            <button type="submit" disabled={busy || person.name.trim() === ''} data-testid="add-person">
              Add person
            </button>
          </form>
          <h3>Ingest keys</h3>
          <CredentialTable
            rows={keys}
            testId="keys-table"
            busy={busy}
            action="Revoke"
            onRevoke={(c) => void act(async () => void (await api.admin.revoke(c.id)))}
          />
          <form
            className="inline-form"
            onSubmit={submit(async () => {
              const made = await api.admin.createCredential({
                kind: 'ingest',
                name: keyName.trim(),
                projects: [project],
              });
              setIssued({ kind: 'ingest', name: made.credential.name, secret: made.secret });
              setKeyName('');
            })}
          >
            <input
              aria-label="Key name"
              placeholder="what sends with it (e.g. claims agent, prod)"
              value={keyName}
              maxLength={200}
              onChange={(e) => setKeyName(e.target.value)}
              data-testid="new-key-name"
            />{' '}
            <button type="submit" disabled={busy || keyName.trim() === ''} data-testid="add-key">
              Create ingest key
            </button>
          </form>
          <p className="muted small">
            Disabling a person or revoking a key takes effect at once: the next request with it is refused.
          </p>
        </section>
      )}
    </div>
  );
}

function CredentialTable(props: {
  rows: CredentialDto[];
  testId: string;
  busy: boolean;
  action: string;
  onRevoke: (c: CredentialDto) => void;
}) {
  if (props.rows.length === 0) return <p className="muted small">None yet.</p>;
  return (
    <table className="grid" data-testid={props.testId}>
      <thead>
        <tr>
          <th>Name</th>
          <th>Role</th>
          <th>Projects</th>
          <th>Created (UTC)</th>
          <th>Status</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {props.rows.map((c) => (
          <tr key={c.id} data-testid="credential-row" data-name={c.name} data-revoked={String(c.revoked)}>
            <td>{c.name}</td>
            <td>{c.kind === 'login' ? c.role : '—'}</td>
            <td className="mono">{c.projects.join(', ')}</td>
            <td className="nowrap">{formatTimestamp(parseNanos(c.createdNs))}</td>
            <td>
              {c.revoked ? <span className="badge">{c.kind === 'login' ? 'disabled' : 'revoked'}</span> : 'active'}
            </td>
            <td>
              {c.self === true && !c.revoked && (
                <span className="muted small" data-testid="signed-in-with">
                  you are signed in with it
                </span>
              )}
              {!c.revoked && c.self !== true && (
                <button
                  type="button"
                  disabled={props.busy}
                  onClick={() => {
                    if (window.confirm(`${props.action} ${c.name}? Requests with it are refused from now on.`))
                      props.onRevoke(c);
                  }}
                  data-testid="revoke"
                >
                  {props.action}
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Seconds as a person reads them: "4 s", "3 min 20 s", "2 h 5 min". */
function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/**
 * Whether detection keeps up, refreshed every 5 s: runs still to be examined and how old the oldest
 * of them is, this collector's detection counters, and its ingest queue. A growing backlog means
 * acknowledged runs are stored but not yet checked for findings.
 */
function CollectorStatus() {
  const { api } = useSession();
  const status = useQuery({
    queryKey: ['admin-status'],
    queryFn: ({ signal }) => api.admin.status(signal),
    refetchInterval: 5000,
  });
  const d = status.data?.detection;
  return (
    <section className="pane" data-testid="collector-status">
      <h2>Detection and ingest</h2>
      {status.error !== null && <ErrorBanner error={status.error} />}
      {d !== undefined && status.data !== undefined && (
        <dl className="fields">
          <dt>Waiting for detection</dt>
          <dd data-testid="status-backlog">
            {d.backlogRuns === undefined
              ? 'unknown (the store did not answer in time)'
              : d.backlogRuns === 0
                ? 'none: every stored run has been examined'
                : `${d.backlogRuns.toLocaleString()} runs, the oldest written ${duration(d.oldestUndetectedSeconds ?? 0)} ago`}
          </dd>
          <dt>Detection lag</dt>
          <dd data-testid="status-lag">{d.lagSeconds === 0 ? 'caught up' : duration(d.lagSeconds)}</dd>
          <dt>Detected by this collector</dt>
          <dd data-testid="status-detected">
            {d.detected.toLocaleString()} {d.detected === 1 ? 'run' : 'runs'} since start
            {d.failed > 0 ? `; ${d.failed.toLocaleString()} attempts failed (retried)` : ''}
            {d.retrying > 0 ? `; ${d.retrying.toLocaleString()} waiting for a retry` : ''}
          </dd>
          <dt>Ingest queue</dt>
          <dd data-testid="status-queue">{status.data.ingest.queuedRows.toLocaleString()} spans not yet written</dd>
        </dl>
      )}
    </section>
  );
}
