import { runTitle, worstSeverity } from '@casefile/contract';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
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
import '../findings/findings.css';
import { type AlignedPair, alignSteps, jsonDiff, pairDifferences } from './align';
import { factRows, matchesRunText, runFacts } from './run-diff';

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
  const [anyAgent, setAnyAgent] = useState(false);
  const [text, setText] = useState('');
  const q = new URLSearchParams({ limit: '100' });
  if (project !== '') q.set('project', project);
  if (agent !== '' && !anyAgent) q.set('agent', agent);
  const state = useQuery(runsPageQuery(api, project, q));
  const candidates = (state.data?.runs ?? [])
    .filter((r) => r.traceId !== run.run.traceId)
    .filter((r) => matchesRunText(r, text));
  return (
    <div className="compare-pick" data-testid="compare-pick">
      {missing !== undefined && <div className="notice">No run {missing} in this project.</div>}
      <PageHeading className="page-title">Compare “{runTitle(run.run)}” with…</PageHeading>
      <SideCard side="A" project={project} detail={run} />
      <div className="compare-pick-filters">
        <label>
          Find by name or input{' '}
          <input
            type="search"
            data-testid="compare-filter"
            value={text}
            placeholder="e.g. refund, order 1234"
            onChange={(e) => setText(e.target.value)}
          />
        </label>
        {agent !== '' && (
          <label>
            <input type="checkbox" checked={anyAgent} onChange={(e) => setAnyAgent(e.target.checked)} /> runs of every
            agent, not only {agent}
          </label>
        )}
      </div>
      {state.data !== undefined ? (
        candidates.length === 0 ? (
          <div className="muted" data-testid="compare-none">
            No other run {text.trim() !== '' ? `matches “${text.trim()}”` : 'to compare with'} among the latest{' '}
            {state.data.runs.length}.
          </div>
        ) : (
          <ul className="compare-candidates">
            {candidates.map((r) => (
              <li key={r.traceId}>
                <Link
                  to={compareHref(project, run.run.traceId, r.traceId)}
                  data-testid="compare-candidate"
                  data-trace-id={r.traceId}
                >
                  <span className="strong">{runTitle(r)}</span>
                </Link>{' '}
                <span className={`badge status-${r.status}`}>{r.status}</span>
                {r.worstSeverity !== '' && (
                  <span className={`badge sev sev-${r.worstSeverity}`}>{r.worstSeverity}</span>
                )}
                <div className="muted small">
                  {formatTimestampExact(r.startNs)} · {r.agentName || r.serviceName} ·{' '}
                  <span className="mono">{r.runInput || r.traceId}</span> · {r.toolNames.join(', ') || 'no tools'}
                </div>
              </li>
            ))}
          </ul>
        )
      ) : state.error !== null ? (
        <ErrorBanner error={state.error} />
      ) : (
        <div className="muted">Loading runs…</div>
      )}
    </div>
  );
}

/** One side of a comparison: which run it is (name, input, status, findings), not just its trace ID. */
function SideCard({ side, project, detail }: { side: 'A' | 'B'; project: string; detail: UiRunDetail }) {
  const r = detail.run;
  const findings = detail.findings ?? [];
  const worst = worstSeverity(findings.map((f) => f.severity));
  return (
    <div className="compare-side" data-testid={`compare-side-${side.toLowerCase()}`}>
      <div className="compare-side-title">
        <span className="side-tag">{side}</span>
        <Link to={runHref(project, r.traceId)} className="strong" data-testid="compare-side-title">
          {runTitle(r)}
        </Link>
        <span className={`badge status-${r.status}`}>{r.status}</span>
        {findings.length > 0 ? (
          <span className={`badge sev sev-${worst}`} data-testid="compare-side-findings">
            {findings.length} finding{findings.length === 1 ? '' : 's'} · worst {worst}
          </span>
        ) : (
          <span className="muted small" data-testid="compare-side-findings">
            no findings
          </span>
        )}
      </div>
      <div className="muted small">
        {r.agentName || r.serviceName}
        {r.agentVersion !== '' && ` ${r.agentVersion}`} · {formatTimestampExact(r.startNs)} ·{' '}
        <span className="mono">{r.traceId}</span>
      </div>
      <pre className="payload small-payload" data-testid="compare-side-input">
        {r.runInput === '' ? '—' : r.runInput}
      </pre>
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
        Compare “{runTitle(a.run)}” with “{runTitle(b.run)}”
      </PageHeading>
      <div className="compare-sides">
        <SideCard side="A" project={project} detail={a} />
        <SideCard side="B" project={project} detail={b} />
      </div>
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
