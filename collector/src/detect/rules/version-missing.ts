import type { Rule, RuleContext } from '../context.js';
import type { Finding } from '../finding.js';
import { makeFinding } from '../make-finding.js';

/** A run that cannot be tied to the prompt or policy it ran under cannot be reproduced. */
export const versionMissing: Rule = {
  id: 'version.missing',
  severity: 'medium',
  description: 'The run carries no prompt version and/or no policy version.',
  detect(ctx: RuleContext): Finding[] {
    if (!ctx.steps.some((s) => s.kind === 'llm' || s.kind === 'tool')) return [];
    const missing = [
      ctx.steps.some((s) => s.promptVersion !== '') ? '' : 'prompt',
      ctx.steps.some((s) => s.policyVersion !== '') ? '' : 'policy',
    ].filter((m) => m !== '');
    if (missing.length === 0) return [];
    const root = ctx.steps.find((s) => s.parentSpanId === '') ?? ctx.steps[0]!;
    return [
      makeFinding({
        ruleId: this.id,
        severity: missing.length === 2 ? 'medium' : 'low',
        step: root,
        reason: `The run records no ${missing.join(' or ')} version, so it cannot be tied to what it ran under.`,
        details: { missing: missing.join(',') },
      }),
    ];
  },
};
