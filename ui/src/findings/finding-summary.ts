/** Counts shown above the findings list, and the small facts each row shows. */
import type { FindingDto } from '@casefile/contract';
import { SEVERITIES } from './findings-filters';

export interface FindingCounts {
  total: number;
  bySeverity: { severity: (typeof SEVERITIES)[number]; count: number }[];
  /** Most frequent first, then by rule ID. */
  byRule: { ruleId: string; count: number; worst: FindingDto['severity'] }[];
  byStatus: Record<FindingDto['status'], number>;
}

const RANK: Record<FindingDto['severity'], number> = { low: 0, medium: 1, high: 2, critical: 3 };

export function countFindings(findings: readonly FindingDto[]): FindingCounts {
  const sev = new Map<string, number>();
  const rules = new Map<string, { count: number; worst: FindingDto['severity'] }>();
  const byStatus = { open: 0, expected: 0, muted: 0 };
  for (const f of findings) {
    sev.set(f.severity, (sev.get(f.severity) ?? 0) + 1);
    const r = rules.get(f.ruleId);
    if (r === undefined) rules.set(f.ruleId, { count: 1, worst: f.severity });
    else {
      r.count++;
      if (RANK[f.severity] > RANK[r.worst]) r.worst = f.severity;
    }
    byStatus[f.status]++;
  }
  return {
    total: findings.length,
    bySeverity: SEVERITIES.map((severity) => ({ severity, count: sev.get(severity) ?? 0 })),
    byRule: [...rules]
      .map(([ruleId, r]) => ({ ruleId, ...r }))
      .sort((a, b) => b.count - a.count || (a.ruleId < b.ruleId ? -1 : 1)),
    byStatus,
  };
}

/** Worst first: the order findings of one step are listed in. */
export function bySeverity(findings: readonly FindingDto[]): FindingDto[] {
  return [...findings].sort((a, b) => RANK[b.severity] - RANK[a.severity] || (a.ruleId < b.ruleId ? -1 : 1));
}

/** The worst severity per step, for the badges on the run page's step rows. */
export function worstPerStep(findings: readonly FindingDto[]): Map<string, FindingDto['severity']> {
  const out = new Map<string, FindingDto['severity']>();
  for (const f of findings) {
    const cur = out.get(f.spanId);
    if (cur === undefined || RANK[f.severity] > RANK[cur]) out.set(f.spanId, f.severity);
  }
  return out;
}

/** A finding with a new status, in a list (after the API confirmed the change). */
export function replaceFinding(list: readonly FindingDto[], updated: FindingDto): FindingDto[] {
  return list.map((f) => (f.id === updated.id ? updated : f));
}
