import type { Step } from '../model/step.js';
import type { Finding, Severity } from './finding.js';
import { excerpt } from './text.js';

export interface FindingInput {
  ruleId: string;
  severity: Severity;
  step: Step;
  reason: string;
  /** Already-redacted text the evidence is cut from, and the offending part's offsets in it. */
  text?: string;
  start?: number;
  end?: number;
  details?: Record<string, string | number>;
}

export function makeFinding(f: FindingInput): Finding {
  const out: Finding = {
    ruleId: f.ruleId,
    severity: f.severity,
    traceId: f.step.traceId,
    spanId: f.step.spanId,
    reason: f.reason,
    evidence: '',
  };
  if (f.text !== undefined && f.text !== '') {
    const ex = excerpt(f.text, f.start ?? 0, f.end ?? f.text.length);
    out.evidence = ex.evidence;
    if (f.start !== undefined) {
      out.evidenceStart = ex.evidenceStart;
      out.evidenceEnd = ex.evidenceEnd;
    }
  }
  if (f.details) out.details = f.details;
  return out;
}
