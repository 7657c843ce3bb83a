import type { FindingDto } from '@casefile/contract';
import { useState } from 'react';
import { Link } from '../app/Link';
import type { UiStep } from '../lib/model';
import { durationNs, formatDuration, formatOffset, formatTimestampExact } from '../lib/nanos';
import { runsFilteredHref } from '../lib/routes';
import { ApprovedActionSection } from './ApprovedAction';
import { Field, Payload, Section, ShowEmptyContext } from './detail-parts';
import { MessagesView } from './MessagesView';
import { spanKindName } from './run-facts';
import { StepFindings } from './StepFindings';
import { ActionSection, ApprovalSection, RawSections, ToolSection } from './step-sections';

interface Props {
  project: string;
  step: UiStep;
  steps: readonly UiStep[];
  runStartNs: bigint;
  stepHref: (spanId: string) => string;
  /** This step's findings, worst first. */
  findings?: readonly FindingDto[];
}

const NO_FINDINGS: readonly FindingDto[] = [];

const tokens = (n: number | null) => (n === null ? '' : n.toLocaleString('en-US'));

export function StepDetail({ project, step: s, steps, runStartNs, stepHref, findings = NO_FINDINGS }: Props) {
  const [showEmpty, setShowEmpty] = useState(false);
  const parentInRun = s.parentSpanId !== '' && steps.some((x) => x.spanId === s.parentSpanId);
  return (
    <ShowEmptyContext.Provider value={showEmpty}>
      <article className="step-detail" data-testid="step-detail" data-span-id={s.spanId}>
        <header className="step-title">
          <span className={`kind kind-${s.kind}`}>{s.kind}</span>
          <h2 data-testid="step-name">{s.name || '(unnamed)'}</h2>
          {/* "unset" is OpenTelemetry's default, not something that happened: only ok and error are shown. */}
          {s.status !== 'unset' && (
            <span className={`badge status-${s.status}`} data-testid="step-status">
              {s.status}
            </span>
          )}
          <label className="show-empty small muted">
            <input type="checkbox" checked={showEmpty} onChange={(e) => setShowEmpty(e.target.checked)} /> show empty
            fields
          </label>
        </header>

        <StepFindings project={project} findings={findings} steps={steps} stepHref={stepHref} />

        {(s.status === 'error' || s.errorType !== '' || s.statusMessage !== '') && (
          <Section title="Error" testId="step-error">
            <Field label="Status">{s.status}</Field>
            <Field label="Error type" attr="error.type" mono>
              {s.errorType}
            </Field>
            <Field label="Message" mono>
              {s.statusMessage}
            </Field>
          </Section>
        )}

        <Section title="Step" testId="step-identity">
          <Field label="Kind" attr="casefile.step.kind">
            {s.kind}
          </Field>
          <Field label="Span ID" mono>
            {s.spanId}
          </Field>
          <Field label="Parent" mono>
            {s.parentSpanId === '' ? (
              ''
            ) : parentInRun ? (
              <Link to={stepHref(s.parentSpanId)} replace>
                {s.parentSpanId}
              </Link>
            ) : (
              `${s.parentSpanId} (not in this run)`
            )}
          </Field>
          <Field label="Trace ID" mono>
            {s.traceId}
          </Field>
          <Field label="Span kind">{spanKindName(s.spanKind)}</Field>
          <Field label="Service" attr="service.name" mono>
            {s.serviceName}
          </Field>
        </Section>

        <Section title="Timing" testId="step-timing">
          <Field label="Start (UTC)" mono>
            {formatTimestampExact(s.startNs)}
          </Field>
          <Field label="End (UTC)" mono>
            {formatTimestampExact(s.endNs)}
          </Field>
          <Field label="Offset" mono>
            {formatOffset(s.startNs - runStartNs)}
          </Field>
          <Field label="Duration" mono testId="step-duration">
            {`${formatDuration(durationNs(s.startNs, s.endNs))} (${durationNs(s.startNs, s.endNs)} ns)`}
          </Field>
        </Section>

        <Section title="Agent" testId="step-agent">
          <Field label="Agent" attr="gen_ai.agent.name" mono>
            {s.agentName}
          </Field>
          <Field label="Agent version" attr="gen_ai.agent.version" mono>
            {s.agentVersion}
          </Field>
          <Field label="Conversation" attr="gen_ai.conversation.id" mono>
            {s.conversationId}
          </Field>
          <Payload label="Run input" attr="casefile.run.input" text={s.runInput} />
          <Field label="Prompt version" attr="casefile.prompt.version" mono>
            {s.promptVersion}
          </Field>
          <Field label="Policy version" attr="casefile.policy.version" mono>
            {s.policyVersion}
          </Field>
        </Section>

        <Section title="Model" testId="step-model">
          <Field label="Provider" attr="gen_ai.provider.name" mono>
            {s.provider}
          </Field>
          <Field label="Requested model" attr="gen_ai.request.model" mono>
            {s.requestModel}
          </Field>
          <Field label="Response model" attr="gen_ai.response.model" mono>
            {s.responseModel}
          </Field>
          <Field label="Input tokens" attr="gen_ai.usage.input_tokens" mono>
            {tokens(s.inputTokens)}
          </Field>
          <Field label="Output tokens" attr="gen_ai.usage.output_tokens" mono>
            {tokens(s.outputTokens)}
          </Field>
        </Section>

        <Section title="Messages" testId="step-messages">
          <MessagesView label="System" attr="gen_ai.system_instructions" text={s.systemInstructions} />
          <MessagesView label="Input" attr="gen_ai.input.messages" text={s.inputMessages} testId="input-messages" />
          <MessagesView
            label="Output"
            attr="gen_ai.output.messages"
            text={s.outputMessages}
            defaultRole="assistant"
            testId="output-messages"
          />
        </Section>

        <Section title="Retrieval" testId="step-retrieval">
          <Field label="Data source" attr="gen_ai.data_source.id" mono>
            {s.dataSourceId}
          </Field>
          <Field label="Query" attr="gen_ai.retrieval.query.text" mono>
            {s.retrievalQuery}
          </Field>
          <Field label="Document IDs" attr="casefile.retrieval.document_ids" testId="document-ids">
            {s.documentIds.length === 0 ? (
              ''
            ) : (
              <ul className="id-list">
                {[...new Set(s.documentIds)].map((id) => (
                  <li key={id}>
                    <span className="mono">{id}</span>{' '}
                    <Link to={runsFilteredHref(project, 'documentId', id)} className="small">
                      runs that read it
                    </Link>
                  </li>
                ))}
              </ul>
            )}
          </Field>
          <Payload label="Documents" attr="gen_ai.retrieval.documents" text={s.documents} />
          {/* A tool's output trust belongs to the tool, not to a retrieval section of its own. */}
          {s.kind !== 'tool' && (
            <Field label="Content trust" attr="casefile.content.trust">
              {s.contentTrust === '' ? '' : <span className={`badge trust-${s.contentTrust}`}>{s.contentTrust}</span>}
            </Field>
          )}
        </Section>

        <ToolSection project={project} step={s} />
        <ApprovedActionSection step={s} steps={steps} stepHref={stepHref} />
        <ApprovalSection project={project} step={s} steps={steps} stepHref={stepHref} />
        <ActionSection step={s} steps={steps} stepHref={stepHref} />
        <RawSections step={s} />
      </article>
    </ShowEmptyContext.Provider>
  );
}
