import { emptyStep, type Step, type ToolRisk } from '../model/step.js';
import { type Baseline, emptyBaseline, updateBaseline } from './baseline.js';

/** Fixture builders for detection tests: realistic steps with everything not given left empty. */
export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
let counter = 0;

function nextSpanId(): string {
  counter++;
  return counter.toString(16).padStart(16, '0');
}

export function makeStep(fields: Partial<Step> = {}): Step {
  return { ...emptyStep('proj-test', fields.traceId ?? TRACE_ID, fields.spanId ?? nextSpanId()), ...fields };
}

export function toolStep(toolName: string, toolRisk: ToolRisk, args: unknown, fields: Partial<Step> = {}): Step {
  return makeStep({
    kind: 'tool',
    name: `execute_tool ${toolName}`,
    toolName,
    toolRisk,
    toolArguments: typeof args === 'string' ? args : JSON.stringify(args),
    status: 'ok',
    ...fields,
  });
}

export function llmStep(fields: Partial<Step> = {}): Step {
  return makeStep({ kind: 'llm', name: 'chat', requestModel: 'gpt-4o-2024-08-06', provider: 'openai', ...fields });
}

/** One run: a root agent step plus `children`, laid out one millisecond apart unless times are given. */
export function makeRun(children: Step[], root: Partial<Step> = {}): Step[] {
  const rootStep = makeStep({
    kind: 'agent',
    name: 'invoke_agent support-bot',
    agentName: 'support-bot',
    promptVersion: 'support-v12',
    policyVersion: 'policy-2025-06',
    ...root,
  });
  const ms = 1_000_000n;
  const base = 1_750_000_000_000n * ms;
  const laid = children.map((c, i) => {
    const startNs = c.startNs !== 0n ? c.startNs : base + BigInt(i + 1) * 10n * ms;
    const endNs = c.endNs !== 0n ? c.endNs : startNs + 5n * ms;
    return { ...c, parentSpanId: c.parentSpanId || rootStep.spanId, startNs, endNs };
  });
  let end = base + ms;
  for (const s of laid) if (s.endNs > end) end = s.endNs;
  return [{ ...rootStep, startNs: base, endNs: end }, ...laid];
}

/** A baseline learned from `n` runs built by `build(i)`. */
export function trainBaseline(n: number, build: (i: number) => Step[], start: Baseline = emptyBaseline()): Baseline {
  let b = start;
  for (let i = 0; i < n; i++) b = updateBaseline(b, build(i));
  return b;
}

export function approvalStep(
  approvalId: string,
  decision: string,
  actionHash: string,
  fields: Partial<Step> = {},
): Step {
  return makeStep({
    kind: 'approval',
    name: 'approval',
    approvalId,
    approvalDecision: decision,
    approver: '[person:5e6f7a8b]',
    approvalActionHash: actionHash,
    status: 'ok',
    ...fields,
  });
}
