import type { Step } from '../model/step.js';
import type { Baseline } from './baseline-model.js';
import type { DetectionConfig } from './config.js';
import { isPinnedModel } from './model-pinning.js';
import { getOwn } from './own-record.js';
import { runAgentName, runAgentVersion } from './run-facts.js';

/**
 * Version hygiene (a missing prompt or policy version, a model called by alias) is a fact about an
 * agent version, not about each run: each issue is reported on the first run of an agent version
 * that shows it, and remembered (`AgentBaseline.versionsJudged`) as `<agent version> <issue>`.
 */
export function versionIssues(steps: readonly Step[], config: DetectionConfig): string[] {
  const issues: string[] = [];
  if (!steps.some((s) => s.kind === 'llm' || s.kind === 'tool')) return issues;
  const missing = [
    steps.some((s) => s.promptVersion !== '') ? '' : 'prompt',
    steps.some((s) => s.policyVersion !== '') ? '' : 'policy',
  ].filter((m) => m !== '');
  if (missing.length > 0) issues.push(`missing:${missing.join(',')}`);
  for (const s of steps) {
    if (s.kind !== 'llm') continue;
    const model = s.requestModel || s.responseModel;
    if (model !== '' && !isPinnedModel(model, config.version.pinnedModels)) issues.push(`model:${model}`);
  }
  return [...new Set(issues)];
}

export function issueKey(steps: readonly Step[], issue: string): string {
  return `${runAgentVersion(steps)} ${issue}`;
}

/** Whether this agent version's `issue` was already reported on an earlier run. */
export function alreadyJudged(baseline: Baseline, steps: readonly Step[], issue: string): boolean {
  const agent = getOwn(baseline.agents, runAgentName(steps));
  return agent?.versionsJudged.includes(issueKey(steps, issue)) ?? false;
}
