import type { Step, ToolRisk } from '../../model/step.js';
import { redirects } from '../arg-roles.js';
import type { Rule, RuleContext } from '../context.js';
import { label, riskOf } from '../context.js';
import { argName, quoteValue, sourceName } from '../explain.js';
import { type Finding, type Severity, severityRank, shiftSeverity } from '../finding.js';
import { makeFinding } from '../make-finding.js';
import { notExecuted } from '../not-executed.js';
import { runProvenance, type SourceMeta, type ValueFlow } from '../provenance.js';
import { jsonLeaves } from '../text.js';
import { copiedText, type TextFlow, untrustedShingles } from '../text-flows.js';
import type { Occurrence } from '../value-index.js';
import { isAddressKind } from '../values.js';
import { nameWords } from '../vocabulary.js';

interface Candidate {
  severity: Severity;
  /** Orders candidates of equal severity: a planted value beats copied text, a role that redirects beats content. */
  weight: number;
  reason: string;
  leaf: string;
  start: number;
  end: number;
  details: Record<string, string | number>;
}

function valueSeverity(f: ValueFlow, risk: ToolRisk, instructed: boolean): Severity {
  const redirecting = redirects(f.role) || isAddressKind(f.kind);
  if (instructed) return redirecting ? 'medium' : 'low';
  if (f.provenance === 'injected') {
    if (!redirecting) return 'medium';
    return risk === 'irreversible' ? 'critical' : 'high';
  }
  return 'low';
}

function valueCandidate(step: Step, risk: ToolRisk, f: ValueFlow): Candidate | null {
  if (!f.source || (f.provenance !== 'injected' && f.provenance !== 'untrusted')) return null;
  if (f.provenance === 'untrusted' && (f.correspondent || !(redirects(f.role) || isAddressKind(f.kind)))) return null;
  // A value found elsewhere too, but inside an instruction that also names this very action.
  const instructed =
    f.provenance === 'untrusted' && f.inRegion !== undefined && regionNamesTool(f.inRegion, step.toolName);
  const meta = (instructed ? f.inRegion! : f.source).entry.meta;
  const where =
    f.provenance === 'injected'
      ? `entered the run only inside instruction-like text in ${sourceName(meta)}`
      : instructed
        ? `an instruction-like text in ${sourceName(meta)} names together with this action`
        : `came from untrusted content (${sourceName(meta)}), not from the user or a trusted result`;
  return {
    severity: valueSeverity(f, risk, instructed),
    weight:
      (f.provenance === 'injected' ? 4 : instructed ? 3 : 0) +
      (redirects(f.role) ? 2 : 0) +
      (isAddressKind(f.kind) ? 1 : 0),
    reason: `Argument ${argName(f.path)} of ${label(step.toolName)} carries ${quoteValue(f.value)}, which ${where}.`,
    leaf: f.leaf,
    start: f.start,
    end: f.end,
    details: {
      tool: step.toolName,
      path: f.path,
      role: f.role,
      value: f.value.slice(0, 200),
      valueKind: f.kind,
      provenance: instructed ? 'instructed' : f.provenance,
      sourceSpanId: meta.step.spanId,
      sourceField: meta.field,
    },
  };
}

/** Whether the instruction region holding a value also names the tool (a word of its name, or a close form). */
function regionNamesTool(o: Occurrence<SourceMeta>, toolName: string): boolean {
  const region = o.entry.regions.find((r) => o.start >= r.start && o.end <= r.end);
  if (!region) return false;
  const toolWords = nameWords(toolName).filter(
    (w) => w.length >= 3 && !/^(?:get|set|list|the|and|for|from|with|into|new)$/.test(w),
  );
  const regionWords = new Set(
    o.entry.words.filter((w) => w.start >= region.start && w.end <= region.end).map((w) => w.w),
  );
  return toolWords.some(
    (t) =>
      regionWords.has(t) ||
      [...regionWords].some((r) => r.length >= 5 && t.length >= 5 && r.slice(0, 5) === t.slice(0, 5)),
  );
}

function textCandidate(step: Step, risk: ToolRisk, path: string, leaf: string, t: TextFlow): Candidate {
  const outbound = risk === 'external' || risk === 'irreversible';
  const severity: Severity = t.fromRegion ? (outbound ? 'high' : 'medium') : 'low';
  const meta = t.source.meta;
  return {
    severity,
    weight: t.fromRegion ? 3 : 0,
    reason: `Argument ${argName(path)} of ${label(step.toolName)} repeats ${t.longest} consecutive words of ${t.fromRegion ? 'instruction-like text in ' : ''}${sourceName(meta)}.`,
    leaf,
    start: t.start,
    end: t.end,
    details: {
      tool: step.toolName,
      path,
      provenance: t.fromRegion ? 'injected' : 'untrusted',
      sourceSpanId: meta.step.spanId,
      sourceField: meta.field,
      matchedShingles: t.matched,
      longestRunWords: t.longest,
    },
  };
}

function better(a: Candidate | null, b: Candidate | null): Candidate | null {
  if (!a) return b;
  if (!b) return a;
  const d = severityRank(b.severity) - severityRank(a.severity);
  return d > 0 || (d === 0 && b.weight > a.weight) ? b : a;
}

/**
 * Untrusted content steering a later write/external/irreversible call of the same run. Two kinds
 * of evidence, one finding per call (the strongest):
 *   - a **value** of the call (recipient, URL, account, amount, file ID, a token) that came from
 *     untrusted content and from nowhere the user or a trusted result supplied: high (critical on an
 *     irreversible tool) when only an instruction in that content introduced it and it redirects the
 *     action; low when it is merely untrusted (looked up in a page, a list, an inbound message);
 *   - **copied text**: a run of words from untrusted content; high when copied from instruction-like
 *     text into an outbound call, low otherwise (summaries and quotes are normal).
 * Every argument is judged on its own, so their order never changes the verdict.
 */
export const untrustedFlowsToAction: Rule = {
  id: 'untrusted.flows_to_action',
  severity: 'high',
  description: 'A value or text from untrusted content reaches a later high-risk tool call.',
  detect(ctx: RuleContext): Finding[] {
    const cfg = ctx.config.flows;
    const prov = runProvenance(ctx.steps, ctx.baseline, ctx.config);
    if (prov.untrusted.length === 0) return [];
    const shingleSources = untrustedShingles(prov, cfg.shingleSize);
    const findings: Finding[] = [];
    for (const step of ctx.steps) {
      const risk = riskOf(step, ctx.config);
      if (step.kind !== 'tool' || risk === '' || !cfg.sinkRisks.includes(risk)) continue;
      const at = prov.order.get(step.spanId) ?? 0;
      let best: Candidate | null = null;
      const flows = prov.argumentFlows(step);
      for (const f of flows) best = better(best, valueCandidate(step, risk, f));
      for (const { path, value } of jsonLeaves(step.toolArguments)) {
        const t = copiedText(value, shingleSources, cfg.shingleSize, at);
        if (t && (t.fromRegion || t.matched >= cfg.minScore))
          best = better(best, textCandidate(step, risk, path, value, t));
      }
      if (!best) continue;
      const attempted = notExecuted(step);
      const planted = flows.filter((f) => f.provenance === 'injected').length;
      findings.push(
        makeFinding({
          ruleId: this.id,
          severity: attempted ? shiftSeverity(best.severity, -1) : best.severity,
          step,
          reason: attempted ? `${best.reason.slice(0, -1)} (the call was refused, not executed).` : best.reason,
          text: best.leaf,
          start: best.start,
          end: best.end,
          details: { ...best.details, injectedValues: planted, ...(attempted ? { executed: 0 } : {}) },
        }),
      );
    }
    return findings;
  },
};
