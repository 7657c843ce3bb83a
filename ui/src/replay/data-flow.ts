/**
 * Data flow into risky actions: for every high-risk tool call (write, external, irreversible), the
 * untrusted inputs the agent had seen before it, in order. This is where a prompt injection would
 * have come from, so the investigator reads them first.
 */
import type { UiStep } from '../lib/model';
import { timeOrder } from './player';

export const HIGH_RISK = new Set(['write', 'external', 'irreversible']);

export type UntrustedInput =
  | { kind: 'user-input'; spanId: string; text: string }
  | { kind: 'documents'; spanId: string; documentIds: string[]; dataSourceId: string }
  | { kind: 'tool-output'; spanId: string; toolName: string }
  | { kind: 'untrusted-content'; spanId: string; name: string };

export interface RiskyCall {
  step: UiStep;
  inputs: UntrustedInput[];
}

export function isHighRisk(step: UiStep): boolean {
  return step.toolName !== '' && HIGH_RISK.has(step.toolRisk.toLowerCase());
}

/** What untrusted content a step brought into the agent's context, if any. */
function untrustedFrom(step: UiStep, seenInput: Set<string>): UntrustedInput | null {
  if (step.runInput !== '' && !seenInput.has(step.runInput)) {
    seenInput.add(step.runInput);
    return { kind: 'user-input', spanId: step.spanId, text: step.runInput };
  }
  if (step.kind === 'retrieval' || step.documentIds.length > 0) {
    return { kind: 'documents', spanId: step.spanId, documentIds: step.documentIds, dataSourceId: step.dataSourceId };
  }
  if (step.contentTrust.toLowerCase() === 'untrusted') {
    return { kind: 'untrusted-content', spanId: step.spanId, name: step.name };
  }
  if (step.toolName !== '' && step.toolResult !== '') {
    return { kind: 'tool-output', spanId: step.spanId, toolName: step.toolName };
  }
  return null;
}

/**
 * Every high-risk call with the untrusted inputs that ended before it started (a tool output is
 * only visible to the agent once the tool has returned).
 */
export function dataFlow(steps: readonly UiStep[]): RiskyCall[] {
  const order = timeOrder(steps);
  const seenInput = new Set<string>();
  const sources: { endNs: bigint; input: UntrustedInput; step: UiStep }[] = [];
  for (const s of order) {
    const input = untrustedFrom(s, seenInput);
    // The run input is known from the start of the run, whichever step carries it.
    if (input !== null) sources.push({ endNs: input.kind === 'user-input' ? s.startNs : s.endNs, input, step: s });
  }
  return order.filter(isHighRisk).map((call) => ({
    step: call,
    inputs: sources.filter((x) => x.step !== call && x.endNs <= call.startNs).map((x) => x.input),
  }));
}
