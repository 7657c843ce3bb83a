/** A detection result: one rule's verdict about one step of one run. */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  /** Stable identifier, e.g. `approval.hash_mismatch`. */
  ruleId: string;
  severity: Severity;
  traceId: string;
  /** The step the finding points at. */
  spanId: string;
  /** One plain-English sentence; never contains payload text. */
  reason: string;
  /** Short excerpt (≤ 200 chars) of the already-redacted text. */
  evidence: string;
  /** Offsets of the highlighted part within `evidence`. */
  evidenceStart?: number;
  evidenceEnd?: number;
  details?: Record<string, string | number>;
}

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
