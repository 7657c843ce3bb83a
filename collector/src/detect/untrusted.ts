import type { Step } from '../model/step.js';
import { isToolStep } from './context.js';
import { jsonLeaves } from './text.js';

/** A piece of content an attacker may have written, as it appears in one step. */
export interface UntrustedText {
  step: Step;
  field: TextField | 'attributes';
  path: string;
  text: string;
}

/**
 * Attributes holding retrieved text: our SDK's `casefile.retrieval.content` (JSON `[{id, content}]`)
 * and OpenInference's `retrieval.documents.N.document.content`, which normalisation keeps only here.
 */
const CONTENT_ATTRIBUTE = /^(?:casefile\.retrieval\.content|retrieval\.documents\.\d+\.document\.content)$/;

type TextField = 'documents' | 'toolResult' | 'outputMessages' | 'inputMessages';

/**
 * Untrusted content of a step: retrieved documents, tool results (untrusted unless the step says
 * `trusted`), and every content field of a step marked `untrusted`. LLM input messages count only
 * when explicitly marked: they mostly repeat tool results already counted. Leaves shorter than
 * `minLength` are left out (too short to carry text; provenance wants them all).
 */
export function untrustedTexts(step: Step, minLength = 8): UntrustedText[] {
  const explicit = step.contentTrust === 'untrusted';
  const trusted = step.contentTrust === 'trusted';
  const fields: TextField[] = [];
  if (step.kind === 'retrieval' && !trusted) fields.push('documents', 'toolResult', 'outputMessages');
  else if (isToolStep(step) && !trusted) fields.push('toolResult');
  if (explicit)
    for (const f of ['documents', 'toolResult', 'outputMessages', 'inputMessages'] as const)
      if (!fields.includes(f)) fields.push(f);
  const out: UntrustedText[] = [];
  const add = (field: UntrustedText['field'], text: string, prefix: string): void => {
    for (const leaf of jsonLeaves(text)) {
      const sep = leaf.path === '' || leaf.path.startsWith('[') ? '' : '.';
      const path = prefix === '' ? leaf.path : `${prefix}${sep}${leaf.path}`;
      if (leaf.value.length >= minLength) out.push({ step, field, path, text: leaf.value });
    }
  };
  for (const field of fields) add(field, step[field], '');
  if ((step.kind === 'retrieval' && !trusted) || explicit) {
    for (const [key, value] of Object.entries(step.attributes))
      if (CONTENT_ATTRIBUTE.test(key)) add('attributes', value, key);
  }
  return out;
}
