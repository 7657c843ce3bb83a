import type { OverviewDto } from '@casefile/contract';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ErrorBanner } from '../app/ErrorBanner';
import { Link } from '../app/Link';
import { PageHeading, useDocumentTitle } from '../app/PageHeading';
import { navigate, useLocation } from '../app/router';
import { useSession } from '../app/session';
import { overviewQuery as overviewRead } from '../data/queries';
import { overviewHref } from '../lib/routes';
import { bucketRunsHref, type ChartRow, chartRows, overviewQuery, RANGES } from './overview-view';

interface Series {
  key: keyof ChartRow;
  name: string;
  colour: string;
}

const CHARTS: { title: string; testId: string; series: Series[] }[] = [
  { title: 'Runs', testId: 'chart-runs', series: [{ key: 'runs', name: 'runs', colour: '#1f5fbf' }] },
  {
    title: 'Error rate (%)',
    testId: 'chart-errors',
    series: [{ key: 'errorRatePct', name: 'error %', colour: '#b42318' }],
  },
  {
    title: 'Latency (ms)',
    testId: 'chart-latency',
    series: [
      { key: 'p50Ms', name: 'p50', colour: '#0f8a8a' },
      { key: 'p95Ms', name: 'p95', colour: '#c2570c' },
    ],
  },
  { title: 'Tokens', testId: 'chart-tokens', series: [{ key: 'tokens', name: 'tokens', colour: '#5b4bd6' }] },
  {
    title: 'Runs with findings',
    testId: 'chart-findings',
    series: [{ key: 'withFindings', name: 'with findings', colour: '#9a6700' }],
  },
];

/** `/overview?range=1h|24h|7d|30d&agent=` (or `from`/`to`): trends; a click on a point opens those runs. */
export function OverviewPage({ project }: { project: string }) {
  const { api } = useSession();
  const { search } = useLocation();
  const params = new URLSearchParams(search);
  const agent = params.get('agent') ?? '';
  // The range is resolved once per URL so a re-render does not refetch with a new "now".
  const query = useMemo(() => overviewQuery(new URLSearchParams(search), project, Date.now()), [search, project]);
  const state = useQuery(overviewRead(api, project, query));
  useDocumentTitle(agent === '' ? 'Overview' : `Overview · ${agent}`);

  const setParam = (key: string, value: string) => {
    const next = new URLSearchParams(search);
    if (value === '') next.delete(key);
    else next.set(key, value);
    if (key === 'range') {
      next.delete('from');
      next.delete('to');
    }
    navigate(overviewHref(next));
  };

  return (
    <div className="overview-page" data-testid="overview">
      <PageHeading className="page-title">Overview</PageHeading>
      <div className="overview-controls">
        {Object.keys(RANGES).map((r) => (
          <button type="button" key={r} data-testid={`overview-range-${r}`} onClick={() => setParam('range', r)}>
            {r}
          </button>
        ))}
        {agent !== '' && (
          <span className="chip">
            agent {agent}{' '}
            <button type="button" className="link-button" onClick={() => setParam('agent', '')}>
              ✕
            </button>
          </span>
        )}
      </div>
      {state.isPending && <div className="page-status">Loading overview…</div>}
      {state.error !== null && <ErrorBanner error={state.error} />}
      {state.data !== undefined && <Charts project={project} agent={agent} data={state.data} search={search} />}
    </div>
  );
}

interface ChartsProps {
  project: string;
  agent: string;
  data: OverviewDto;
  search: string;
}

function Charts({ project, agent, data, search }: ChartsProps) {
  const rows = chartRows(data);
  const open = (index: unknown) => {
    const row = rows[Number(index)];
    if (row !== undefined) navigate(bucketRunsHref(project, row.startMs, data.bucketMs, agent));
  };
  return (
    <>
      <p className="muted small" data-testid="overview-meta">
        {data.totals.runs} runs · {(data.totals.errorRate * 100).toFixed(1)}% errors · p50{' '}
        {Math.round(data.totals.p50Ms)} ms · p95 {Math.round(data.totals.p95Ms)} ms · {data.totals.withFindings} with
        findings · read {data.scannedRuns} runs
        {data.truncated && ` (capped at ${data.maxRuns}; older runs of the range are not counted)`}. Click a point to
        open its runs.
      </p>
      <div className="overview-grid">
        {CHARTS.map((c) => (
          <section key={c.testId} className="pane overview-chart" data-testid={c.testId}>
            <h3>{c.title}</h3>
            <ResponsiveContainer width="100%" height={180}>
              <LineChart data={rows} onClick={(s) => open(s?.activeTooltipIndex)}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="label" fontSize={11} />
                <YAxis fontSize={11} width={48} />
                <Tooltip />
                {c.series.length > 1 && <Legend />}
                {c.series.map((s) => (
                  <Line
                    key={s.key}
                    // Straight segments: a smoothed curve between buckets draws runs that never happened.
                    type="linear"
                    dataKey={s.key}
                    name={s.name}
                    stroke={s.colour}
                    dot={false}
                    isAnimationActive={false}
                  />
                ))}
              </LineChart>
            </ResponsiveContainer>
          </section>
        ))}
      </div>
      <table className="grid" data-testid="overview-agents">
        <thead>
          <tr>
            <th>Agent</th>
            <th className="num">Runs</th>
            <th className="num">Error rate</th>
            <th className="num">p50 / p95 ms</th>
            <th className="num">Tokens</th>
            <th className="num">With findings</th>
          </tr>
        </thead>
        <tbody>
          {data.agents.map((a) => (
            <tr key={a.agent}>
              <td>
                <Link to={overviewHref(withParam(search, 'agent', a.agent))}>{a.agent}</Link>
              </td>
              <td className="num">{a.runs}</td>
              <td className="num">{(a.errorRate * 100).toFixed(1)}%</td>
              <td className="num">
                {Math.round(a.p50Ms)} / {Math.round(a.p95Ms)}
              </td>
              <td className="num">{(a.inputTokens + a.outputTokens).toLocaleString('en-US')}</td>
              <td className="num">{a.withFindings}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function withParam(search: string, key: string, value: string): URLSearchParams {
  const next = new URLSearchParams(search);
  next.set(key, value);
  return next;
}
