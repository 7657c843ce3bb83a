import type { Step } from '../model/step.js';
import { orderSteps } from '../model/step-order.js';
import type { Baseline } from './baseline.js';
import type { DetectionConfig } from './config.js';
import { isToolStep, type Rule, type RuleContext, type ScanFn } from './context.js';
import { type Finding, MAX_EVIDENCE_CHARS, severityRank } from './finding.js';
import { setOwn } from './own-record.js';
import { RULES } from './rules/index.js';
import { runAgentName } from './run-facts.js';
import { cap } from './text.js';

export const INTERNAL_ERROR_RULE = 'detect.internal_error';

export interface DetectOptions {
  /** Redaction scanner, for input that did not go through redaction. */
  scan?: ScanFn;
  /** Defaults to every registered rule. */
  rules?: readonly Rule[];
}

const CAPPED_FIELDS = [
  'runInput',
  'inputMessages',
  'outputMessages',
  'systemInstructions',
  'toolArguments',
  'toolResult',
  'documents',
  'retrievalQuery',
  'actionResult',
] as const;

/** Bounds the cost per span: every rule sees at most `maxTextChars` of any field. */
function capStep(step: Step, max: number): Step {
  const attrs = Object.values(step.attributes);
  const longAttr = attrs.some((v) => v.length > max);
  if (!longAttr && CAPPED_FIELDS.every((f) => step[f].length <= max)) return step;
  const copy = { ...step };
  for (const f of CAPPED_FIELDS) copy[f] = cap(step[f], max);
  if (longAttr) {
    copy.attributes = {};
    for (const [k, v] of Object.entries(step.attributes)) setOwn(copy.attributes, k, cap(v, max));
  }
  return copy;
}

/** Whether a mute in the settings covers this finding (rule, and the tool / agent when the mute names them). */
export function isMuted(
  finding: Finding,
  stepsById: Map<string, Step>,
  agentName: string,
  config: DetectionConfig,
): boolean {
  const step = stepsById.get(finding.spanId);
  const tool = step && isToolStep(step) ? step.toolName : undefined;
  return config.mutes.some(
    (m) =>
      m.ruleId === finding.ruleId &&
      (m.tool === undefined || m.tool === tool) &&
      (m.agent === undefined || m.agent === (step?.agentName || agentName)),
  );
}

function internalError(traceId: string, spanId: string, source: string, err: unknown): Finding {
  return {
    ruleId: INTERNAL_ERROR_RULE,
    severity: 'low',
    traceId,
    spanId,
    reason: `Detection step ${source} failed on this run, so its findings are missing.`,
    evidence: '',
    // The error class only: a message could quote the payload that made the rule fail.
    details: { rule: source, error: err instanceof Error ? err.name : 'unknown' },
  };
}

function prepareSteps(steps: readonly Step[], config: DetectionConfig): Step[] {
  return orderSteps(steps.slice(0, config.limits.maxSteps)).map((s) => capStep(s, config.limits.maxTextChars));
}

/**
 * Runs every enabled rule over one run. Never throws: a rule that fails yields one low-severity
 * `detect.internal_error` finding (without payload) and the other rules still run; input the
 * engine itself cannot read yields that finding alone.
 */
export function detectRun(
  steps: readonly Step[],
  baseline: Baseline,
  config: DetectionConfig,
  options: DetectOptions = {},
): Finding[] {
  if (steps.length === 0) return [];
  let ctx: RuleContext;
  try {
    const ordered = prepareSteps(steps, config);
    ctx = { steps: ordered, baseline, config, traceId: ordered[0]!.traceId, agentName: runAgentName(ordered) };
  } catch (err) {
    return [internalError(String(steps[0]?.traceId ?? ''), String(steps[0]?.spanId ?? ''), 'engine', err)];
  }
  if (options.scan) ctx.scan = options.scan;
  const root = ctx.steps.find((s) => s.parentSpanId === '') ?? ctx.steps[0]!;
  const stepsById = new Map(ctx.steps.map((s) => [s.spanId, s]));
  const out: Finding[] = [];
  for (const rule of options.rules ?? RULES) {
    if (config.disabledRules.includes(rule.id)) continue;
    try {
      const kept: Finding[] = [];
      const override = Object.hasOwn(config.severityOverrides, rule.id) ? config.severityOverrides[rule.id] : undefined;
      for (const f of rule.detect(ctx)) {
        if (isMuted(f, stepsById, ctx.agentName, config)) continue;
        if (kept.length >= config.limits.maxFindingsPerRule) break;
        if (override) f.severity = override;
        if (f.evidence.length > MAX_EVIDENCE_CHARS) f.evidence = f.evidence.slice(0, MAX_EVIDENCE_CHARS);
        kept.push(f);
      }
      out.push(...kept);
    } catch (err) {
      out.push(internalError(ctx.traceId, root.spanId, rule.id, err));
    }
  }
  const order = new Map(ctx.steps.map((s, i) => [s.spanId, i]));
  return out.sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) || (order.get(a.spanId) ?? 0) - (order.get(b.spanId) ?? 0),
  );
}
