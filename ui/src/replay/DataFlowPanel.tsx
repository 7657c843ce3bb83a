import { useMemo, useState } from 'react';
import { Link } from '../app/Link';
import type { UiStep } from '../lib/model';
import { dataFlow, isHighRisk, type UntrustedInput } from './data-flow';

function describe(input: UntrustedInput): string {
  switch (input.kind) {
    case 'user-input':
      return `user input: ${input.text.length > 120 ? `${input.text.slice(0, 120)}…` : input.text}`;
    case 'documents':
      return `retrieved ${input.documentIds.length > 0 ? input.documentIds.join(', ') : 'documents'}${input.dataSourceId !== '' ? ` from ${input.dataSourceId}` : ''}`;
    case 'tool-output':
      return `output of ${input.toolName}`;
    case 'untrusted-content':
      return `untrusted content in ${input.name || input.spanId}`;
  }
}

/**
 * For every high-risk tool call, the untrusted inputs the agent had seen before it (one per step, so
 * span IDs key them). Folded at first; its list is built and rendered only once opened, because a long
 * run's list is every risky call times every input before it (thousands of rows for a run of 2,000
 * steps) and the page re-renders as the selection moves.
 */
export function DataFlowPanel({ steps, stepHref }: { steps: readonly UiStep[]; stepHref: (id: string) => string }) {
  const [open, setOpen] = useState(false);
  const calls = useMemo(() => steps.filter(isHighRisk).length, [steps]);
  if (calls === 0) return null;
  return (
    <details
      className="data-flow pane"
      data-testid="data-flow"
      open={open}
      onToggle={(e) => setOpen(e.currentTarget.open)}
    >
      <summary>
        Data flow into {calls} high-risk call{calls === 1 ? '' : 's'}
      </summary>
      {open && <DataFlowList steps={steps} stepHref={stepHref} />}
    </details>
  );
}

function DataFlowList({ steps, stepHref }: { steps: readonly UiStep[]; stepHref: (id: string) => string }) {
  const flows = useMemo(() => dataFlow(steps), [steps]);
  return (
    <>
      {flows.map((f) => (
        <div key={f.step.spanId} data-testid="data-flow-call" data-span-id={f.step.spanId}>
          <Link to={stepHref(f.step.spanId)} replace>
            {f.step.toolName}
          </Link>{' '}
          <span className="muted small">({f.step.toolRisk})</span>
          {f.inputs.length === 0 ? (
            <div className="muted small">no untrusted input before it</div>
          ) : (
            <ol>
              {f.inputs.map((input) => (
                <li key={input.spanId}>
                  <Link to={stepHref(input.spanId)} replace>
                    {describe(input)}
                  </Link>
                </li>
              ))}
            </ol>
          )}
        </div>
      ))}
    </>
  );
}
