import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { Link } from '../app/Link';
import { PageHeading, useDocumentTitle } from '../app/PageHeading';
import { useLocation } from '../app/router';
import { useSession } from '../app/session';
import { runQuery, runsPageQuery } from '../data/queries';
import type { UiRunDetail, UiStep } from '../lib/model';
import { formatTimestampExact } from '../lib/nanos';
import { compareHref, runHref } from '../lib/routes';
import { timeOrder } from '../replay/player';
import { type AlignedPair, alignSteps, jsonDiff, pairDifferences } from './align';
import { factRows, runFacts } from './run-diff';

/** `/compare?a=&b=`: two runs side by side, steps aligned, differences highlighted. */
export function ComparePage({ project }: { project: string }) {
  const { search } = useLocation();
  const params = new URLSearchParams(search);
  const a = params.get('a') ?? '';
  const b = params.get('b') ?? '';
  const { api } = useSession();
  useDocumentTitle('Compare runs');
  // Both runs load side by side (the same cache entries as their run pages).
  const runA = useQuery({ ...runQuery(api, project, a), enabled: a !== '' });
  const runB = useQuery({ ...runQuery(api, project, b), enabled: b !== '' });
  if (a === '') return <div className="page-status">Choose a run to compare from its run page.</div>;
  const failed = runA.error ?? runB.error;
  if (failed !== null) return <ErrorBanner error={failed} />;
  if (runA.data === undefined || (b !== '' && runB.data === undefined)) {
    return <div className="page-status">Loading runs…</div>;
  }
  const ra = runA.data;
  const rb = runB.data ?? null;
  if (ra === null)
    return (
      <div className="page-status" data-testid="run-not-found">
        No run {a} in this project.
      </div>
    );
  if (b === '' || rb === null) return <PickOther project={project} run={ra} missing={b !== '' ? b : undefined} />;
  return <CompareView project={project} a={ra} b={rb} />;
}

function PickOther({ project, run, missing }: { project: string; run: UiRunDetail; missing: string | undefined }) {
  const { api } = useSession();
  const agent = run.run.agentName;
  const q = new URLSearchParams({ limit: '50' });
  if (project !== '') q.set('project', project);
  if (agent !== '') q.set('agent', agent);
  const state = useQuery(runsPageQuery(api, project, q));
  return (
    <div className="compare-pick" data-testid="compare-pick">
      {missing !== undefined && <div className="notice">No run {missing} in this project.</div>}
      <PageHeading className="page-title">
        Compare {agent || 'run'} {run.run.traceId} with…
      </PageHeading>
      {state.data !== undefined ? (
        <ul>
          {state.data.runs
            .filter((r) => r.traceId !== run.run.traceId)
            .map((r) => (
              <li key={r.traceId}>
                <Link
                  to={compareHref(project, run.run.traceId, r.traceId)}
                  data-testid="compare-candidate"
                  data-trace-id={r.traceId}
                >
                  {formatTimestampExact(r.startNs)} · {r.status} · {r.toolNames.join(', ') || 'no tools'}
                </Link>
              </li>
            ))}
        </ul>
      ) : state.error !== null ? (
        <ErrorBanner error={state.error} />
      ) : (
        <div className="muted">Loading runs of the same agent…</div>
      )}
    </div>
  );
}

function stepLabel(s: UiStep): string {
  return `${s.kind}${s.toolName !== '' ? ` ${s.toolName}` : ''} · ${s.name}`;
}

function Cell({
  step,
  diffs,
  project,
  other,
}: {
  step: UiStep | undefined;
  diffs: string[];
  project: string;
  other: UiStep | undefined;
}) {
  if (step === undefined) return <div className="cmp-cell empty" />;
  const cls = other === undefined ? 'gap' : diffs.length > 0 ? 'diff' : '';
  const changes =
    other !== undefined && diffs.includes('arguments') ? jsonDiff(other.toolArguments, step.toolArguments) : [];
  return (
    <div
      className={`cmp-cell ${cls}`}
      data-testid="compare-cell"
      data-kind={step.kind}
      data-tool={step.toolName}
      data-differs={cls !== ''}
    >
      <Link to={runHref(project, step.traceId, step.spanId)}>{stepLabel(step)}</Link>
      {diffs.length > 0 && other !== undefined && <div className="small muted">differs: {diffs.join(', ')}</div>}
      {changes.slice(0, 5).map((c) => (
        <div key={c.path} className="small mono">
          {c.path}: {c.b ?? '(absent)'}
        </div>
      ))}
    </div>
  );
}

function CompareView({ project, a, b }: { project: string; a: UiRunDetail; b: UiRunDetail }) {
  const pairs = useMemo(() => alignSteps(timeOrder(a.steps), timeOrder(b.steps)), [a.steps, b.steps]);
  const facts = factRows(runFacts(a.run, a.steps), runFacts(b.run, b.steps));
  const differing = pairs.filter((p) => pairDifferences(p).length > 0).length;
  return (
    <div className="compare-page" data-testid="compare">
      <PageHeading className="page-title">
        Compare <Link to={runHref(project, a.run.traceId)}>{a.run.traceId}</Link> ·{' '}
        <Link to={runHref(project, b.run.traceId)}>{b.run.traceId}</Link>
      </PageHeading>
      <table className="facts-table" data-testid="compare-facts">
        <tbody>
          {facts.map((f) => (
            <tr key={f.label} className={f.differs ? 'differs' : ''} data-differs={f.differs}>
              <th>{f.label}</th>
              <td className={f.differs ? 'cmp-cell diff' : ''}>{f.a || '—'}</td>
              <td className={f.differs ? 'cmp-cell diff' : ''}>{f.b || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted">
        {pairs.length} aligned rows, {differing} differ.
      </p>
      <div className="cmp-grid" data-testid="compare-steps">
        {pairs.map((p: AlignedPair, i) => {
          const diffs = pairDifferences(p);
          return (
            // Aligned rows have no identity of their own; their position is it.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            <div className="cmp-row" key={i}>
              <Cell step={p.a} other={p.b} diffs={diffs} project={project} />
              <Cell step={p.b} other={p.a} diffs={diffs} project={project} />
            </div>
          );
        })}
      </div>
    </div>
  );
}
