import { Link } from '../app/Link';
import type { UiStep } from '../lib/model';
import { approvalForTool, type ToolApproval, toolForApproval } from './approved-action';
import { Field, Section } from './detail-parts';

interface Props {
  step: UiStep;
  steps: readonly UiStep[];
  stepHref: (spanId: string) => string;
}

function Verdict({ c, executedLabel }: { c: ToolApproval; executedLabel: string }) {
  const changed = c.rows.filter((r) => r.differs).map((r) => r.path || 'arguments');
  if (!c.differs) {
    return <span className="verdict good">✓ {executedLabel} ran as approved</span>;
  }
  const what = [c.toolDiffers ? 'the tool' : '', ...changed].filter((w) => w !== '');
  return (
    <span className="verdict bad" data-testid="approved-action-differs">
      ✕ {executedLabel} differs from what was approved
      {what.length > 0 ? `: ${what.join(', ')}` : c.action === null ? ' (the approval records only a hash)' : ''}
    </span>
  );
}

function Comparison({ c, toolName }: { c: ToolApproval; toolName: string }) {
  const approvedTool = c.action?.tool || '—';
  return (
    <table className="approved-vs-executed" data-testid="approved-vs-executed">
      <thead>
        <tr>
          <th scope="col">argument</th>
          <th scope="col">approved</th>
          <th scope="col">executed</th>
        </tr>
      </thead>
      <tbody>
        <tr className={c.toolDiffers ? 'differs' : undefined} data-differs={c.toolDiffers ? 'true' : undefined}>
          <th scope="row">tool</th>
          <td className="mono">{approvedTool}</td>
          <td className="mono">{toolName || '—'}</td>
        </tr>
        {c.rows.map((r) => (
          <tr
            key={r.path}
            className={r.differs ? 'differs' : undefined}
            data-differs={r.differs ? 'true' : undefined}
            data-testid="approved-argument"
          >
            <th scope="row" className="mono">
              {r.path || 'arguments'}
            </th>
            <td className="mono">{r.approved ?? <span className="muted">absent</span>}</td>
            <td className="mono">{r.executed ?? <span className="muted">absent</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * On a tool step: the approval it ran under and what that approval approved, argument by argument
 * beside what ran. On an approval step: the same comparison with the tool step it bound.
 */
export function ApprovedActionSection({ step, steps, stepHref }: Props) {
  if (step.kind === 'tool') {
    const c = approvalForTool(step, steps);
    if (!c) return null;
    const a = c.approval;
    return (
      <Section title="Approved action" testId="approved-action">
        <Field label="Approval">
          <Link to={stepHref(a.spanId)} replace>
            {a.name || a.approvalId || a.spanId}
          </Link>
          {a.approvalDecision !== '' && (
            <span className={`badge decision-${a.approvalDecision}`}>{a.approvalDecision}</span>
          )}
          {a.approver !== '' && <span className="small"> by {a.approver}</span>}
        </Field>
        <Field label="Verdict" testId="approved-action-verdict">
          <Verdict c={c} executedLabel="this call" />
        </Field>
        {c.action !== null && (
          <Field label="Approved vs executed">
            <Comparison c={c} toolName={step.toolName} />
          </Field>
        )}
      </Section>
    );
  }
  if (step.kind === 'approval') {
    const c = toolForApproval(step, steps);
    const action = c?.action;
    if (!c || !action) return null;
    return (
      <Section title="Approved action" testId="approved-action">
        <Field label="Executed by">
          <Link to={stepHref(c.tool.spanId)} replace>
            {c.tool.name || c.tool.spanId}
          </Link>
        </Field>
        <Field label="Verdict" testId="approved-action-verdict">
          <Verdict c={c} executedLabel="the call" />
        </Field>
        <Field label="Approved vs executed">
          <Comparison c={c} toolName={c.tool.toolName} />
        </Field>
      </Section>
    );
  }
  return null;
}
