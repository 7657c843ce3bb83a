import type { Step, StepEvent } from '../model/step.js';

/** What a dialect module reads: one span's redacted, flattened attributes and its context. */
export interface SpanView {
  attrs: Record<string, string>;
  resource: Record<string, string>;
  name: string;
  events: readonly StepEvent[];
  isRoot: boolean;
  /** OTLP span kind, 0..5 (3 = CLIENT). */
  spanKind: number;
}

/** Which SDK family a span came from, stored as `casefile.normalize.dialect` on the step's attributes. */
export const DIALECT_IDS = [
  'casefile',
  'langfuse',
  'traceloop',
  'openinference',
  'vercel-ai',
  'vercel-ai-otel',
  'mlflow',
  'genai',
  'otel',
] as const;
export type DialectId = (typeof DIALECT_IDS)[number];

/** Dialects with attributes for a prompt version and a policy version (the others can send neither or only one). */
export const DIALECT_VERSION_SUPPORT: Record<DialectId, { prompt: boolean; policy: boolean }> = {
  casefile: { prompt: true, policy: true },
  langfuse: { prompt: true, policy: false },
  traceloop: { prompt: true, policy: false },
  openinference: { prompt: true, policy: false },
  'vercel-ai': { prompt: false, policy: false },
  'vercel-ai-otel': { prompt: false, policy: false },
  mlflow: { prompt: false, policy: false },
  genai: { prompt: false, policy: false },
  otel: { prompt: false, policy: false },
};

export const DIALECT_ATTR = 'casefile.normalize.dialect';
export const NOTES_ATTR = 'casefile.normalize.notes';

/**
 * One SDK's mapping onto the canonical step: `detect` says whether a span is in this dialect,
 * `apply` fills or corrects the step after the GenAI/Casefile base mapping. Pure; may throw on
 * input it did not foresee (the caller keeps the base mapping and records a note).
 */
export interface Dialect {
  id: DialectId;
  detect(view: SpanView): boolean;
  apply(view: SpanView, step: Step, notes: string[]): void;
}

export function hasKeyWithPrefix(attrs: Record<string, string>, prefix: string): boolean {
  for (const k in attrs) if (k.startsWith(prefix)) return true;
  return false;
}
