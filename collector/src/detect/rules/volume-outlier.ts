import { argRole } from '../arg-roles.js';
import type { Rule, RuleContext } from '../context.js';
import { label, toolStepsWithRisk } from '../context.js';
import type { Finding, Severity } from '../finding.js';
import { makeFinding } from '../make-finding.js';
import { getOwn } from '../own-record.js';
import { runFacts } from '../run-facts.js';
import { median, robustZ } from '../stats.js';
import { jsonLeaves } from '../text.js';
import { classifyKind, findTokens } from '../tokens.js';

const MIN_CALLS_DELTA = 10;

/** Personal data or secrets in the outbound arguments of the run, besides whom they were sent to. */
function sendsSensitive(ctx: RuleContext): boolean {
  const { secretKinds, piiKinds } = ctx.config.sensitiveData;
  for (const step of toolStepsWithRisk(ctx, ctx.config.volume.outboundRisks)) {
    for (const { path, value } of jsonLeaves(step.toolArguments)) {
      if (argRole(step, path, ctx.config) === 'destination') continue;
      if (findTokens(value).some((t) => classifyKind(t.kind, secretKinds, piiKinds) !== 'other')) return true;
    }
  }
  return false;
}

/**
 * Outbound bytes or tool calls of a run far above the agent's norm. Three gates: robust z (median
 * and MAD of the agent's recent runs), a ratio to the median, and an absolute excess, so that a
 * quiet agent going from 2 to 5 calls is not an alarm. Outlier bytes alone are low: they need a
 * second signal (outlier calls too, or personal data or secrets going out) to reach medium.
 */
export const volumeOutlier: Rule = {
  id: 'volume.outlier',
  severity: 'medium',
  description: "A run's outbound payload bytes or tool-call count far above the agent's norm.",
  detect(ctx: RuleContext): Finding[] {
    const cfg = ctx.config.volume;
    const agent = getOwn(ctx.baseline.agents, ctx.agentName);
    if (!agent || agent.runs < ctx.config.baseline.minRuns) return [];
    const facts = runFacts(ctx.steps, ctx.config);
    const root = ctx.steps.find((s) => s.parentSpanId === '') ?? ctx.steps[0]!;
    const findings: Finding[] = [];
    const metrics = [
      {
        metric: 'outboundBytes' as const,
        value: facts.outboundBytes,
        minDelta: cfg.minBytesDelta,
        noun: 'outbound payload bytes',
      },
      { metric: 'toolCalls' as const, value: facts.toolCalls, minDelta: MIN_CALLS_DELTA, noun: 'tool calls' },
    ];
    // The ratio and excess gates need only the median and rule out nearly every run; z comes last.
    const outliers = metrics
      .map((m) => ({ ...m, med: median(agent[m.metric]) }))
      .filter((m) => !(m.value < cfg.minRatio * Math.max(m.med, 1) || m.value - m.med < m.minDelta))
      .map((m) => ({ ...m, z: robustZ(m.value, agent[m.metric], undefined, undefined, m.med) }))
      .filter((m) => !(m.z < cfg.zThreshold));
    for (const m of outliers) {
      const { med, z } = m;
      let severity: Severity = z >= cfg.zThreshold * 3 ? 'high' : 'medium';
      // Many bytes alone are a long answer or a long quote; they need a second signal (also many
      // calls, or personal data or secrets in what went out) before they reach medium.
      if (m.metric === 'outboundBytes' && outliers.length === 1 && !sendsSensitive(ctx)) severity = 'low';
      findings.push(
        makeFinding({
          ruleId: this.id,
          severity,
          step: root,
          reason: `This run of agent ${label(ctx.agentName)} has ${m.value} ${m.noun}, against a usual ${med}.`,
          details: { agent: ctx.agentName, metric: m.metric, value: m.value, median: med, z: Math.round(z * 10) / 10 },
        }),
      );
    }
    return findings;
  },
};
