import type { Step, ToolRisk } from '../model/step.js';
import type { DetectionConfig } from './config.js';

// Apart from context.ts so that the baseline and run facts can use them without importing the rule
// context (which refers to the baseline).

export function isToolStep(step: Step): boolean {
  return step.kind === 'tool';
}

/** A tool's risk: the config override first, then what the step declares. */
export function riskOf(step: Step, config: DetectionConfig): ToolRisk | '' {
  const override = Object.hasOwn(config.toolRisks, step.toolName) ? config.toolRisks[step.toolName] : undefined;
  return override ?? step.toolRisk;
}
