/**
 * Every page, loaded on first visit: each is its own chunk, so the first load carries the shell and
 * the data layer, and the charts (Recharts) come only with the overview and drift pages.
 */
import { lazy } from 'react';
import type { Route } from '../lib/routes';

/** The chunk of each page; importing a chunk twice fetches it once. */
const chunks = {
  runs: () => import('../runs/RunsPage'),
  run: () => import('../run/RunPage'),
  compare: () => import('../compare/ComparePage'),
  search: () => import('../search/SearchPage'),
  overview: () => import('../overview/OverviewPage'),
  findings: () => import('../findings/FindingsPage'),
  'findings-settings': () => import('../findings/DetectionSettingsPage'),
  drift: () => import('../drift/DriftPage'),
  alert: () => import('../alerts/AlertRulePage'),
  alerts: () => import('../alerts/AlertsPage'),
  cases: () => import('../cases/CasesPage'),
  case: () => import('../cases/CasePage'),
  admin: () => import('../admin/AdminPage'),
} satisfies Partial<Record<Route['name'], () => Promise<unknown>>>;

export const RunsPage = lazy(() => chunks.runs().then((m) => ({ default: m.RunsPage })));
export const RunPage = lazy(() => chunks.run().then((m) => ({ default: m.RunPage })));
export const ComparePage = lazy(() => chunks.compare().then((m) => ({ default: m.ComparePage })));
export const SearchPage = lazy(() => chunks.search().then((m) => ({ default: m.SearchPage })));
export const OverviewPage = lazy(() => chunks.overview().then((m) => ({ default: m.OverviewPage })));
export const FindingsPage = lazy(() => chunks.findings().then((m) => ({ default: m.FindingsPage })));
export const DetectionSettingsPage = lazy(() =>
  chunks['findings-settings']().then((m) => ({ default: m.DetectionSettingsPage })),
);
export const DriftPage = lazy(() => chunks.drift().then((m) => ({ default: m.DriftPage })));
export const AlertsPage = lazy(() => chunks.alerts().then((m) => ({ default: m.AlertsPage })));
export const AlertRulePage = lazy(() => chunks.alert().then((m) => ({ default: m.AlertRulePage })));
export const NewAlertRulePage = lazy(() => chunks.alert().then((m) => ({ default: m.NewAlertRulePage })));
export const CasesPage = lazy(() => chunks.cases().then((m) => ({ default: m.CasesPage })));
export const CasePage = lazy(() => chunks.case().then((m) => ({ default: m.CasePage })));
export const AdminPage = lazy(() => chunks.admin().then((m) => ({ default: m.AdminPage })));

/**
 * Starts fetching the chunk of the page `route` shows (the runs page for the home path, which leads
 * there), so it loads while the session is checked rather than after. A failed fetch is left to the
 * page's own load, which shows it.
 */
export function preloadPage(route: Route['name']): void {
  const name = route === 'home' ? 'runs' : route;
  if (name in chunks) chunks[name as keyof typeof chunks]().catch(() => {});
}
