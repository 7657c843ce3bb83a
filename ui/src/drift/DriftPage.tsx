import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { formatMs } from '../alerts/alert-view';
import { ErrorBanner } from '../app/ErrorBanner';
import { PageHeading, useDocumentTitle } from '../app/PageHeading';
import { navigate, useLocation } from '../app/router';
import { useSession } from '../app/session';
import { alertEventsQuery, alertRulesQuery, driftCompareQuery, driftSeriesQuery, overviewQuery } from '../data/queries';
import { DateField } from './DateField';
import { DistributionPanel } from './DistributionPanel';
import { DriftChart } from './DriftChart';
import { DriftVersions } from './DriftVersions';
import { alertMarkers, categoryLabels, referenceBand, rulesOnScope, seriesRows, valueUnit } from './drift-chart';
import {
  compareQuery,
  DATE_HINT,
  type DriftState,
  driftStateHref,
  formatReference,
  METRICS,
  parseDriftState,
  parseInstant,
  parseReference,
  pickBucketMs,
  selectBucket,
  seriesQuery,
  showInstant,
  TOOL_SCOPED,
} from './drift-url';
import '../alerts/alerts.css';

/** The newest alert events drawn as markers. */
const ALERT_EVENTS = 200;

const RANGES: Record<string, number> = { '1h': 3_600_000, '6h': 21_600_000, '24h': 86_400_000, '7d': 604_800_000 };

/** `/drift?agent=&metric=&tool=&from=&to=&reference=&window=&end=`: one metric over time against a reference. */
export function DriftPage({ project }: { project: string }) {
  const { api } = useSession();
  const { search } = useLocation();
  // "now" is fixed per URL so a re-render does not move the window and refetch.
  const s = useMemo(() => parseDriftState(new URLSearchParams(search), Date.now()), [search]);
  const go = (next: DriftState) => navigate(driftStateHref(project, next));
  useDocumentTitle(s.agent === '' ? `Drift · ${s.metric}` : `Drift · ${s.metric} · ${s.agent}`);

  // The agents seen in the chart's range, for the picker. Each read below loads on its own, so one
  // failing request leaves the others on screen.
  const agentsQuery = new URLSearchParams({ from: String(s.fromMs), to: String(s.toMs) });
  if (project !== '') agentsQuery.set('project', project);
  const agents = useQuery({
    ...overviewQuery(api, project, agentsQuery),
    select: (overview) => overview.agents.map((a) => a.agent),
  });
  const series = useQuery(driftSeriesQuery(api, project, seriesQuery(project, s)));
  const compare = useQuery(driftCompareQuery(api, project, compareQuery(project, s)));
  const rules = useQuery(alertRulesQuery(api, project));
  const events = useQuery(alertEventsQuery(api, project, '', ALERT_EVENTS));

  const band = compare.data === undefined ? undefined : referenceBand(compare.data.reference);
  const markers =
    rules.data !== undefined && events.data !== undefined
      ? alertMarkers(events.data.events, new Set(rulesOnScope(rules.data, s).map((r) => r.id)), s.fromMs, s.toMs)
      : [];
  const alertsError = rules.error ?? events.error;
  const agentNames = agents.data ?? [];
  // A project with one agent shows its versions on the first visit too, before anyone picks it.
  const versionsAgent = s.agent !== '' ? s.agent : agentNames.length === 1 ? (agentNames[0] as string) : '';
  const labels = series.data?.kind === 'categorical' ? categoryLabels(series.data) : [];
  const setRange = (span: number) => {
    const now = Date.now();
    const fromMs = now - span;
    go({ ...s, fromMs, toMs: now, endMs: now, windowMs: pickBucketMs(fromMs, now) });
  };
  const setReference = (value: string) => {
    if (value === 'baseline') {
      const toMs = s.endMs - s.windowMs > s.fromMs ? s.endMs - s.windowMs : s.fromMs + s.windowMs;
      go({ ...s, reference: { type: 'baseline', fromMs: s.fromMs, toMs } });
    } else go({ ...s, reference: parseReference(value) });
  };
  type Edge = 'chartFrom' | 'chartTo' | 'baselineFrom' | 'baselineTo';
  // A date that does not parse, or a range that ends before it starts, says so beside its field.
  const [dateError, setDateError] = useState<{ edge: Edge; message: string }>();
  const typed = (edge: Edge, text: string): number | undefined => {
    const ms = parseInstant(text, Date.now());
    if (ms === undefined) setDateError({ edge, message: `"${text.trim().slice(0, 40)}" is not ${DATE_HINT}` });
    return ms;
  };
  const setBaseline = (edge: 'baselineFrom' | 'baselineTo', text: string) => {
    const ms = typed(edge, text);
    if (ms === undefined || s.reference.type !== 'baseline') return;
    const next = { ...s.reference, [edge === 'baselineFrom' ? 'fromMs' : 'toMs']: ms };
    if (next.toMs <= next.fromMs) return setDateError({ edge, message: 'the baseline must end after it starts' });
    setDateError(undefined);
    go({ ...s, reference: next });
  };
  const setChart = (edge: 'chartFrom' | 'chartTo', text: string) => {
    const ms = typed(edge, text);
    if (ms === undefined) return;
    const fromMs = edge === 'chartFrom' ? ms : s.fromMs;
    const toMs = edge === 'chartTo' ? ms : s.toMs;
    if (toMs <= fromMs) return setDateError({ edge, message: 'the chart must end after it starts' });
    setDateError(undefined);
    go({ ...s, fromMs, toMs, endMs: toMs, windowMs: pickBucketMs(fromMs, toMs) });
  };
  const errorOf = (edge: Edge) => (dateError?.edge === edge ? dateError.message : undefined);
  // The select names the kind; a previous window of its own length keeps it in the URL.
  const refValue =
    s.reference.type === 'baseline'
      ? 'baseline'
      : s.reference.type === 'previous-window'
        ? 'previous-window'
        : formatReference(s.reference);

  return (
    <div className="drift-page" data-testid="drift-page">
      <PageHeading className="page-title">Drift</PageHeading>
      <div className="filters">
        <div className="filters-row">
          <label className="filter">
            Agent
            <select data-testid="drift-agent" value={s.agent} onChange={(e) => go({ ...s, agent: e.target.value })}>
              <option value="">(every agent)</option>
              {[...new Set([s.agent, ...agentNames])]
                .filter((a) => a !== '')
                .map((a) => (
                  <option key={a} value={a}>
                    {a}
                  </option>
                ))}
            </select>
          </label>
          <label className="filter">
            Metric
            <select
              data-testid="drift-metric"
              value={s.metric}
              onChange={(e) => go({ ...s, metric: e.target.value as DriftState['metric'] })}
            >
              {METRICS.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </label>
          {TOOL_SCOPED.has(s.metric) && (
            <label className="filter">
              Tool (blank = every tool)
              <input
                data-testid="drift-tool"
                defaultValue={s.tool}
                key={s.tool}
                onBlur={(e) => e.target.value !== s.tool && go({ ...s, tool: e.target.value.trim() })}
                onKeyDown={(e) => e.key === 'Enter' && go({ ...s, tool: e.currentTarget.value.trim() })}
              />
            </label>
          )}
          <label className="filter wide">
            Reference
            <select data-testid="drift-reference" value={refValue} onChange={(e) => setReference(e.target.value)}>
              <option value="previous-window">previous window</option>
              <option value="baseline">fixed baseline</option>
              <option value="previous-version:prompt">previous prompt version</option>
              <option value="previous-version:policy">previous policy version</option>
              <option value="previous-version:model">previous model version</option>
            </select>
          </label>
          {s.reference.type === 'baseline' && (
            <>
              <DateField
                label="Baseline from"
                testId="drift-baseline-from"
                ms={s.reference.fromMs}
                error={errorOf('baselineFrom')}
                onApply={(text) => setBaseline('baselineFrom', text)}
              />
              <DateField
                label="Baseline to"
                testId="drift-baseline-to"
                ms={s.reference.toMs}
                error={errorOf('baselineTo')}
                onApply={(text) => setBaseline('baselineTo', text)}
              />
            </>
          )}
        </div>
        <div className="filters-row">
          <DateField
            label="Chart from"
            testId="drift-chart-from"
            ms={s.fromMs}
            error={errorOf('chartFrom')}
            onApply={(text) => setChart('chartFrom', text)}
          />
          <DateField
            label="Chart to"
            testId="drift-chart-to"
            ms={s.toMs}
            error={errorOf('chartTo')}
            onApply={(text) => setChart('chartTo', text)}
          />
          <div className="presets">
            {Object.entries(RANGES).map(([name, span]) => (
              <button type="button" key={name} data-testid={`drift-range-${name}`} onClick={() => setRange(span)}>
                {name}
              </button>
            ))}
          </div>
        </div>
        <div className="muted small" data-testid="drift-window">
          Chart {showInstant(s.fromMs)} – {showInstant(s.toMs)} UTC · current window {formatMs(s.windowMs)} ending{' '}
          {showInstant(s.endMs)} UTC
          {s.reference.type === 'baseline' &&
            ` · baseline ${showInstant(s.reference.fromMs)} – ${showInstant(s.reference.toMs)} UTC`}
        </div>
      </div>
      {versionsAgent !== '' && (
        <DriftVersions
          project={project}
          agent={versionsAgent}
          state={s}
          onPick={(next) => go({ ...next, agent: versionsAgent })}
        />
      )}
      {series.isPending && <div className="page-status">Loading series…</div>}
      {series.error !== null && <ErrorBanner error={series.error} />}
      {series.data !== undefined &&
        (series.data.points.length === 0 ? (
          <div className="page-status" data-testid="drift-empty">
            No observations of {s.metric} in this range and scope.
          </div>
        ) : (
          <DriftChart
            rows={seriesRows(series.data, labels)}
            labels={labels}
            kind={series.data.kind}
            unit={valueUnit(series.data.kind, s.metric)}
            band={band}
            markers={markers}
            fromMs={s.fromMs}
            toMs={s.toMs}
            windowFromMs={s.endMs - s.windowMs}
            windowToMs={s.endMs}
            onPick={(row) => go(selectBucket(s, row.startMs, series.data.bucketMs))}
          />
        ))}
      {compare.isPending && <div className="page-status">Comparing windows…</div>}
      {compare.error !== null && <ErrorBanner error={compare.error} />}
      {compare.data !== undefined && <DistributionPanel cmp={compare.data} />}
      {alertsError !== null && <ErrorBanner error={alertsError} />}
    </div>
  );
}
