import type { Rule, RuleContext } from '../context.js';
import type { Finding, Severity } from '../finding.js';
import { maxSeverity, shiftSeverity } from '../finding.js';
import { decodeTagCharacters, INSTRUCTION_PATTERNS, INVISIBLE_FORMAT } from '../instruction-patterns.js';
import { makeFinding } from '../make-finding.js';
import { type UntrustedText, untrustedTexts } from '../untrusted.js';

const TAG_RUN = /[\u{E0000}-\u{E007F}]+/gu;
const HIDDEN_MARK = /⟨\d+ hidden characters⟩/;

/** Tag characters are invisible in evidence: show a visible marker of the same place instead. */
function visible(text: string): string {
  return text.replace(TAG_RUN, (run) => `⟨${[...run].length} hidden characters⟩`);
}

interface Hit {
  ids: string[];
  severity: Severity;
  start: number;
  end: number;
}

function scanText(u: UntrustedText): Hit | null {
  const shown = visible(u.text);
  const ids: string[] = [];
  let severity: Severity | null = null;
  let first: { start: number; end: number } | null = null;
  const hidden = decodeTagCharacters(u.text);
  const despaced = u.text.replace(INVISIBLE_FORMAT, '');
  for (const p of INSTRUCTION_PATTERNS) {
    let m: RegExpExecArray | null;
    let found: boolean;
    if (p.id === 'hidden-unicode-tags') {
      m = HIDDEN_MARK.exec(shown);
      found = p.re.test(u.text);
    } else {
      m = p.re.exec(shown);
      // Also look through the smuggled text and through zero-width characters splitting words.
      found = m !== null || p.re.test(hidden) || (despaced !== u.text && p.re.test(despaced));
    }
    if (!found) continue;
    ids.push(p.id);
    severity = severity ? maxSeverity(severity, p.severity) : p.severity;
    if (!first && m) first = { start: m.index, end: m.index + m[0].length };
  }
  if (!severity) return null;
  if (ids.length >= 2) severity = shiftSeverity(severity, 1);
  return { ids, severity, start: first?.start ?? 0, end: first?.end ?? Math.min(shown.length, 80) };
}

/**
 * Instruction-like text inside untrusted content: override phrases, role changes, secrecy demands,
 * tool-call syntax, chat-template markup, and text hidden in Unicode tag characters. Several
 * different markers in one text raise the severity by one step. One finding per step.
 */
export const untrustedInstructions: Rule = {
  id: 'untrusted.instructions',
  severity: 'high',
  description: 'Instruction-like text (prompt injection) inside retrieved documents, tool results or inbound content.',
  detect(ctx: RuleContext): Finding[] {
    const findings: Finding[] = [];
    for (const step of ctx.steps) {
      let best: { u: UntrustedText; hit: Hit } | null = null;
      const markers = new Set<string>();
      for (const u of untrustedTexts(step)) {
        const hit = scanText(u);
        if (!hit) continue;
        for (const id of hit.ids) markers.add(id);
        if (!best || maxSeverity(best.hit.severity, hit.severity) !== best.hit.severity) best = { u, hit };
      }
      if (!best) continue;
      findings.push(
        makeFinding({
          ruleId: this.id,
          severity: best.hit.severity,
          step,
          reason: `Untrusted ${best.u.field === 'documents' || best.u.field === 'attributes' ? 'document content' : 'content'} in this step contains instruction-like text (${[...markers].join(', ')}).`,
          text: visible(best.u.text),
          start: best.hit.start,
          end: best.hit.end,
          details: { markers: [...markers].join(','), field: best.u.field, path: best.u.path },
        }),
      );
    }
    return findings;
  },
};
