import type { Step } from '../../model/step.js';
import { argumentShape } from '../arg-shape.js';
import type { Rule, RuleContext } from '../context.js';
import { isToolStep, label, riskOf } from '../context.js';
import type { Finding, Severity } from '../finding.js';
import { makeFinding } from '../make-finding.js';
import { getOwn } from '../own-record.js';
import { runProvenance } from '../provenance.js';
import { median, robustZ } from '../stats.js';
import { stepAgent, toolBaseline } from '../tool-baseline.js';

/**
 * Tool arguments outside the tool's learned shape: a key never sent before, a type change, or a
 * value far longer than usual (robust z on median/MAD, plus an absolute minimum growth so that
 * 12 → 40 characters is not an alarm). A length outlier on its own is low; with a second signal
 * (another deviation, or a value an injected instruction planted in that argument) medium or high. One finding per step,
 * listing every deviation.
 */
export const argumentsShapeOutlier: Rule = {
  id: 'arguments.shape_outlier',
  severity: 'medium',
  description: 'Tool arguments with new keys, changed types or outlier lengths against the learned baseline.',
  detect(ctx: RuleContext): Finding[] {
    const cfg = ctx.config.shapeOutlier;
    const findings: Finding[] = [];
    for (const step of ctx.steps.filter(isToolStep)) {
      const tool = toolBaseline(ctx.baseline, stepAgent(step, ctx.agentName), step.toolName);
      if (!tool || tool.runs < ctx.config.baseline.minRuns) continue;
      const deviations: { severity: Severity; what: string; path: string; type: string; length: number; z?: number }[] =
        [];
      for (const f of argumentShape(step.toolArguments)) {
        const stats = getOwn(tool.args, f.path);
        if (!stats) {
          deviations.push({ severity: 'low', what: 'new key', path: f.path, type: f.type, length: f.length });
          continue;
        }
        if (!stats.types.includes(f.type) && !(f.type === 'null' || stats.types.includes('null'))) {
          deviations.push({ severity: 'medium', what: 'type change', path: f.path, type: f.type, length: f.length });
          continue;
        }
        if (stats.lengths.length < ctx.config.baseline.minRuns) continue;
        // The growth gate first: it needs only the median, and most lengths fail it.
        const centre = median(stats.lengths);
        if (f.length - centre < cfg.minLengthDelta) continue;
        const z = robustZ(f.length, stats.lengths, undefined, undefined, centre);
        if (z >= cfg.zThreshold) {
          const severity: Severity = z >= cfg.zThreshold * 4 ? 'high' : 'medium';
          deviations.push({ severity, what: 'outlier length', path: f.path, type: f.type, length: f.length, z });
        }
      }
      if (deviations.length === 0) continue;
      // A long summary alone is not suspicious: a length outlier needs a second signal on the same
      // call (another deviation, or a value an injected instruction planted in that argument) before it reaches medium.
      const outliers = deviations.filter((d) => d.what === 'outlier length');
      if (outliers.length > 0 && deviations.length === 1) {
        const flows = runProvenance(ctx.steps, ctx.baseline, ctx.config).argumentFlows(step);
        const tainted = flows.some(
          (fl) =>
            fl.path.replace(/\[\]/g, '') === outliers[0]!.path.replace(/\[\]/g, '') && fl.provenance === 'injected',
        );
        if (!tainted) outliers[0]!.severity = 'low';
      }
      // An odd argument of a tool that only reads is worth a look, not an alarm.
      if (riskOf(step, ctx.config) === 'read')
        for (const d of deviations) if (d.severity !== 'low') d.severity = 'medium';
      findings.push(shapeFinding(step, deviations, stepAgent(step, ctx.agentName)));
    }
    return findings;
  },
};

function shapeFinding(
  step: Step,
  deviations: { severity: Severity; what: string; path: string; type: string; length: number; z?: number }[],
  agent: string,
): Finding {
  const order: Severity[] = ['critical', 'high', 'medium', 'low'];
  const worst = [...deviations].sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity))[0]!;
  const key = `"${worst.path.split('.').pop()?.replace(/\[\]/g, '') ?? ''}"`;
  const at = step.toolArguments.indexOf(key);
  return makeFinding({
    ruleId: 'arguments.shape_outlier',
    severity: worst.severity,
    step,
    reason: `Arguments of ${label(step.toolName)} differ from its usual shape (${deviations.length === 1 ? worst.what : `${deviations.length} deviations, worst: ${worst.what}`}).`,
    text: step.toolArguments,
    start: Math.max(0, at),
    end: at < 0 ? 0 : at + key.length,
    details: {
      tool: step.toolName,
      agent,
      path: worst.path,
      type: worst.type,
      length: worst.length,
      deviation: worst.what,
      deviations: deviations
        .map((d) => `${d.what}: ${d.path}`)
        .join('; ')
        .slice(0, 500),
      ...(worst.z !== undefined ? { z: Math.round(worst.z * 10) / 10 } : {}),
    },
  });
}
