import type { Step } from '../../model/step.js';
import { DIALECT_ATTR, DIALECT_IDS, DIALECT_VERSION_SUPPORT, type DialectId } from '../../normalize/dialect.js';
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
        reason: `The run records no ${missing.join(' or ')} version, so it cannot be tied to what it ran under.${sdkCannotSend(ctx.steps, missing)}`,
        details: { missing: missing.join(','), ...(dialectOf(ctx.steps) ? { dialect: dialectOf(ctx.steps) } : {}) },
      }),
    ];
  },
};

const SDK_NAMES: Partial<Record<DialectId, string>> = {
  langfuse: 'the Langfuse SDK',
  traceloop: 'OpenLLMetry',
  openinference: 'OpenInference',
  'vercel-ai': 'the Vercel AI SDK',
  'vercel-ai-otel': 'the Vercel AI SDK',
  mlflow: 'MLflow Tracing',
  genai: 'OpenTelemetry GenAI instrumentation',
  otel: 'plain OpenTelemetry',
};

/** The dialect most of the run's steps came from (set by normalisation), if any. */
function dialectOf(steps: readonly Step[]): DialectId | undefined {
  const counts = new Map<DialectId, number>();
  for (const s of steps) {
    const d = s.attributes[DIALECT_ATTR] as DialectId | undefined;
    if (d && (DIALECT_IDS as readonly string[]).includes(d)) counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/**
 * When the SDK that sent the run has no attribute for a missing version, the reason says so and
 * names the attribute to set: the finding explains a gap of the instrumentation, not of the agent.
 */
function sdkCannotSend(steps: readonly Step[], missing: string[]): string {
  const dialect = dialectOf(steps);
  if (!dialect) return '';
  const support = DIALECT_VERSION_SUPPORT[dialect];
  const unsendable = missing.filter((m) => (m === 'prompt' ? !support.prompt : !support.policy));
  if (unsendable.length === 0) return '';
  const sdk = SDK_NAMES[dialect] ?? dialect;
  const attrs = unsendable.map((m) => `casefile.${m}.version`).join(' and ');
  return ` Spans from ${sdk} have no attribute for a ${unsendable.join(' or ')} version; set ${attrs} on a span of the run to record it.`;
}
