import type { FindingDto } from '@casefile/contract';
import { runTitle } from '@casefile/contract';
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { ErrorBanner } from '../app/ErrorBanner';
import { Link } from '../app/Link';
import { useDocumentTitle } from '../app/PageHeading';
import { navigate, useLocation } from '../app/router';
import { useSession } from '../app/session';
import { runQuery } from '../data/queries';
import { EvidenceContext } from '../findings/EvidenceMarks';
import { evidenceNeedles } from '../findings/evidence-highlight';
import { bySeverity, worstPerStep } from '../findings/finding-summary';
import type { UiRunDetail } from '../lib/model';
import { compareHref, runHref, runsHref } from '../lib/routes';
import { DataFlowPanel } from '../replay/DataFlowPanel';
import { Player } from '../replay/Player';
import { VersionBadges } from '../replay/VersionBadges';
import { RunHeader } from './RunHeader';
import { StepDetail } from './StepDetail';
import { buildStepRows, neighbourSpanId, visibleRows } from './step-tree';
import { Waterfall } from './Waterfall';
import { runBounds } from './waterfall';

interface Props {
  project: string;
  traceId: string;
}

export function RunPage({ project, traceId }: Props) {
  const { api } = useSession();
  const state = useQuery(runQuery(api, project, traceId));
  const run = state.data?.run;
  useDocumentTitle(`Run ${run === undefined ? traceId : `${runTitle(run)} ${traceId.slice(0, 8)}`}`);
  const back = <Link to={runsHref(new URLSearchParams(project === '' ? {} : { project }))}>← Runs</Link>;

  if (state.isPending) return <div className="page-status">{back} Loading run…</div>;
  if (state.data === undefined) {
    return (
      <div className="page-status">
        {back}
        <ErrorBanner error={state.error} />
      </div>
    );
  }
  if (state.data === null) {
    return (
      <div className="page-status" data-testid="run-not-found">
        {back} No run <code>{traceId}</code> in this project.
      </div>
    );
  }
  return <RunView project={project} detail={state.data} back={back} />;
}

const NO_FINDINGS: readonly FindingDto[] = [];

function isTyping(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
  );
}

function RunView({ project, detail, back }: { project: string; detail: UiRunDetail; back: ReactNode }) {
  const { search } = useLocation();
  const requested = new URLSearchParams(search).get('step');
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());

  const rows = useMemo(() => buildStepRows(detail.steps), [detail.steps]);
  const bounds = useMemo(() => runBounds(detail.steps), [detail.steps]);
  const shown = useMemo(() => visibleRows(rows, collapsed), [rows, collapsed]);

  const requestedStep = requested === null ? undefined : detail.steps.find((s) => s.spanId === requested);
  const selected = requestedStep ?? rows[0]?.step;
  const selectedId = selected?.spanId ?? null;
  const traceId = detail.run.traceId;
  // Status changes made on this page (mark expected, mute, reopen) update the cached run in place.
  const findings = detail.findings ?? NO_FINDINGS;
  const findingSpans = useMemo(() => new Set(findings.map((f) => f.spanId)), [findings]);
  const findingSeverity = useMemo(() => worstPerStep(findings), [findings]);
  const stepFindings = useMemo(
    () => bySeverity(findings.filter((f) => f.spanId === selectedId)),
    [findings, selectedId],
  );
  const evidence = useMemo(() => evidenceNeedles(stepFindings), [stepFindings]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
      const delta = e.key === 'ArrowDown' || e.key === 'j' ? 1 : e.key === 'ArrowUp' || e.key === 'k' ? -1 : 0;
      if (delta === 0) return;
      e.preventDefault();
      const next = neighbourSpanId(shown, selectedId, delta);
      if (next !== null) navigate(runHref(project, traceId, next), { replace: true });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [shown, selectedId, project, traceId]);

  // Stable callbacks: the waterfall's rows are memoised on them.
  const toggle = useCallback(
    (spanId: string) =>
      setCollapsed((prev) => {
        const next = new Set(prev);
        if (!next.delete(spanId)) next.add(spanId);
        return next;
      }),
    [],
  );
  const stepHref = useCallback((spanId: string) => runHref(project, traceId, spanId), [project, traceId]);

  return (
    <div className="run-page">
      <div className="crumbs">
        {back} <span className="muted">/</span> <span className="mono">{traceId}</span>{' '}
        <Link to={compareHref(project, traceId, '')} data-testid="compare-with">
          Compare with…
        </Link>
      </div>
      <RunHeader run={detail.run} steps={detail.steps} findings={findings} />
      <VersionBadges project={project} run={detail.run} />
      <Player
        steps={detail.steps}
        selectedId={selectedId}
        findingSpans={findingSpans}
        hasFindings={findings.length > 0}
        stepHref={stepHref}
      />
      <DataFlowPanel steps={detail.steps} stepHref={stepHref} />
      {requested !== null && requestedStep === undefined && (
        <div className="notice" data-testid="step-missing">
          Step <code>{requested}</code> is not part of this run; showing the root step.
        </div>
      )}
      <div className="run-panes">
        <section className="pane waterfall-pane" aria-label="Timeline">
          <Waterfall
            rows={shown}
            bounds={bounds}
            selectedId={selectedId}
            collapsed={collapsed}
            onToggle={toggle}
            findingSeverity={findingSeverity}
            stepHref={stepHref}
          />
          <p className="muted small hint">
            ↑/↓ (or j/k) move through rows · ←/→ through time · ? for all shortcuts · click ▸ to fold a branch
          </p>
        </section>
        <section className="pane detail-pane" aria-label="Step detail">
          {selected !== undefined ? (
            <EvidenceContext.Provider value={evidence}>
              <StepDetail
                key={selected.spanId}
                project={project}
                step={selected}
                steps={detail.steps}
                runStartNs={bounds.startNs}
                stepHref={stepHref}
                findings={stepFindings}
              />
            </EvidenceContext.Provider>
          ) : (
            <div className="page-status">This run has no steps.</div>
          )}
        </section>
      </div>
    </div>
  );
}
