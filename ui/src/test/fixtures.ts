/** API answers for component tests, shaped by the contract's schemas (the client parses them). */
import type { AlertRuleDto, FindingDto, RunSummaryDto, StepDto } from '@casefile/contract';
import { makeStep } from '../lib/step-fixture';

export const TRACE = '0af7651916cd43dd8448eb211c80319c';

export function runSummary(fields: Partial<RunSummaryDto> = {}): RunSummaryDto {
  return {
    traceId: TRACE,
    startNs: '1763743387123456789',
    endNs: '1763743388123456789',
    name: 'invoke_agent billing',
    serviceName: 'billing',
    agentName: 'billing',
    agentVersion: '1.2.0',
    conversationId: '',
    status: 'ok',
    stepCount: 1,
    errorCount: 0,
    toolNames: ['send_email'],
    promptVersion: 'p-7',
    policyVersion: 'pol-2',
    models: ['gpt-4.1'],
    inputTokens: 120,
    outputTokens: 30,
    runInput: 'refund order 42',
    findingCount: 0,
    runName: '',
    worstSeverity: '',
    ...fields,
  };
}

/** A step as the API sends it (nanoseconds as decimal strings). */
export function stepDto(fields: Partial<StepDto> & { spanId: string }): StepDto {
  const { startNs = '1763743387123456789', endNs = '1763743388123456789', events = [], ...rest } = fields;
  const step = makeStep({ ...rest, startNs: 0n, endNs: 0n, events: [] });
  return { ...step, startNs, endNs, events };
}

export function finding(fields: Partial<FindingDto> = {}): FindingDto {
  return {
    id: 'a'.repeat(32),
    traceId: TRACE,
    spanId: 'c'.repeat(16),
    ruleId: 'approval.hash_mismatch',
    severity: 'critical',
    reason: "Tool 'issue_refund' ran under approval 'apr_1', which was given for a different action.",
    evidence: 'approved 1e55… executed f7a2…',
    agentName: 'billing',
    toolName: 'issue_refund',
    status: 'open',
    createdNs: '1795290164691000000',
    ...fields,
  };
}

export function alertRule(fields: Partial<Extract<AlertRuleDto, { kind: 'drift' }>> = {}): AlertRuleDto {
  return {
    kind: 'drift',
    id: 'r1',
    name: 'support tool mix',
    enabled: true,
    agentName: 'support',
    toolName: '',
    windowMs: 60_000,
    intervalMs: 2_000,
    renotifyMs: 0,
    severity: 'warning',
    channel: { type: 'webhook', url: 'http://127.0.0.1:1/h', format: 'casefile', secretSet: true },
    metrics: ['tool_mix'],
    reference: { type: 'previous-window' },
    persistence: { breaches: 2, of: 3 },
    minReference: 100,
    minCurrent: 30,
    createdNs: '1',
    updatedNs: '1',
    state: 'ok',
    stateSinceNs: '',
    lastEvaluatedNs: '',
    ...fields,
  };
}
