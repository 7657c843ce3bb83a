import type { ReactNode } from 'react';
import { Link } from '../app/Link';
import type { UiStep } from '../lib/model';
import { formatOffset, formatTimestampExact } from '../lib/nanos';
import { runsFilteredHref } from '../lib/routes';
import { approvalBinding, approvalsForAction } from './approval-binding';
import { Field, KvTable, Payload, Section } from './detail-parts';
import { sortedEntries } from './run-facts';

export function ToolSection({ project, step: s }: { project: string; step: UiStep }) {
  return (
    <Section title="Tool" testId="step-tool">
      <Field label="Tool" attr="gen_ai.tool.name" mono>
        {s.toolName === '' ? (
          ''
        ) : (
          <>
            {s.toolName}{' '}
            <Link to={runsFilteredHref(project, 'tool', s.toolName)} className="small">
              other runs
            </Link>
          </>
        )}
      </Field>
      <Field label="Call ID" attr="gen_ai.tool.call.id" mono>
        {s.toolCallId}
      </Field>
      <Field label="Risk" attr="casefile.tool.risk" testId="tool-risk">
        {s.toolRisk === '' ? '' : <span className={`badge risk-${s.toolRisk}`}>{s.toolRisk}</span>}
      </Field>
      <Payload label="Arguments" attr="gen_ai.tool.call.arguments" text={s.toolArguments} testId="tool-arguments" />
      <Payload label="Result" attr="gen_ai.tool.call.result" text={s.toolResult} testId="tool-result" />
      <Field label="Output trust" attr="casefile.content.trust" testId="tool-output-trust">
        {s.contentTrust === '' ? '' : <span className={`badge trust-${s.contentTrust}`}>{s.contentTrust}</span>}
      </Field>
    </Section>
  );
}

interface RunScoped {
  project?: string;
  step: UiStep;
  steps: readonly UiStep[];
  stepHref: (spanId: string) => string;
}

function StepLinks({
  spanIds,
  steps,
  stepHref,
}: {
  spanIds: string[];
  steps: readonly UiStep[];
  stepHref: RunScoped['stepHref'];
}) {
  return (
    <>
      {spanIds.map((id, i) => {
        const target = steps.find((x) => x.spanId === id);
        return (
          <span key={id}>
            {i > 0 && ', '}
            <Link to={stepHref(id)} replace className="mono">
              {target?.name || id}
            </Link>
          </span>
        );
      })}
    </>
  );
}

/** The verdict as content for a Field, or '' (so the field hides) when there is nothing to compare. */
function bindingVerdict({ step, steps, stepHref }: RunScoped): ReactNode {
  const b = approvalBinding(step, steps);
  switch (b.kind) {
    case 'none':
      return '';
    case 'no-action-hash':
      return <span className="verdict warn">no step in this run records an action hash to compare with</span>;
    case 'bound':
      return (
        <span className={`verdict ${b.executedBeforeApproval ? 'bad' : 'good'}`}>
          {b.executedBeforeApproval
            ? '✕ equal, but the action ran before the approval: '
            : '✓ equals the action hash of '}
          <StepLinks spanIds={b.toolSpanIds} steps={steps} stepHref={stepHref} />
          {b.toolSpanIds.length > 1 && ' (one approval, several actions)'}
        </span>
      );
    case 'mismatch':
      return (
        <span className="verdict bad">
          ✕ does not equal the action hash of{' '}
          <StepLinks spanIds={b.candidates.map((c) => c.spanId)} steps={steps} stepHref={stepHref} />
          {b.candidates.map((c) => (
            <span key={c.spanId} className="mono small block">
              {c.actionHash}
            </span>
          ))}
        </span>
      );
  }
}

export function ApprovalSection({ project = '', step: s, steps, stepHref }: RunScoped) {
  return (
    <Section title="Approval" testId="step-approval">
      <Field label="Approval ID" attr="casefile.approval.id" mono>
        {s.approvalId === '' ? (
          ''
        ) : (
          <>
            {s.approvalId}{' '}
            <Link to={runsFilteredHref(project, 'approvalId', s.approvalId)} className="small">
              runs that used it
            </Link>
          </>
        )}
      </Field>
      <Field label="Decision" attr="casefile.approval.decision">
        {s.approvalDecision === '' ? (
          ''
        ) : (
          <span className={`badge decision-${s.approvalDecision}`}>{s.approvalDecision}</span>
        )}
      </Field>
      <Field label="Approver" attr="casefile.approval.approver" mono>
        {s.approver}
      </Field>
      <Field label="Action hash" attr="casefile.approval.action_hash" mono>
        {s.approvalActionHash}
      </Field>
      <Field label="Binding" testId="approval-binding">
        {bindingVerdict({ step: s, steps, stepHref })}
      </Field>
    </Section>
  );
}

export function ActionSection({ step: s, steps, stepHref }: RunScoped) {
  const approvals = approvalsForAction(s, steps).filter((a) => a !== s);
  return (
    <Section title="Action & policy" testId="step-action">
      <Field label="Action hash" attr="casefile.action.hash" mono>
        {s.actionHash}
      </Field>
      <Field label="Authorised by" testId="action-approvals">
        {s.actionHash === '' ? (
          ''
        ) : approvals.length === 0 ? (
          <span className="verdict warn">no approval in this run carries this action hash</span>
        ) : (
          <StepLinks spanIds={approvals.map((a) => a.spanId)} steps={steps} stepHref={stepHref} />
        )}
      </Field>
      <Payload label="Action result" attr="casefile.action.result" text={s.actionResult} />
      <Field label="Policy decision" attr="casefile.policy.decision" mono>
        {s.policyDecision}
      </Field>
    </Section>
  );
}

export function RawSections({ step: s }: { step: UiStep }) {
  return (
    <>
      <Section title="Redaction" testId="step-redaction">
        <Field label="Values redacted" attr="casefile.redaction.count" mono>
          {s.redactionCount === 0 ? '' : String(s.redactionCount)}
        </Field>
        <Field label="Rules" attr="casefile.redaction.rules" mono>
          {s.redactionRules.length === 0 ? '' : s.redactionRules.join(', ')}
        </Field>
      </Section>
      <section className="detail-section" data-testid="step-attributes">
        <h3>Attributes ({Object.keys(s.attributes).length})</h3>
        <KvTable entries={sortedEntries(s.attributes)} testId="attributes-table" />
      </section>
      <section className="detail-section" data-testid="step-resource">
        <h3>Resource attributes ({Object.keys(s.resourceAttributes).length})</h3>
        <KvTable entries={sortedEntries(s.resourceAttributes)} />
      </section>
      <section className="detail-section" data-testid="step-events">
        <h3>Events ({s.events.length})</h3>
        {s.events.length === 0 && <p className="muted small">none</p>}
        {s.events.map((e, i) => (
          // Events have no ID; their order within the span is their identity.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above.
          <div key={i} className="event">
            <div className="event-head">
              <span className="mono strong">{e.name || '(unnamed event)'}</span>{' '}
              <span className="mono muted small" title={formatTimestampExact(e.timeNs)}>
                {formatOffset(e.timeNs - s.startNs)} into the step
              </span>
            </div>
            <KvTable entries={sortedEntries(e.attributes)} />
          </div>
        ))}
      </section>
    </>
  );
}
