import type { Rule, RuleContext } from '../context.js';
import { sourceName } from '../explain.js';
import type { Finding, Severity } from '../finding.js';
import { type InstructionAnalysis, REGION_SCORE, type Signal } from '../instruction-signals.js';
import { makeFinding } from '../make-finding.js';
import { runProvenance } from '../provenance.js';

const TAG_RUN = /[\u{E0000}-\u{E007F}]+/gu;

/** Tag characters are invisible in evidence: show a visible marker of the same place instead. */
function visible(text: string): string {
  return text.replace(TAG_RUN, (run) => `⟨${[...run].length} hidden characters⟩`);
}

function severityOf(a: InstructionAnalysis): Severity | null {
  if (a.hidden) return 'high';
  if (a.score >= REGION_SCORE) return 'medium';
  if (a.score >= 1) return 'low';
  return null;
}

/**
 * Instruction-like text inside untrusted content (prompt injection), scored from generic cues (see
 * `instruction-signals.ts`); the finding lists the cues that fired. Reading an injection is not yet
 * harm: the finding is medium (low for a single weak cue), high only for text hidden in Unicode tag
 * characters. When the agent acts on it, `untrusted.flows_to_action` and `untrusted.flows_to_output`
 * report the action. One finding per step.
 */
export const untrustedInstructions: Rule = {
  id: 'untrusted.instructions',
  severity: 'medium',
  description: 'Instruction-like text (prompt injection) inside retrieved documents, tool results or inbound content.',
  detect(ctx: RuleContext): Finding[] {
    const prov = runProvenance(ctx.steps, ctx.baseline, ctx.config);
    const byStep = new Map<string, (typeof prov.untrusted)[number]>();
    for (const item of prov.untrusted) {
      const prev = byStep.get(item.u.step.spanId);
      if (!prev || item.analysis.score > prev.analysis.score || (item.analysis.hidden && !prev.analysis.hidden)) {
        byStep.set(item.u.step.spanId, item);
      }
    }
    const findings: Finding[] = [];
    for (const item of byStep.values()) {
      const { analysis, u } = item;
      const severity = severityOf(analysis);
      if (!severity) continue;
      const region = analysis.regions[0];
      const cues = [...new Set(analysis.signals.map((s: Signal) => s.id))];
      const strongest = [...analysis.signals].sort((a, b) => b.weight - a.weight)[0]!;
      const shown = visible(u.text);
      const shift = shown.length - u.text.length;
      findings.push(
        makeFinding({
          ruleId: this.id,
          severity,
          step: u.step,
          reason: `${sourceName({ step: u.step, field: u.field })[0]!.toUpperCase()}${sourceName({ step: u.step, field: u.field }).slice(1)} contains instruction-like text (${cues.join(', ')}).`,
          text: shown,
          start: analysis.hidden ? 0 : strongest.start,
          end: analysis.hidden ? Math.min(shown.length, 80) : strongest.end + (shift > 0 ? 0 : 0),
          details: {
            markers: cues.join(','),
            score: Math.round(analysis.score * 100) / 100,
            field: u.field,
            path: u.path,
            ...(region ? { regionStart: region.start, regionEnd: region.end } : {}),
          },
        }),
      );
    }
    return findings;
  },
};
