import { Link } from '../app/Link';
import type { UiStep } from '../lib/model';
import { dataFlow, type UntrustedInput } from './data-flow';

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

/** For every high-risk tool call, the untrusted inputs the agent had seen before it (one per step, so span IDs key them). */
export function DataFlowPanel({ steps, stepHref }: { steps: readonly UiStep[]; stepHref: (id: string) => string }) {
  const flows = dataFlow(steps);
  if (flows.length === 0) return null;
  return (
    <details className="data-flow pane" data-testid="data-flow">
      <summary>
        Data flow into {flows.length} high-risk call{flows.length === 1 ? '' : 's'}
      </summary>
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
    </details>
  );
}
