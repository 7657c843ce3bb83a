import type { Step } from '../../model/step.js';
import type { Rule, RuleContext } from '../context.js';
import { label } from '../context.js';
import type { Finding } from '../finding.js';
import { makeFinding } from '../make-finding.js';
import { stepModel } from '../run-facts.js';

const KINDS: { kind: 'prompt' | 'policy' | 'model'; of: (s: Step) => string }[] = [
  { kind: 'prompt', of: (s) => s.promptVersion },
  { kind: 'policy', of: (s) => s.policyVersion },
  { kind: 'model', of: (s) => (s.kind === 'llm' ? stepModel(s) : '') },
];

/** A prompt, policy or model version the project has never run before (after `minRuns` of history). */
export const versionUnseen: Rule = {
  id: 'version.unseen',
  severity: 'low',
  description: 'A prompt, policy or model version never seen in the project baseline.',
  detect(ctx: RuleContext): Finding[] {
    if (ctx.baseline.runs < ctx.config.baseline.minRuns) return [];
    const findings: Finding[] = [];
    for (const { kind, of } of KINDS) {
      const seen = new Set(ctx.baseline.versions[kind]);
      for (const step of ctx.steps) {
        const version = of(step);
        if (version === '' || seen.has(version)) continue;
        seen.add(version);
        findings.push(
          makeFinding({
            ruleId: this.id,
            severity: 'low',
            step,
            reason: `The ${kind} version ${label(version)} has not been seen in ${ctx.baseline.runs} earlier runs.`,
            text: version,
            start: 0,
            end: version.length,
            details: { versionKind: kind, version },
          }),
        );
      }
    }
    return findings;
  },
};
