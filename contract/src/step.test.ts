import { describe, expect, it } from 'vitest';
import { findingToDto, type StoredFinding } from './findings.js';
import { runDetailSchema, runToDto } from './run.js';
import { emptyStep, STEP_FIELD_NAMES, STEP_FIELDS, type Step, stepSchema, stepToDto } from './step.js';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const SPAN = 'b7ad6b7169203331';

function fullStep(): Step {
  return {
    ...emptyStep('p1', TRACE, SPAN),
    name: 'send_email',
    kind: 'tool',
    spanKind: 3,
    startNs: 1_700_000_000_000_000_001n,
    endNs: 18_446_744_073_709_551_615n,
    status: 'error',
    inputTokens: 12,
    toolRisk: 'external',
    contentTrust: 'untrusted',
    documentIds: ['doc-1'],
    redactionRules: ['email'],
    attributes: { 'gen_ai.tool.name': 'send_email' },
    events: [{ timeNs: 1_700_000_000_000_000_002n, name: 'exception', attributes: { 'exception.type': 'Error' } }],
  };
}

describe('the step field list', () => {
  it('gives emptyStep every field, in list order, with the ids it was given', () => {
    const step = emptyStep('p1', TRACE, SPAN);
    expect(Object.keys(step)).toEqual(STEP_FIELD_NAMES);
    expect(step).toMatchObject({ projectId: 'p1', traceId: TRACE, spanId: SPAN, kind: 'other', status: 'unset' });
    expect(step.inputTokens).toBeNull();
    expect(step.startNs).toBe(0n);
  });

  it('gives every empty step its own lists and maps', () => {
    const a = emptyStep('p', TRACE, SPAN);
    const b = emptyStep('p', TRACE, SPAN);
    a.documentIds.push('doc');
    a.attributes.x = 'y';
    a.events.push({ timeNs: 1n, name: 'e', attributes: {} });
    expect(b.documentIds).toEqual([]);
    expect(b.attributes).toEqual({});
    expect(b.events).toEqual([]);
  });

  it('puts every field but the project on the wire', () => {
    expect(Object.keys(stepSchema.shape)).toEqual(STEP_FIELD_NAMES.filter((f) => f !== 'projectId'));
    expect(STEP_FIELDS.projectId.wire).toBe(false);
  });

  it('round-trips a step through its DTO and the wire schema, nanoseconds beyond 2^53 exact', () => {
    const step = fullStep();
    const parsed = stepSchema.parse(JSON.parse(JSON.stringify(stepToDto(step))));
    expect(parsed.endNs).toBe('18446744073709551615');
    expect(parsed.events[0]?.timeNs).toBe('1700000000000000002');
    const { projectId: _p, startNs: _s, endNs: _e, events: _ev, ...rest } = step;
    expect(parsed).toMatchObject(rest);
  });

  it('checks closed sets on the wire and names the field that is wrong', () => {
    const dto = stepToDto(fullStep());
    const result = stepSchema.safeParse({ ...dto, kind: 'banana' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['kind']);
    expect(stepSchema.safeParse({ ...dto, startNs: '1.5' }).success).toBe(false);
    const { traceId: _t, ...missing } = dto;
    expect(stepSchema.safeParse(missing).error?.issues[0]?.path).toEqual(['traceId']);
  });

  it('keeps tool risk and content trust open on the wire, so a client shows what a server sends', () => {
    const dto = stepToDto(fullStep());
    expect(stepSchema.parse({ ...dto, toolRisk: 'IRREVERSIBLE', contentTrust: 'partly' })).toMatchObject({
      toolRisk: 'IRREVERSIBLE',
      contentTrust: 'partly',
    });
  });
});

describe('DTOs', () => {
  it('sends a run with its steps and findings as the run page parses them', () => {
    const step = fullStep();
    const finding: StoredFinding = {
      projectId: 'p1',
      id: 'f'.repeat(32),
      createdNs: 1_700_000_000_000_000_003n,
      agentName: 'support',
      toolName: 'send_email',
      status: 'open',
      ruleId: 'flow.untrusted_to_tool',
      severity: 'high',
      traceId: TRACE,
      spanId: SPAN,
      reason: 'untrusted content reached a tool',
      evidence: 'x',
    };
    const run = {
      traceId: TRACE,
      startNs: step.startNs,
      endNs: step.endNs,
      name: 'run',
      serviceName: 'svc',
      agentName: 'support',
      agentVersion: '1',
      conversationId: '',
      status: 'error' as const,
      stepCount: 1,
      errorCount: 1,
      toolNames: ['send_email'],
      promptVersion: '',
      policyVersion: '',
      models: [],
      inputTokens: 12,
      outputTokens: 0,
      runInput: '',
      findingCount: 1,
    };
    const body = JSON.parse(
      JSON.stringify({ run: runToDto(run), steps: [stepToDto(step)], findings: [findingToDto(finding)] }),
    );
    const parsed = runDetailSchema.parse(body);
    expect(parsed.run.endNs).toBe('18446744073709551615');
    expect(parsed.findings?.[0]).not.toHaveProperty('projectId');
    expect(parsed.findings?.[0]?.createdNs).toBe('1700000000000000003');
  });
});
