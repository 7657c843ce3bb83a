import { STEP_FIELDS, type StepEvent, type StepFieldKind, type StepFieldName } from '@casefile/contract';
import type { Step } from '../model/step.js';

/**
 * How each Step field is stored. Both adapters derive their `spans` columns from this list, which is
 * derived from the contract's one field list (`STEP_FIELDS`): a field added to the model is added to
 * every backend (and the conformance suite notices a field that does not round-trip). The column is
 * the field's name in snake case.
 */
export type ColumnKind = StepFieldKind;

export interface StepColumn {
  field: keyof Step;
  column: string;
  kind: ColumnKind;
}

const snakeCase = (field: string) => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

export const STEP_COLUMNS: readonly StepColumn[] = (Object.keys(STEP_FIELDS) as StepFieldName[]).map((field) => ({
  field,
  column: snakeCase(field),
  kind: STEP_FIELDS[field].kind,
}));

/** Events as JSON text; times as decimal strings because they exceed 2^53. */
export function eventsToJson(events: readonly StepEvent[]): string {
  return JSON.stringify(events.map((e) => ({ t: e.timeNs.toString(), n: e.name, a: e.attributes })));
}

export function eventsFromJson(text: string): StepEvent[] {
  if (text === '') return [];
  const raw = JSON.parse(text) as { t: string; n: string; a: Record<string, string> }[];
  return raw.map((e) => ({ timeNs: BigInt(e.t), name: e.n, attributes: e.a }));
}

/**
 * Keeps the last occurrence of each (project, trace, span): a batch may carry the same span twice
 * (a client resend merged into one flush) and "later write wins" must hold inside a batch too.
 */
export function dedupeSteps(steps: readonly Step[]): Step[] {
  const byKey = new Map<string, Step>();
  for (const step of steps) {
    const key = `${step.projectId}\u0000${step.traceId}\u0000${step.spanId}`;
    byKey.delete(key);
    byKey.set(key, step);
  }
  return [...byKey.values()];
}
