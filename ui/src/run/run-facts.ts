/** Small derivations over a run shown in its header and step detail. */
import type { UiRunSummary, UiStep } from '../lib/model';

/** Every model the run used: the summary's list plus any requested or answering model of a step. */
export function runModels(run: UiRunSummary, steps: readonly UiStep[]): string[] {
  const out = new Set<string>(run.models.filter((m) => m !== ''));
  for (const s of steps) {
    if (s.responseModel !== '') out.add(s.responseModel);
    else if (s.requestModel !== '') out.add(s.requestModel);
  }
  return [...out];
}

const SPAN_KINDS = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** OTLP span kind number as its name (`client`), or the number when out of range. */
export function spanKindName(kind: number): string {
  return SPAN_KINDS[kind] ?? String(kind);
}

/** Attribute entries sorted by key, so two runs of one agent list them in the same order. */
export function sortedEntries(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
