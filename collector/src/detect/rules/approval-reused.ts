import type { Step } from '../../model/step.js';
import { usesOfApproval } from '../approval-history.js';
import { approvalIdOf, isApprovalStep, linkApprovals } from '../approval-links.js';
import type { Rule, RuleContext } from '../context.js';
import { label } from '../context.js';
import type { Finding } from '../finding.js';
import { makeFinding } from '../make-finding.js';
import { notExecuted } from '../not-executed.js';

/**
 * One approval authorises one action. Reported: one approval ID behind several successful tool
 * calls in a run (a failed attempt followed by its retry is not a reuse), and an approval ID that
 * an earlier run already used (replay), as far as the baseline remembers.
 */
export const approvalReused: Rule = {
  id: 'approval.reused',
  severity: 'high',
  description: 'One approval ID used for several actions, in this run or an earlier one.',
  detect(ctx: RuleContext): Finding[] {
    const findings: Finding[] = [];
    const byId = new Map<string, Step[]>();
    for (const link of linkApprovals(ctx.steps)) {
      const id = approvalIdOf(link);
      if (id === '' || link.tool.status === 'error' || notExecuted(link.tool)) continue;
      byId.set(id, [...(byId.get(id) ?? []), link.tool]);
    }
    for (const [id, tools] of byId) {
      if (tools.length < 2) continue;
      const hashes = new Set(tools.map((t) => t.actionHash));
      const second = tools[1]!;
      findings.push(
        makeFinding({
          ruleId: this.id,
          severity: hashes.size > 1 ? 'high' : 'medium',
          step: second,
          reason: `Approval ${label(id)} was used for ${tools.length} tool calls${hashes.size > 1 ? ' with different actions' : ' of the same action'}.`,
          text: second.toolArguments,
          details: { approvalId: id, uses: tools.length, distinctActions: hashes.size, tool: second.toolName },
        }),
      );
    }
    for (const a of ctx.steps.filter(isApprovalStep)) {
      const earlier = usesOfApproval(ctx.baseline.approvals, a.approvalId).find((x) => x.traceId !== a.traceId);
      if (!earlier) continue;
      findings.push(
        makeFinding({
          ruleId: this.id,
          severity: 'high',
          step: a,
          reason: `Approval ${label(a.approvalId)} was already used by an earlier run.`,
          details: { approvalId: a.approvalId, earlierTraceId: earlier.traceId },
        }),
      );
    }
    return findings;
  },
};
