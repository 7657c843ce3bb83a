/**
 * Every page, loaded on first visit: each is its own chunk, so the first load carries the shell and
 * the data layer, and the charts (Recharts) come only with the overview and drift pages.
 *
 * Not `React.lazy`: a lazy page suspends on its first render even when its code is already loaded, and
 * React then holds the page back until its "Loading…" has shown for 300 ms. A page here renders at once
 * when its code has loaded (`preloadPage` starts that while the session is checked), and suspends only
 * while the code is still on its way.
 */
import { type ComponentType, createElement } from 'react';
import type { Route } from '../lib/routes';

interface Chunk<M> {
  /** The module, once loaded. */
  module: M | undefined;
  /** Why the last load failed, until one succeeds. */
  error: unknown;
  /** Loads the module; a failed load is tried again by the next call. */
  load(): Promise<M>;
}

export function chunk<M>(importer: () => Promise<M>): Chunk<M> {
  let loading: Promise<M> | undefined;
  const c: Chunk<M> = {
    module: undefined,
    error: undefined,
    load() {
      loading ??= importer().then(
        (m) => {
          c.module = m;
          c.error = undefined;
          return m;
        },
        (error: unknown) => {
          c.error = error;
          loading = undefined;
          throw error;
        },
      );
      return loading;
    },
  };
  return c;
}

/** The chunk of each page; importing a chunk twice fetches it once. */
const chunks = {
  runs: chunk(() => import('../runs/RunsPage')),
  run: chunk(() => import('../run/RunPage')),
  compare: chunk(() => import('../compare/ComparePage')),
  search: chunk(() => import('../search/SearchPage')),
  overview: chunk(() => import('../overview/OverviewPage')),
  findings: chunk(() => import('../findings/FindingsPage')),
  'findings-settings': chunk(() => import('../findings/DetectionSettingsPage')),
  drift: chunk(() => import('../drift/DriftPage')),
  alert: chunk(() => import('../alerts/AlertRulePage')),
  alerts: chunk(() => import('../alerts/AlertsPage')),
  cases: chunk(() => import('../cases/CasesPage')),
  case: chunk(() => import('../cases/CasePage')),
  admin: chunk(() => import('../admin/AdminPage')),
} satisfies Partial<Record<Route['name'], Chunk<unknown>>>;

/** The component `pick` takes from a chunk, shown once the chunk has loaded (the nearest Suspense until then). */
export function page<M, P extends object>(c: Chunk<M>, pick: (m: M) => ComponentType<P>): ComponentType<P> {
  return function Page(props: P) {
    // Suspends the way a lazy component does, on the chunk's one load promise; a failed load goes to
    // the page's error boundary, which offers a reload.
    if (c.module !== undefined) return createElement(pick(c.module), props);
    if (c.error !== undefined) throw c.error;
    throw c.load();
  };
}

export const RunsPage = page(chunks.runs, (m) => m.RunsPage);
export const RunPage = page(chunks.run, (m) => m.RunPage);
export const ComparePage = page(chunks.compare, (m) => m.ComparePage);
export const SearchPage = page(chunks.search, (m) => m.SearchPage);
export const OverviewPage = page(chunks.overview, (m) => m.OverviewPage);
export const FindingsPage = page(chunks.findings, (m) => m.FindingsPage);
export const DetectionSettingsPage = page(chunks['findings-settings'], (m) => m.DetectionSettingsPage);
export const DriftPage = page(chunks.drift, (m) => m.DriftPage);
export const AlertsPage = page(chunks.alerts, (m) => m.AlertsPage);
export const AlertRulePage = page(chunks.alert, (m) => m.AlertRulePage);
export const NewAlertRulePage = page(chunks.alert, (m) => m.NewAlertRulePage);
export const CasesPage = page(chunks.cases, (m) => m.CasesPage);
export const CasePage = page(chunks.case, (m) => m.CasePage);
export const AdminPage = page(chunks.admin, (m) => m.AdminPage);

/**
 * Starts fetching the chunk of the page `route` shows (the runs page for the home path, which leads
 * there), so it loads while the session is checked rather than after. A failed fetch is left to the
 * page's own load, which shows it.
 */
export function preloadPage(route: Route['name']): void {
  const name = route === 'home' ? 'runs' : route;
  if (name in chunks) chunks[name as keyof typeof chunks].load().catch(() => {});
}

/** Starts fetching every page's chunk, so a later first visit to a page shows it without "Loading…". */
export function preloadPages(): void {
  for (const c of Object.values(chunks)) c.load().catch(() => {});
}
