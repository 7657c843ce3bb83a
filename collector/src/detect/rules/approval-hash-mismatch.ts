import { linkApprovals, shortHash } from '../approval-links.js';
import type { Rule, RuleContext } from '../context.js';
import { label } from '../context.js';
import type { Finding } from '../finding.js';
import { makeFinding } from '../make-finding.js';

/**
 * An approval is bound to one action: its action hash must equal the executed tool's. A different
 * hash means the approver saw another action than the one that ran (critical); a missing hash on
 * either side means the binding cannot be checked (medium).
 */
export const approvalHashMismatch: Rule = {
  id: 'approval.hash_mismatch',
  severity: 'critical',
  description: "An approval's action hash differs from the executed tool's action hash.",
  detect(ctx: RuleContext): Finding[] {
    const findings: Finding[] = [];
    for (const { tool, approvals } of linkApprovals(ctx.steps)) {
      if (tool.approvalId === '') continue;
      for (const a of approvals.filter((x) => x.approvalId === tool.approvalId)) {
        const approved = a.approvalActionHash;
        const executed = tool.actionHash;
        if (approved !== '' && executed !== '' && approved === executed) continue;
        const unverifiable = approved === '' || executed === '';
        findings.push(
          makeFinding({
            ruleId: this.id,
            severity: unverifiable ? 'medium' : 'critical',
            step: tool,
            reason: unverifiable
              ? `Approval ${label(a.approvalId)} cannot be checked against ${label(tool.toolName)}: ${approved === '' ? 'the approval' : 'the tool call'} carries no action hash.`
              : `Tool ${label(tool.toolName)} ran under approval ${label(a.approvalId)}, which was given for a different action.`,
            text: `approved ${shortHash(approved) || '(none)'} executed ${shortHash(executed) || '(none)'}`,
            details: {
              tool: tool.toolName,
              approvalId: a.approvalId,
              approvalSpanId: a.spanId,
              approvedHash: approved,
              executedHash: executed,
            },
          }),
        );
      }
    }
    return findings;
  },
};
