import { gapTally, unapprovedCalls, utcDay } from '../approval-gaps.js';
import { MAX_GAP_EXAMPLES } from '../baseline.js';
import type { Rule, RuleContext } from '../context.js';
import { label } from '../context.js';
import type { Finding } from '../finding.js';
import { makeFinding } from '../make-finding.js';
import { stepAgent } from '../tool-baseline.js';

/**
 * A call that needed an approval by its risk and had none: no approval ID on the step, no approval
 * step bound to its action hash, no policy decision allowing it.
 *   - `approval.requireFor` (default: irreversible): high on the run, critical when the policy before
 *     the call denied it;
 *   - `approval.gapFor` (default: external — an e-mail, a post): a policy gap, not an incident. It is
 *     reported once per agent, tool and day (medium, on the day's first such run); the baseline
 *     counts the rest of the day and the collector keeps the finding's count and example runs current.
 * A call that carries an approval ID recorded elsewhere (another trace) is not reported here.
 */
export const approvalMissing: Rule = {
  id: 'approval.missing',
  severity: 'high',
  description:
    'A call ran without the approval its risk requires (irreversible per run; external as a daily policy gap).',
  detect(ctx: RuleContext): Finding[] {
    const findings: Finding[] = [];
    const gaps = new Set<string>();
    for (const c of unapprovedCalls(ctx.steps, ctx.config)) {
      const { tool, risk, policy, decision } = c;
      const details = {
        tool: tool.toolName,
        risk,
        ...(policy ? { policyDecision: decision, policySpanId: policy.spanId } : {}),
      };
      if (c.scope === 'run') {
        findings.push(
          makeFinding({
            ruleId: this.id,
            severity: c.denied ? 'critical' : 'high',
            step: tool,
            reason: c.denied
              ? `The ${risk} tool ${label(tool.toolName)} ran without an approval although the policy check before it decided '${decision.slice(0, 32)}'.`
              : `The ${risk} tool ${label(tool.toolName)} ran without an approval.`,
            text: tool.toolArguments,
            details,
          }),
        );
        continue;
      }
      const gap = { agent: stepAgent(tool, ctx.agentName), tool: tool.toolName, day: utcDay(tool.startNs) };
      const key = `${gap.agent}\u0000${gap.tool}\u0000${gap.day}`;
      const tally = gapTally(ctx.baseline, gap);
      // Reported once per agent, tool and day: on the run that opened the day's tally.
      if (gaps.has(key) || (tally && tally.traceIds[0] !== ctx.traceId)) continue;
      gaps.add(key);
      findings.push(gapFinding(tool, risk, gap, tally?.count ?? 1, tally?.traceIds ?? [ctx.traceId], details));
    }
    return findings;
  },
};

export function gapReason(risk: string, gap: { agent: string; tool: string; day: string }, count: number): string {
  const agent = label(gap.agent === '' ? '(no agent)' : gap.agent);
  return `Policy gap: the ${risk} tool ${label(gap.tool)} ran without an approval in ${count} run${count === 1 ? '' : 's'} of ${agent} on ${gap.day}.`;
}

export function gapFinding(
  tool: RuleContext['steps'][number],
  risk: string,
  gap: { agent: string; tool: string; day: string },
  count: number,
  traceIds: readonly string[],
  details: Record<string, string | number> = {},
): Finding {
  return makeFinding({
    ruleId: 'approval.missing',
    severity: 'medium',
    step: tool,
    reason: gapReason(risk, gap, count),
    text: tool.toolArguments,
    details: {
      ...details,
      tool: gap.tool,
      risk,
      gap: 1,
      agent: gap.agent,
      day: gap.day,
      count,
      exampleTraceIds: traceIds.slice(0, MAX_GAP_EXAMPLES).join(','),
    },
  });
}
