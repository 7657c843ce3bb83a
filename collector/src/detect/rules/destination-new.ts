import type { Rule, RuleContext } from '../context.js';
import { label, riskOf, toolStepsWithRisk } from '../context.js';
import { extractDestinations } from '../destinations.js';
import type { Finding } from '../finding.js';
import { makeFinding } from '../make-finding.js';
import { getOwn } from '../own-record.js';
import { runProvenance } from '../provenance.js';
import { matchesHostPattern } from '../text.js';
import { stepAgent, toolBaseline } from '../tool-baseline.js';

/**
 * A recipient, host or URL this agent's tool has never sent to. Only destinations of unknown origin
 * are judged: one the user typed or a trusted lookup returned is what was asked for, and one that
 * came from untrusted content is judged by its provenance (`untrusted.flows_to_action`) and never
 * learned. Silent until the tool has `destination.minToolRuns` runs of history (and the agent
 * `baseline.minRuns`); the per-tool allow-list always wins.
 */
export const destinationNew: Rule = {
  id: 'destination.new',
  severity: 'medium',
  description:
    'A destination (host, mail domain, recipient, channel) of unknown origin, never seen before for this tool.',
  detect(ctx: RuleContext): Finding[] {
    const findings: Finding[] = [];
    const agentRuns = getOwn(ctx.baseline.agents, ctx.agentName)?.runs ?? ctx.baseline.runs;
    if (agentRuns < ctx.config.baseline.minRuns) return findings;
    const prov = runProvenance(ctx.steps, ctx.baseline, ctx.config);
    for (const step of toolStepsWithRisk(ctx, ctx.config.destination.risks)) {
      const agent = stepAgent(step, ctx.agentName);
      const tool = toolBaseline(ctx.baseline, agent, step.toolName);
      if (!tool || tool.runs < ctx.config.destination.minToolRuns) continue;
      const allow = getOwn(ctx.config.destination.allow, step.toolName) ?? [];
      const flows = prov.argumentFlows(step);
      for (const d of extractDestinations(step, ctx.config)) {
        if (d.token && !ctx.config.destination.recipientTokens) continue;
        if (tool.destinations.includes(d.value) || allow.some((p) => matchesHostPattern(d.value, p))) continue;
        const traced = flows.find(
          (f) =>
            f.path === d.path && f.leaf === d.leaf && f.start < d.end && f.end > d.start && f.provenance !== 'unknown',
        );
        if (traced) continue;
        const risk = riskOf(step, ctx.config);
        findings.push(
          makeFinding({
            ruleId: this.id,
            severity: risk === 'irreversible' ? 'high' : 'medium',
            step,
            reason: `Argument ${label(d.path)} of ${label(step.toolName)} sends to ${label(d.value)}, which it has not used in ${tool.runs} earlier runs and which no earlier step of this run supplied.`,
            text: d.leaf,
            start: d.start,
            end: d.end,
            details: {
              tool: step.toolName,
              agent,
              destination: d.value,
              path: d.path,
              knownDestinations: tool.destinations.length,
            },
          }),
        );
      }
    }
    return findings;
  },
};
