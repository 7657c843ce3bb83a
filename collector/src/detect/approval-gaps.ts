import type { Step, ToolRisk } from '../model/step.js';
import { linkApprovals } from './approval-links.js';
import type { Baseline, PolicyGapTally } from './baseline-model.js';
import type { DetectionConfig } from './config.js';
import { riskOf } from './context.js';
import { notExecuted } from './not-executed.js';
import { getOwn } from './own-record.js';
import { runAgentName } from './run-facts.js';
import { stepAgent } from './tool-baseline.js';

/** A tool call that needed an approval by its risk and had none: no approval, no allowing policy. */
export interface UnapprovedCall {
  tool: Step;
  risk: ToolRisk;
  /** `run`: reported on the run (`approval.requireFor`); `gap`: a policy gap, reported once a day (`approval.gapFor`). */
  scope: 'run' | 'gap';
  policy?: Step;
  /** The governing policy's decision, lower-cased ('' when there was none). */
  decision: string;
  denied: boolean;
}

function needsApproval(risk: ToolRisk | '', config: DetectionConfig): 'run' | 'gap' | undefined {
  if (risk === '') return undefined;
  if (config.approval.requireFor.includes(risk)) return 'run';
  if (config.approval.gapFor.includes(risk)) return 'gap';
  return undefined;
}

/**
 * The policy decision governing a tool call: the latest policy step that started before it, with no
 * other call needing approval in between (one "allow" does not cover a series of actions).
 */
function governingPolicy(tool: Step, steps: readonly Step[], config: DetectionConfig): Step | undefined {
  for (let i = steps.indexOf(tool) - 1; i >= 0; i--) {
    const s = steps[i]!;
    if (s.kind === 'policy' && s.policyDecision !== '') return s;
    if (s.kind === 'tool' && needsApproval(riskOf(s, config), config)) return undefined;
  }
  return undefined;
}

export function unapprovedCalls(steps: readonly Step[], config: DetectionConfig): UnapprovedCall[] {
  const out: UnapprovedCall[] = [];
  for (const { tool, approvals } of linkApprovals(steps)) {
    const risk = riskOf(tool, config);
    const scope = needsApproval(risk, config);
    if (!scope || risk === '' || tool.approvalId !== '' || approvals.length > 0) continue;
    const policy = governingPolicy(tool, steps, config);
    const decision = policy?.policyDecision.toLowerCase() ?? '';
    if (config.approval.policyAllows.includes(decision)) continue;
    const denied = config.approval.policyDenies.includes(decision);
    // A call the gateway refused did not run: it needed no approval. A denied policy stays a finding.
    if (notExecuted(tool) && !denied) continue;
    out.push({ tool, risk, scope: denied ? 'run' : scope, ...(policy ? { policy } : {}), decision, denied });
  }
  return out;
}

/** `2026-11-21` of a nanosecond time (UTC). */
export function utcDay(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 10);
}

export interface PolicyGap {
  agent: string;
  tool: string;
  day: string;
}

/** The run's policy gaps, one per agent, tool and day. */
export function policyGaps(steps: readonly Step[], config: DetectionConfig): PolicyGap[] {
  const runAgent = runAgentName(steps);
  const seen = new Map<string, PolicyGap>();
  for (const c of unapprovedCalls(steps, config)) {
    if (c.scope !== 'gap') continue;
    const gap = { agent: stepAgent(c.tool, runAgent), tool: c.tool.toolName, day: utcDay(c.tool.startNs) };
    seen.set(`${gap.agent}\u0000${gap.tool}\u0000${gap.day}`, gap);
  }
  return [...seen.values()];
}

/** What the baseline counted so far for one gap's day (undefined: nothing that day yet). */
export function gapTally(baseline: Baseline, gap: PolicyGap): PolicyGapTally | undefined {
  const agent = getOwn(baseline.agents, gap.agent);
  const tally = agent ? getOwn(agent.policyGaps, gap.tool) : undefined;
  return tally?.day === gap.day ? tally : undefined;
}
