import type { Severity } from './finding.js';

/** Instruction-like text (prompt injection markers, OWASP LLM01). Ordered strongest first. */
export interface InstructionPattern {
  id: string;
  severity: Severity;
  re: RegExp;
}

export const INSTRUCTION_PATTERNS: readonly InstructionPattern[] = [
  { id: 'hidden-unicode-tags', severity: 'high', re: /[\u{E0000}-\u{E007F}]+/u },
  {
    id: 'override',
    severity: 'high',
    re: /\b(?:ignore|disregard|forget|override|bypass)\b[^.\n]{0,40}?\b(?:previous|prior|above|earlier|preceding|all|any|your|system)\b[^.\n]{0,20}?\b(?:instructions?|prompts?|directions|rules|guidelines|guardrails)\b/i,
  },
  {
    id: 'new-role',
    severity: 'medium',
    re: /\byou are now (?:an? |the |in )?(?:[a-z-]+ ){0,2}(?:assistant|ai|bot|model|agent|mode|persona|character|dan|gpt|llm)\b|\bfrom now on,? (?:you|your) (?:will|must|are|should|shall)\b|\bpretend (?:to be|you are)\b|\brole-?play as\b|\byour new (?:role|instructions|task|objective)\b/i,
  },
  {
    id: 'secrecy',
    severity: 'medium',
    re: /\b(?:do not|don't|never) (?:tell|inform|mention|reveal|show|alert)\b[^.\n]{0,30}\b(?:user|human|anyone|operator)\b/i,
  },
  {
    id: 'tool-call-syntax',
    severity: 'medium',
    re: /"(?:tool_calls|function_call)"\s*:|<(?:tool_call|function_calls|invoke)\b|\{\s*"(?:name|tool)"\s*:\s*"[^"]{1,64}"\s*,\s*"(?:arguments|parameters|input|args)"\s*:/i,
  },
  {
    id: 'chat-markup',
    severity: 'low',
    re: /(?:^|\n)\s*(?:#{1,3}\s*)?(?:system|assistant)\s*:|<\|im_start\|>|<\|(?:system|endoftext)\|>|\[\/?INST\]|<\/?system>|<<SYS>>/i,
  },
];

/** Zero-width and bidi controls, used to split trigger words or reorder text. */
export const INVISIBLE_FORMAT = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;

/** The ASCII text hidden in Unicode tag characters ("ASCII smuggling"). */
export function decodeTagCharacters(text: string): string {
  let out = '';
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xe0020 && cp <= 0xe007e) out += String.fromCodePoint(cp - 0xe0000);
  }
  return out;
}
