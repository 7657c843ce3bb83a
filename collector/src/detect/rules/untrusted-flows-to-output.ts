import type { Step } from '../../model/step.js';
import type { Rule, RuleContext } from '../context.js';
import { quoteValue, sourceName } from '../explain.js';
import type { Finding, Severity } from '../finding.js';
import { analyseInstructions, REGION_SCORE } from '../instruction-signals.js';
import { makeFinding } from '../make-finding.js';
import { parseMessages } from '../messages.js';
import { runProvenance } from '../provenance.js';
import { type Sentence, sentences } from '../sentences.js';
import { copiedText, untrustedShingles } from '../text-flows.js';
import { argumentValues, isAddressKind } from '../values.js';

/** The run's answer: the last model call's text (when it made no tool call) and the root's recorded result. */
function finalOutputs(steps: readonly Step[]): { step: Step; text: string }[] {
  const out: { step: Step; text: string }[] = [];
  const last = [...steps].reverse().find((s) => s.kind === 'llm' && s.outputMessages !== '');
  if (last) {
    const msgs = parseMessages(last.outputMessages);
    if (msgs.every((m) => m.toolCalls.length === 0)) {
      const text = msgs.flatMap((m) => m.texts).join('\n');
      if (text.trim() !== '') out.push({ step: last, text });
    }
  }
  const root = steps.find((s) => s.parentSpanId === '');
  if (root && root.actionResult.trim() !== '' && !out.some((o) => o.text.trim() === root.actionResult.trim())) {
    out.push({ step: root, text: root.actionResult });
  }
  return out;
}

// Words of reported speech: an answer that tells the user what the content asked for is reporting it.
const REPORTING =
  /\b(?:instruct\w*|ask(?:s|ed|ing)? (?:me|you|to)|wants? (?:me|you)|told me|tells? (?:me|you)|says?|said|message (?:from|to|for)|inject\w*|suspicious|phishing|malicious|ignor\w*|did not|didn't|won't|will not|not (?:follow|comply|visit|send|click|open)|embedded|hidden|claims?|purport\w*)\b/i;

/** Whether the sentence holding `pos`, or the one before it, reports rather than asserts. */
function reported(text: string, sents: readonly Sentence[], pos: number): boolean {
  const i = sents.findIndex((s) => pos >= s.start && pos < s.end);
  if (i < 0) return false;
  return REPORTING.test(text.slice(sents[Math.max(0, i - 1)]!.start, sents[i]!.end));
}

/**
 * Untrusted content reaching the run's answer: a link, address or identifier that only an
 * instruction inside untrusted content introduced, or a run of words copied from such an
 * instruction. High for a link or address the answer presents as its own (a phishing link or a
 * planted contact in the reply); medium when the answer reports what the content asked for, quotes
 * the injection, or only repeats its words. An injection whose goal is what the agent *says* has no
 * tool call for the other rules to see.
 */
export const untrustedFlowsToOutput: Rule = {
  id: 'untrusted.flows_to_output',
  severity: 'high',
  description: "Links or text introduced by instructions in untrusted content reach the run's answer.",
  detect(ctx: RuleContext): Finding[] {
    const prov = runProvenance(ctx.steps, ctx.baseline, ctx.config);
    if (!prov.untrusted.some((u) => u.analysis.regions.length > 0)) return [];
    const k = ctx.config.flows.shingleSize;
    const findings: Finding[] = [];
    for (const { step, text } of finalOutputs(ctx.steps)) {
      // The root's recorded result is the run's end, whatever time its span started.
      const at = step.parentSpanId === '' ? ctx.steps.length : (prov.order.get(step.spanId) ?? ctx.steps.length);
      let best: {
        severity: Severity;
        reason: string;
        start: number;
        end: number;
        details: Record<string, string | number>;
      } | null = null;
      const quoting = analyseInstructions(text, prov.vocab).score >= REGION_SCORE;
      const sents = sentences(text);
      for (const v of argumentValues(text)) {
        if (v.kind === 'phrase' || v.kind === 'name' || v.kind === 'number') continue;
        const t = prov.trace(v.text, v.kind, at);
        if (t.provenance !== 'injected' || !t.source) continue;
        const link = isAddressKind(v.kind) && v.kind !== 'identifier';
        const severity: Severity = link && !quoting && !reported(text, sents, v.start) ? 'high' : 'medium';
        if (best && (best.severity === 'high' || severity === 'medium')) continue;
        best = {
          severity,
          reason: `The answer carries ${quoteValue(v.text)}, which entered the run only inside instruction-like text in ${sourceName(t.source.entry.meta)}.`,
          start: v.start,
          end: v.end,
          details: { value: v.text.slice(0, 200), valueKind: v.kind, sourceSpanId: t.source.entry.meta.step.spanId },
        };
      }
      if (!best) {
        const copied = copiedText(text, untrustedShingles(prov, k), k, at + 1);
        if (copied?.fromRegion) {
          best = {
            severity: 'medium',
            reason: `The answer repeats ${copied.longest} consecutive words of instruction-like text in ${sourceName(copied.source.meta)}.`,
            start: copied.start,
            end: copied.end,
            details: { longestRunWords: copied.longest, sourceSpanId: copied.source.meta.step.spanId },
          };
        }
      }
      if (!best) continue;
      findings.push(makeFinding({ ruleId: this.id, step, text, ...best }));
      break;
    }
    return findings;
  },
};
