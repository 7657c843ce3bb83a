import { decisionOf, linkApprovals } from '../approval-links.js';
import type { Rule, RuleContext } from '../context.js';
import { label } from '../context.js';
import type { Finding } from '../finding.js';
import { makeFinding } from '../make-finding.js';
import { notExecuted } from '../not-executed.js';

/**
 * A denied or expired approval, and the action it was about ran anyway (linked by approval ID or
 * action hash). A later approval that approved the same action clears it, and so does a tool step
 * that records it was not executed (`casefile.action.result` = denied, blocked, …).
 */
export const approvalDeniedExecuted: Rule = {
  id: 'approval.denied_executed',
  severity: 'critical',
  description: 'A denied or expired approval was followed by execution of the bound action.',
  detect(ctx: RuleContext): Finding[] {
    const findings: Finding[] = [];
    for (const { tool, approvals } of linkApprovals(ctx.steps)) {
      const refused = approvals.find((a) => ['denied', 'expired'].includes(decisionOf(a)));
      if (!refused || approvals.some((a) => decisionOf(a) === 'approved')) continue;
      // The tool span recorded that it was refused: the gate worked, nothing ran.
      if (notExecuted(tool)) continue;
      const decision = decisionOf(refused);
      findings.push(
        makeFinding({
          ruleId: this.id,
          severity: 'critical',
          step: tool,
          reason: `Tool ${label(tool.toolName)} ran although its approval ${label(refused.approvalId)} was ${decision}.`,
          text: tool.toolArguments,
          details: {
            tool: tool.toolName,
            approvalId: refused.approvalId,
            decision,
            approvalSpanId: refused.spanId,
            status: tool.status,
          },
        }),
      );
    }
    return findings;
  },
};
