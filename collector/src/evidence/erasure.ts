import { STEP_FIELDS, type StepFieldKind } from '@casefile/contract';
import type { Step } from '../model/step.js';

/**
 * Erasure of one data subject from stored steps: every pseudonym token of the subject (all its
 * forms: `[email:7f3a9c12]`, `[email:7f3a9c12@globex.example]`, …) and every plain occurrence of the
 * value itself (case-insensitive, should one have escaped redaction) becomes `[<kind>:erased]`, in
 * every text of the step: fields, lists, attribute keys and values, event names and attributes.
 * Pure: the caller finds the runs, stores the result and records it in the chain.
 */

export interface ErasureTarget {
  /** The kind of datum (`email`, `iban`, …): the replacement is `[kind:erased]`. */
  kind: string;
  /** Token prefixes (`[email:7f3a9c12`), one per pseudonym key. */
  prefixes: readonly string[];
  /** The value as typed, when the request gave one (never stored). */
  value?: string;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A function that erases the target from one text. */
export function eraser(target: ErasureTarget): (text: string) => string {
  const alternatives = target.prefixes.map((p) => `${escapeRegExp(p)}(?:[@·…][^\\]\\n]*)?\\]`);
  if (target.value !== undefined && target.value.trim().length >= 3)
    alternatives.push(escapeRegExp(target.value.trim()));
  const pattern = new RegExp(alternatives.join('|'), 'giu');
  const replacement = `[${target.kind}:erased]`;
  return (text) => (text.length === 0 ? text : text.replace(pattern, replacement));
}

const FIELDS = Object.entries(STEP_FIELDS).map(([name, f]) => [name, (f as { kind: StepFieldKind }).kind] as const);

function mapRecord(map: Record<string, string>, erase: (t: string) => string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) out[erase(k)] = erase(v);
  return out;
}

/** The step with the target erased everywhere, or undefined when it does not carry the target. */
export function eraseStep(step: Step, erase: (text: string) => string): Step | undefined {
  const out: Record<string, unknown> = { ...step };
  for (const [name, kind] of FIELDS) {
    if (name === 'projectId' || name === 'traceId' || name === 'spanId' || name === 'parentSpanId') continue;
    const value = out[name];
    switch (kind) {
      case 'text':
        out[name] = erase(value as string);
        break;
      case 'textList':
        out[name] = (value as string[]).map(erase);
        break;
      case 'stringMap':
        out[name] = mapRecord(value as Record<string, string>, erase);
        break;
      case 'events':
        out[name] = (value as Step['events']).map((e) => ({
          ...e,
          name: erase(e.name),
          attributes: mapRecord(e.attributes, erase),
        }));
        break;
      default:
        break;
    }
  }
  const erased = out as unknown as Step;
  return JSON.stringify(erased, bigints) === JSON.stringify(step, bigints) ? undefined : erased;
}

const bigints = (_: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);
