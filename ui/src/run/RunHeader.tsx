import { type FindingDto, runTitle } from '@casefile/contract';
import type { ReactNode } from 'react';
import { Link } from '../app/Link';
import { PageHeading } from '../app/PageHeading';
import { useSearchParams } from '../app/router';
import type { UiRunSummary, UiStep } from '../lib/model';
import { durationNs, formatDuration, formatTimestampExact } from '../lib/nanos';
import { findingsHref } from '../lib/routes';
import { runModels } from './run-facts';

interface Props {
  run: UiRunSummary;
  steps: readonly UiStep[];
  /** Every finding of the run, the ones the waterfall flags. */
  findings?: readonly FindingDto[];
}

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="fact" data-testid={testId}>
      <div className="fact-label">{label}</div>
      <div className="fact-value">{children}</div>
    </div>
  );
}

const dash = (v: string) => (v === '' ? <span className="muted">—</span> : v);

export function RunHeader({ run, steps, findings = [] }: Props) {
  const flaggedSteps = new Set(findings.map((f) => f.spanId)).size;
  const models = runModels(run, steps);
  const project = useSearchParams().get('project') ?? '';
  return (
    <header className="run-header" data-testid="run-header">
      <div className="run-title">
        <PageHeading>
          <span data-testid="run-title">{runTitle(run)}</span>
        </PageHeading>
        <span className="run-agent muted" data-testid="run-agent" title={`root step: ${run.name}`}>
          {run.agentName || run.serviceName || '(unknown agent)'}
          {run.agentVersion !== '' && <span className="version mono"> {run.agentVersion}</span>}
        </span>
        {run.worstSeverity !== '' && (
          <span
            className={`badge sev sev-${run.worstSeverity}`}
            data-testid="run-severity"
            title={`Worst open finding: ${run.worstSeverity}`}
          >
            {run.worstSeverity}
          </span>
        )}
        <span className={`badge status-${run.status}`} data-testid="run-status">
          {run.status}
        </span>
        {findings.length > 0 && (
          <Link
            to={findingsHref(
              new URLSearchParams(project === '' ? { run: run.traceId } : { project, run: run.traceId }),
            )}
            className="badge findings"
            data-testid="run-findings"
            data-count={findings.length}
            title={`${run.findingCount} open of medium severity or above; the waterfall flags every finding`}
          >
            {findings.length} finding{findings.length === 1 ? '' : 's'} on {flaggedSteps} step
            {flaggedSteps === 1 ? '' : 's'}
          </Link>
        )}
      </div>
      <div className="run-input" data-testid="run-input">
        <span className="fact-label">User input</span>
        <pre className="payload small-payload">{run.runInput === '' ? '—' : run.runInput}</pre>
      </div>
      <div className="facts">
        <Fact label="Prompt version" testId="run-prompt-version">
          <span className="mono">{dash(run.promptVersion)}</span>
        </Fact>
        <Fact label="Policy version" testId="run-policy-version">
          <span className="mono">{dash(run.policyVersion)}</span>
        </Fact>
        <Fact label="Models" testId="run-models">
          <span className="mono">{models.length === 0 ? '—' : models.join(', ')}</span>
        </Fact>
        <Fact label="Duration" testId="run-duration">
          <span className="mono">{formatDuration(durationNs(run.startNs, run.endNs))}</span>
        </Fact>
        <Fact label="Tokens in / out" testId="run-tokens">
          <span className="mono">
            {run.inputTokens.toLocaleString('en-US')} / {run.outputTokens.toLocaleString('en-US')}
          </span>
        </Fact>
        <Fact label="Steps">
          <span className="mono">
            {run.stepCount}
            {run.errorCount > 0 && <span className="err-count"> ({run.errorCount} with errors)</span>}
          </span>
        </Fact>
        <Fact label="Started (UTC)">
          <span className="mono">{formatTimestampExact(run.startNs)}</span>
        </Fact>
        {run.conversationId !== '' && (
          <Fact label="Conversation">
            <span className="mono">{run.conversationId}</span>
          </Fact>
        )}
      </div>
    </header>
  );
}
