import type { Rule, RuleContext } from '../context.js';
import type { Finding } from '../finding.js';
import { makeFinding } from '../make-finding.js';
import { alreadyJudged } from '../version-judged.js';

/**
 * A run that cannot be tied to the prompt or policy it ran under cannot be reproduced. Hygiene, not
 * an attack: low, and once per agent version.
 */
export const versionMissing: Rule = {
  id: 'version.missing',
  severity: 'low',
  description: 'The run carries no prompt version and/or no policy version.',
  detect(ctx: RuleContext): Finding[] {
    if (!ctx.steps.some((s) => s.kind === 'llm' || s.kind === 'tool')) return [];
    const missing = [
      ctx.steps.some((s) => s.promptVersion !== '') ? '' : 'prompt',
      ctx.steps.some((s) => s.policyVersion !== '') ? '' : 'policy',
    ].filter((m) => m !== '');
    if (missing.length === 0 || alreadyJudged(ctx.baseline, ctx.steps, `missing:${missing.join(',')}`)) return [];
    const root = ctx.steps.find((s) => s.parentSpanId === '') ?? ctx.steps[0]!;
    return [
      makeFinding({
        ruleId: this.id,
        severity: 'low',
        step: root,
        reason: `The run records no ${missing.join(' or ')} version, so it cannot be tied to what it ran under.`,
        details: { missing: missing.join(',') },
      }),
    ];
  },
};
