import type { Step } from '../model/step.js';
import type { Baseline, ToolBaseline } from './baseline-model.js';
import { getOwn } from './own-record.js';

/**
 * Per-agent tool history. Tools are learned per agent: two agents calling a tool of the same name
 * (a support bot's `send_email` and a billing job's) have different normal destinations and shapes.
 * Baselines stored before this keep their project-wide `tools`, read when an agent has no entry yet.
 */
export function toolBaseline(b: Baseline, agent: string, tool: string): ToolBaseline | undefined {
  const own = getOwn(b.agents, agent);
  return (own ? getOwn(own.tools, tool) : undefined) ?? getOwn(b.tools, tool);
}

/** The tools an agent has been seen calling (its own entries; the legacy project-wide ones otherwise). */
export function agentTools(b: Baseline, agent: string): [string, ToolBaseline][] {
  const own = getOwn(b.agents, agent);
  const entries = own ? Object.entries(own.tools) : [];
  return entries.length > 0 ? entries : Object.entries(b.tools);
}

/** The agent a step belongs to: its own name, else the run's. */
export function stepAgent(step: Step, runAgent: string): string {
  return step.agentName !== '' ? step.agentName : runAgent;
}
