/**
 * Every page, loaded on first visit: each is its own chunk, so the first load carries the shell and
 * the data layer, and the charts (Recharts) come only with the overview and drift pages.
 */
import { lazy } from 'react';

export const RunsPage = lazy(() => import('../runs/RunsPage').then((m) => ({ default: m.RunsPage })));
export const RunPage = lazy(() => import('../run/RunPage').then((m) => ({ default: m.RunPage })));
export const ComparePage = lazy(() => import('../compare/ComparePage').then((m) => ({ default: m.ComparePage })));
export const SearchPage = lazy(() => import('../search/SearchPage').then((m) => ({ default: m.SearchPage })));
export const OverviewPage = lazy(() => import('../overview/OverviewPage').then((m) => ({ default: m.OverviewPage })));
export const FindingsPage = lazy(() => import('../findings/FindingsPage').then((m) => ({ default: m.FindingsPage })));
export const DetectionSettingsPage = lazy(() =>
  import('../findings/DetectionSettingsPage').then((m) => ({ default: m.DetectionSettingsPage })),
);
export const DriftPage = lazy(() => import('../drift/DriftPage').then((m) => ({ default: m.DriftPage })));
export const AlertsPage = lazy(() => import('../alerts/AlertsPage').then((m) => ({ default: m.AlertsPage })));
export const AlertRulePage = lazy(() => import('../alerts/AlertRulePage').then((m) => ({ default: m.AlertRulePage })));
export const NewAlertRulePage = lazy(() =>
  import('../alerts/AlertRulePage').then((m) => ({ default: m.NewAlertRulePage })),
);
export const CasesPage = lazy(() => import('../cases/CasesPage').then((m) => ({ default: m.CasesPage })));
export const CasePage = lazy(() => import('../cases/CasePage').then((m) => ({ default: m.CasePage })));
export const AdminPage = lazy(() => import('../admin/AdminPage').then((m) => ({ default: m.AdminPage })));
