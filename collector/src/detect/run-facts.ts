import type { Step } from '../model/step.js';
import type { DetectionConfig } from './config.js';
import { isToolStep, riskOf } from './tool-risk.js';

/** Per-run aggregates shared by the baseline (learning) and the volume/version rules (judging). */
export interface RunFacts {
  agentName: string;
  toolCalls: number;
  /** Characters of arguments sent to outbound (write/external/irreversible by default) tools. */
  outboundBytes: number;
  promptVersions: string[];
  policyVersions: string[];
  models: string[];
}

export function runAgentName(steps: readonly Step[]): string {
  const root = steps.find((s) => s.parentSpanId === '' && s.agentName !== '');
  return root?.agentName ?? steps.find((s) => s.agentName !== '')?.agentName ?? '';
}

function distinct(values: Iterable<string>): string[] {
  return [...new Set([...values].filter((v) => v !== ''))];
}

/** The model a step ran: the requested name, else the one the provider reported. */
export function stepModel(step: Step): string {
  return step.requestModel !== '' ? step.requestModel : step.responseModel;
}

export function runFacts(steps: readonly Step[], config: DetectionConfig): RunFacts {
  let toolCalls = 0;
  let outboundBytes = 0;
  for (const s of steps) {
    if (!isToolStep(s)) continue;
    toolCalls++;
    const risk = riskOf(s, config);
    if (risk !== '' && config.volume.outboundRisks.includes(risk)) outboundBytes += s.toolArguments.length;
  }
  return {
    agentName: runAgentName(steps),
    toolCalls,
    outboundBytes,
    promptVersions: distinct(steps.map((s) => s.promptVersion)),
    policyVersions: distinct(steps.map((s) => s.policyVersion)),
    models: distinct(steps.filter((s) => s.kind === 'llm').map(stepModel)),
  };
}

/** The run's agent version (root first), `(none)` when no step names one: the unit version hygiene is judged in. */
export function runAgentVersion(steps: readonly Step[]): string {
  const root = steps.find((s) => s.parentSpanId === '' && s.agentVersion !== '');
  return root?.agentVersion ?? steps.find((s) => s.agentVersion !== '')?.agentVersion ?? '(none)';
}
