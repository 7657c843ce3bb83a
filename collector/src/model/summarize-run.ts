import type { RunSummary, Step } from './step.js';

/** A run's summary from its steps (the same rules the stores apply in their listing queries). */
export function summarizeRun(steps: readonly Step[]): RunSummary {
  const root = steps.find((s) => s.parentSpanId === '') ?? steps[0];
  const agent = steps.find((s) => s.kind === 'agent' && s.agentName) ?? root;
  const first = (f: (s: Step) => string) => steps.map(f).find((v) => v !== '') ?? '';
  let startNs = root?.startNs ?? 0n;
  let endNs = root?.endNs ?? 0n;
  let inputTokens = 0;
  let outputTokens = 0;
  let errorCount = 0;
  const tools = new Set<string>();
  const models = new Set<string>();
  for (const s of steps) {
    if (s.startNs < startNs) startNs = s.startNs;
    if (s.endNs > endNs) endNs = s.endNs;
    inputTokens += s.inputTokens ?? 0;
    outputTokens += s.outputTokens ?? 0;
    if (s.status === 'error') errorCount += 1;
    if (s.toolName) tools.add(s.toolName);
    const model = s.responseModel || s.requestModel;
    if (model) models.add(model);
  }
  return {
    traceId: root?.traceId ?? '',
    startNs,
    endNs,
    name: root?.name ?? '',
    serviceName: root?.serviceName ?? '',
    agentName: agent?.agentName || first((s) => s.agentName),
    agentVersion: agent?.agentVersion || first((s) => s.agentVersion),
    conversationId: first((s) => s.conversationId),
    status: errorCount > 0 ? 'error' : 'ok',
    stepCount: steps.length,
    errorCount,
    toolNames: [...tools].sort(),
    promptVersion: first((s) => s.promptVersion),
    policyVersion: first((s) => s.policyVersion),
    models: [...models].sort(),
    inputTokens,
    outputTokens,
    runInput: first((s) => s.runInput),
    findingCount: 0,
  };
}
