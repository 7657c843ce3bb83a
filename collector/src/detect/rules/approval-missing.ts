import { linkApprovals } from '../approval-links.js';
import type { Rule, RuleContext } from '../context.js';
import { label, riskOf } from '../context.js';
import type { Finding } from '../finding.js';
import { makeFinding } from '../make-finding.js';

/**
 * A high-risk tool call with no approval: no approval ID on the step and no approval step bound to
 * its action hash. A call that carries an approval ID recorded elsewhere (another trace) is not
 * reported here; the binding rules judge it when the approval is in the run.
 */
export const approvalMissing: Rule = {
  id: 'approval.missing',
  severity: 'high',
  description: 'An external or irreversible (or configured) tool ran without any approval.',
  detect(ctx: RuleContext): Finding[] {
    const findings: Finding[] = [];
    for (const { tool, approvals } of linkApprovals(ctx.steps)) {
      const risk = riskOf(tool, ctx.config);
      if (risk === '' || !ctx.config.approval.requireFor.includes(risk)) continue;
      if (tool.approvalId !== '' || approvals.length > 0) continue;
      findings.push(
        makeFinding({
          ruleId: this.id,
          severity: 'high',
          step: tool,
          reason: `The ${risk} tool ${label(tool.toolName)} ran without an approval.`,
          text: tool.toolArguments,
          details: { tool: tool.toolName, risk },
        }),
      );
    }
    return findings;
  },
};
