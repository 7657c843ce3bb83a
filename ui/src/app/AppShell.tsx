import { useEffect } from 'react';
import {
  adminHref,
  alertsHref,
  casesHref,
  driftHref,
  findingsHref,
  matchRoute,
  overviewHref,
  runsHref,
  searchHref,
} from '../lib/routes';
import { Link } from './Link';
import { PageBoundary } from './PageBoundary';
import { useDocumentTitle } from './PageHeading';
import {
  AdminPage,
  AlertRulePage,
  AlertsPage,
  CasePage,
  CasesPage,
  ComparePage,
  DetectionSettingsPage,
  DriftPage,
  FindingsPage,
  NewAlertRulePage,
  OverviewPage,
  preloadPages,
  RunPage,
  RunsPage,
  SearchPage,
} from './pages';
import { navigate, useLocation } from './router';
import { pickProject, useSession } from './session';

function NotFound({ pathname, home }: { pathname: string; home: string }) {
  useDocumentTitle('No such page');
  return (
    <div className="page-status" data-testid="not-found">
      No page at <code>{pathname}</code>. <Link to={home}>Go to runs</Link>
    </div>
  );
}

export function AppShell() {
  const { user, logout } = useSession();
  const location = useLocation();
  const route = matchRoute(location.pathname);
  const project = pickProject(user, new URLSearchParams(location.search).get('project'));
  const projectHref = runsHref(new URLSearchParams(project === '' ? {} : { project }));

  useEffect(() => {
    if (route.name === 'home') navigate(projectHref, { replace: true });
  }, [route.name, projectHref]);

  // Once the first page is up, the other pages' code loads in the background.
  useEffect(() => {
    const timer = setTimeout(preloadPages, 2_000);
    return () => clearTimeout(timer);
  }, []);

  const known = user.projects.some((p) => p.id === project);
  return (
    <div className="shell">
      <header className="topbar">
        <Link to={projectHref} className="brand" data-testid="home-link">
          Casefile
        </Link>
        <nav className="topnav">
          <Link to={projectHref} className={route.name === 'runs' || route.name === 'run' ? 'active' : ''}>
            Runs
          </Link>
          <Link
            to={searchHref(new URLSearchParams(project === '' ? {} : { project }))}
            className={route.name === 'search' ? 'active' : ''}
            data-testid="search-link"
          >
            Search
          </Link>
          <Link
            to={overviewHref(new URLSearchParams(project === '' ? {} : { project }))}
            className={route.name === 'overview' ? 'active' : ''}
            data-testid="overview-link"
          >
            Overview
          </Link>
          <Link
            to={findingsHref(new URLSearchParams(project === '' ? {} : { project }))}
            className={route.name === 'findings' || route.name === 'findings-settings' ? 'active' : ''}
            data-testid="findings-link"
          >
            Findings
          </Link>
          <Link
            to={driftHref(new URLSearchParams(project === '' ? {} : { project }))}
            className={route.name === 'drift' ? 'active' : ''}
            data-testid="drift-link"
          >
            Drift
          </Link>
          <Link
            to={alertsHref(project)}
            className={route.name === 'alerts' || route.name === 'alert' ? 'active' : ''}
            data-testid="alerts-link"
          >
            Alerts
          </Link>
          <Link
            to={casesHref(project)}
            className={route.name === 'cases' || route.name === 'case' ? 'active' : ''}
            data-testid="cases-link"
          >
            Cases
          </Link>
          {user.role === 'admin' && (
            <Link to={adminHref(project)} className={route.name === 'admin' ? 'active' : ''} data-testid="admin-link">
              Admin
            </Link>
          )}
        </nav>
        <div className="spacer" />
        <label className="project-picker">
          <span className="muted">Project</span>
          <select
            data-testid="project-select"
            value={project}
            onChange={(e) => navigate(runsHref(new URLSearchParams({ project: e.target.value })))}
          >
            {!known && <option value={project}>{project === '' ? '(none)' : project}</option>}
            {user.projects.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
        <span className="user" data-testid="user-name">
          {user.name} <span className="role">{user.role}</span>
        </span>
        <button type="button" onClick={logout} data-testid="logout">
          Sign out
        </button>
      </header>
      <main className="content">
        <PageBoundary key={route.name}>
          {route.name === 'runs' && <RunsPage project={project} />}
          {route.name === 'run' && <RunPage key={route.traceId} project={project} traceId={route.traceId} />}
          {route.name === 'compare' && <ComparePage project={project} />}
          {route.name === 'search' && <SearchPage project={project} />}
          {route.name === 'overview' && <OverviewPage project={project} />}
          {route.name === 'findings' && <FindingsPage project={project} />}
          {route.name === 'findings-settings' && <DetectionSettingsPage project={project} />}
          {route.name === 'drift' && <DriftPage project={project} />}
          {route.name === 'alerts' && <AlertsPage project={project} />}
          {route.name === 'alert' &&
            (route.id === 'new' ? (
              <NewAlertRulePage key="new" project={project} />
            ) : (
              <AlertRulePage key={route.id} project={project} id={route.id} />
            ))}
          {route.name === 'cases' && <CasesPage project={project} />}
          {route.name === 'case' && <CasePage key={route.id} project={project} id={route.id} />}
          {route.name === 'admin' && <AdminPage project={project} />}
          {route.name === 'not-found' && <NotFound pathname={route.pathname} home={projectHref} />}
          {route.name === 'home' && <div className="page-status">Loading…</div>}
        </PageBoundary>
      </main>
    </div>
  );
}
