import { linkApprovals } from '../approval-links.js';
import type { Rule, RuleContext } from '../context.js';
import { label } from '../context.js';
import type { Finding } from '../finding.js';
import { makeFinding } from '../make-finding.js';
import { notExecuted } from '../not-executed.js';

const NS_PER_MS = 1_000_000n;
// OpenTelemetry JS stamps span starts from Date.now() (whole milliseconds) but ends to the
// microsecond, so a call that began just after its approval ended can carry a start up to 1 ms
// earlier than the approval's end. Only a lead of more than that is evidence.
const CLOCK_GRAIN_NS = NS_PER_MS;

/** The tool started before any of its approvals was complete: the approval is an after-the-fact record. */
export const approvalAfterExecution: Rule = {
  id: 'approval.after_execution',
  severity: 'high',
  description: 'The approval step ended after the tool step it authorises had started.',
  detect(ctx: RuleContext): Finding[] {
    const findings: Finding[] = [];
    for (const { tool, approvals } of linkApprovals(ctx.steps)) {
      const timed = approvals.filter((a) => a.endNs > 0n);
      if (tool.startNs === 0n || timed.length === 0 || notExecuted(tool)) continue;
      if (timed.some((a) => a.endNs <= tool.startNs + CLOCK_GRAIN_NS)) continue;
      const first = timed.reduce((m, a) => (a.endNs < m.endNs ? a : m));
      const lateMs = Number((first.endNs - tool.startNs) / NS_PER_MS);
      findings.push(
        makeFinding({
          ruleId: this.id,
          severity: 'high',
          step: tool,
          reason: `Tool ${label(tool.toolName)} started ${lateMs} ms before its approval ${label(first.approvalId)} was given.`,
          details: { tool: tool.toolName, approvalId: first.approvalId, approvalSpanId: first.spanId, lateMs },
        }),
      );
    }
    return findings;
  },
};
