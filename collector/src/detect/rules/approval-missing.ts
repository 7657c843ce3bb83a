import type { Step } from '../../model/step.js';
import { linkApprovals } from '../approval-links.js';
import type { Rule, RuleContext } from '../context.js';
import { label, riskOf } from '../context.js';
import type { Finding } from '../finding.js';
import { makeFinding } from '../make-finding.js';

/**
 * The policy decision governing a tool call: the latest policy step that started before it, with no
 * other high-risk call in between (one "allow" does not cover a series of actions).
 */
function governingPolicy(tool: Step, ctx: RuleContext): Step | undefined {
  const at = ctx.steps.indexOf(tool);
  for (let i = at - 1; i >= 0; i--) {
    const s = ctx.steps[i]!;
    if (s.kind === 'policy' && s.policyDecision !== '') return s;
    const risk = s.kind === 'tool' ? riskOf(s, ctx.config) : '';
    if (risk !== '' && ctx.config.approval.requireFor.includes(risk)) return undefined;
  }
  return undefined;
}

/**
 * A high-risk tool call with no approval: no approval ID on the step, no approval step bound to its
 * action hash, and no policy decision allowing it. A call that carries an approval ID recorded
 * elsewhere (another trace) is not reported here. A call right after a policy said "deny" is critical.
 */
export const approvalMissing: Rule = {
  id: 'approval.missing',
  severity: 'high',
  description: 'An external or irreversible (or configured) tool ran without any approval.',
  detect(ctx: RuleContext): Finding[] {
    const cfg = ctx.config.approval;
    const findings: Finding[] = [];
    for (const { tool, approvals } of linkApprovals(ctx.steps)) {
      const risk = riskOf(tool, ctx.config);
      if (risk === '' || !cfg.requireFor.includes(risk)) continue;
      if (tool.approvalId !== '' || approvals.length > 0) continue;
      const policy = governingPolicy(tool, ctx);
      const decision = policy?.policyDecision.toLowerCase() ?? '';
      if (cfg.policyAllows.includes(decision)) continue;
      const denied = cfg.policyDenies.includes(decision);
      findings.push(
        makeFinding({
          ruleId: this.id,
          severity: denied ? 'critical' : 'high',
          step: tool,
          reason: denied
            ? `The ${risk} tool ${label(tool.toolName)} ran without an approval although the policy check before it decided '${decision.slice(0, 32)}'.`
            : `The ${risk} tool ${label(tool.toolName)} ran without an approval.`,
          text: tool.toolArguments,
          details: {
            tool: tool.toolName,
            risk,
            ...(policy ? { policyDecision: decision, policySpanId: policy.spanId } : {}),
          },
        }),
      );
    }
    return findings;
  },
};
