import type { Step } from '../model/step.js';
import { isToolStep } from './context.js';
import { jsonLeaves } from './text.js';

/** A piece of content an attacker may have written, as it appears in one step. */
export interface UntrustedText {
  step: Step;
  field: 'documents' | 'toolResult' | 'outputMessages' | 'inputMessages';
  path: string;
  text: string;
}

/**
 * Untrusted content of a step: retrieved documents, tool results (untrusted unless the step says
 * `trusted`), and every content field of a step marked `untrusted`. LLM input messages count only
 * when explicitly marked: they mostly repeat tool results already counted.
 */
export function untrustedTexts(step: Step): UntrustedText[] {
  const explicit = step.contentTrust === 'untrusted';
  const trusted = step.contentTrust === 'trusted';
  const fields: UntrustedText['field'][] = [];
  if (step.kind === 'retrieval' && !trusted) fields.push('documents', 'toolResult', 'outputMessages');
  else if (isToolStep(step) && !trusted) fields.push('toolResult');
  if (explicit)
    for (const f of ['documents', 'toolResult', 'outputMessages', 'inputMessages'] as const)
      if (!fields.includes(f)) fields.push(f);
  const out: UntrustedText[] = [];
  for (const field of fields) {
    for (const leaf of jsonLeaves(step[field])) {
      if (leaf.value.length >= 8) out.push({ step, field, path: leaf.path, text: leaf.value });
    }
  }
  return out;
}
