/** Synthetic runs for alert tests: one agent step, one LLM step and any tool calls, at a given time. */
import { emptyStep, type Step } from '../model/step.js';

export interface RunSpec {
  project?: string;
  startMs: number;
  agent?: string;
  tools?: string[];
  latencyMs?: number;
  error?: boolean;
  prompt?: string;
  outputChars?: number;
}

let serial = 0;

export function syntheticRun(spec: RunSpec): Step[] {
  serial++;
  const project = spec.project ?? 'proj-test';
  const traceId = serial.toString(16).padStart(32, '0');
  const span = (n: number) => (serial * 16 + n).toString(16).padStart(16, '0');
  const start = BigInt(spec.startMs) * 1_000_000n;
  const end = start + BigInt(spec.latencyMs ?? 1_000) * 1_000_000n;
  const common = {
    agentName: spec.agent ?? 'support-bot',
    promptVersion: spec.prompt ?? 'v1',
    serviceName: 'support',
  };
  const root: Step = {
    ...emptyStep(project, traceId, span(0)),
    ...common,
    kind: 'agent',
    name: 'invoke_agent',
    startNs: start,
    endNs: end,
    status: spec.error ? 'error' : 'ok',
  };
  const llm: Step = {
    ...emptyStep(project, traceId, span(1)),
    ...common,
    parentSpanId: root.spanId,
    kind: 'llm',
    name: 'chat',
    requestModel: 'gpt-4o-2024-08-06',
    startNs: start + 1_000n,
    endNs: start + 2_000n,
    status: 'ok',
    outputMessages: 'x'.repeat(spec.outputChars ?? 100),
  };
  const tools = (spec.tools ?? []).map(
    (tool, i): Step => ({
      ...emptyStep(project, traceId, span(2 + i)),
      ...common,
      parentSpanId: root.spanId,
      kind: 'tool',
      name: `execute_tool ${tool}`,
      toolName: tool,
      toolArguments: '{}',
      startNs: start + 3_000n + BigInt(i) * 1_000n,
      endNs: start + 3_500n + BigInt(i) * 1_000n,
      status: 'ok',
    }),
  );
  return [root, llm, ...tools];
}

/** `n` runs spread evenly over [fromMs, toMs), built from their index. */
export function spread(
  n: number,
  fromMs: number,
  toMs: number,
  build: (i: number) => Omit<RunSpec, 'startMs'>,
): Step[] {
  const out: Step[] = [];
  const step = (toMs - fromMs) / n;
  for (let i = 0; i < n; i++) out.push(...syntheticRun({ ...build(i), startMs: Math.floor(fromMs + i * step) }));
  return out;
}
