import type { Rule, RuleContext } from '../context.js';
import { label } from '../context.js';
import type { Finding } from '../finding.js';
import { makeFinding } from '../make-finding.js';
import { isPinnedModel } from '../model-pinning.js';
import { alreadyJudged } from '../version-judged.js';

/**
 * An LLM call by model alias: the provider may swap the model behind it. Hygiene, not an attack:
 * low, and once per agent version (the details say whether the provider reported the snapshot back).
 */
export const versionUnpinnedModel: Rule = {
  id: 'version.unpinned_model',
  severity: 'low',
  description: 'An LLM call used a model alias without a date or version suffix.',
  detect(ctx: RuleContext): Finding[] {
    const pinned = ctx.config.version.pinnedModels;
    const reported = new Set<string>();
    const findings: Finding[] = [];
    for (const step of ctx.steps) {
      if (step.kind !== 'llm') continue;
      const model = step.requestModel || step.responseModel;
      if (model === '' || reported.has(model) || isPinnedModel(model, pinned)) continue;
      if (alreadyJudged(ctx.baseline, ctx.steps, `model:${model}`)) continue;
      reported.add(model);
      const resolved = step.responseModel !== '' && isPinnedModel(step.responseModel, pinned);
      findings.push(
        makeFinding({
          ruleId: this.id,
          severity: 'low',
          step,
          reason: `Model ${label(model)} is an alias, not a pinned snapshot${resolved ? ' (the provider reported the snapshot it used)' : ''}.`,
          text: model,
          start: 0,
          end: model.length,
          details: { model, responseModel: step.responseModel },
        }),
      );
    }
    return findings;
  },
};
