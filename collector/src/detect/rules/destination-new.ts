import type { Rule, RuleContext } from '../context.js';
import { label, riskOf, toolStepsWithRisk } from '../context.js';
import { extractDestinations } from '../destinations.js';
import type { Finding } from '../finding.js';
import { makeFinding } from '../make-finding.js';
import { getOwn } from '../own-record.js';
import { matchesHostPattern } from '../text.js';

/**
 * A recipient, host or URL a tool has never sent to in this project. Silent until the tool has
 * `minRuns` runs of history; the per-tool allow-list in the config always wins.
 */
export const destinationNew: Rule = {
  id: 'destination.new',
  severity: 'medium',
  description: 'A destination (host, mail domain, recipient, channel) never seen before for this tool.',
  detect(ctx: RuleContext): Finding[] {
    const findings: Finding[] = [];
    for (const step of toolStepsWithRisk(ctx, ctx.config.destination.risks)) {
      const tool = getOwn(ctx.baseline.tools, step.toolName);
      if (!tool || tool.runs < ctx.config.baseline.minRuns) continue;
      const allow = getOwn(ctx.config.destination.allow, step.toolName) ?? [];
      for (const d of extractDestinations(step.toolArguments)) {
        if (d.token && !ctx.config.destination.recipientTokens) continue;
        if (tool.destinations.includes(d.value) || allow.some((p) => matchesHostPattern(d.value, p))) continue;
        const risk = riskOf(step, ctx.config);
        findings.push(
          makeFinding({
            ruleId: this.id,
            severity: risk === 'irreversible' ? 'high' : 'medium',
            step,
            reason: `Tool ${label(step.toolName)} sent to a destination it has not used in ${tool.runs} earlier runs.`,
            text: d.leaf,
            start: d.start,
            end: d.end,
            details: {
              tool: step.toolName,
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
