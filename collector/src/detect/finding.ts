import { SEVERITIES, type Severity } from '@casefile/contract';

/** A detection result (`Finding`) and its severity scale are part of the wire contract. */
export type { Finding, Severity } from '@casefile/contract';
export { SEVERITIES };

export const MAX_EVIDENCE_CHARS = 200;

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return severityRank(a) >= severityRank(b) ? a : b;
}

/** Moves a severity up (positive) or down (negative), clamped to the scale. */
export function shiftSeverity(severity: Severity, by: number): Severity {
  const i = Math.min(SEVERITIES.length - 1, Math.max(0, severityRank(severity) + by));
  return SEVERITIES[i]!;
}
