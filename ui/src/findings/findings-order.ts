/**
 * The order findings are triaged in: worst first, then newest; low-severity findings (hygiene notes
 * such as a model alias or a first-seen version) folded behind one "N low · show" row unless the
 * list is narrowed to them. `order=time` in the URL keeps the server's order (newest first).
 */
import type { FindingDto } from '@casefile/contract';

const RANK: Record<FindingDto['severity'], number> = { low: 0, medium: 1, high: 2, critical: 3 };

export type FindingsOrder = 'severity' | 'time';

export function parseOrder(value: string | null): FindingsOrder {
  return value === 'time' ? 'time' : 'severity';
}

export interface TriageView {
  /** The rows shown, in order. */
  shown: FindingDto[];
  /** Low-severity findings folded away (0 when shown or when there are none). */
  foldedLow: number;
}

export function triageView(
  findings: readonly FindingDto[],
  order: FindingsOrder,
  showLow: boolean,
  severityFilter: string,
): TriageView {
  const sorted =
    order === 'time'
      ? [...findings]
      : findings
          .map((f, i) => ({ f, i }))
          // The server sends newest first; ties keep that order.
          .sort((a, b) => RANK[b.f.severity] - RANK[a.f.severity] || a.i - b.i)
          .map((x) => x.f);
  // A list narrowed to low findings shows them; so does one with nothing else in it.
  const fold = !showLow && severityFilter !== 'low' && sorted.some((f) => f.severity !== 'low');
  if (!fold) return { shown: sorted, foldedLow: 0 };
  const shown = sorted.filter((f) => f.severity !== 'low');
  return { shown, foldedLow: sorted.length - shown.length };
}

/** What a bulk status change will do to the ticked findings, shown before anything is sent. */
export interface BulkPlan {
  status: FindingDto['status'];
  /** Changed: open findings (for mute / mark expected), every closed one (for reopen). */
  change: FindingDto[];
  /** Already closed with the other status (e.g. marked expected, now to be muted): left alone unless asked. */
  overwrite: FindingDto[];
  /** Already in the target status. */
  unchanged: number;
}

export function bulkPlan(
  findings: readonly FindingDto[],
  selected: ReadonlySet<string>,
  status: FindingDto['status'],
): BulkPlan {
  const ticked = findings.filter((f) => selected.has(f.id));
  const change: FindingDto[] = [];
  const overwrite: FindingDto[] = [];
  let unchanged = 0;
  for (const f of ticked) {
    if (f.status === status) unchanged++;
    else if (status === 'open' || f.status === 'open') change.push(f);
    else overwrite.push(f);
  }
  return { status, change, overwrite, unchanged };
}

const VERB: Record<FindingDto['status'], string> = { open: 'Reopen', expected: 'Mark expected', muted: 'Mute' };

/** "Mute 10 open findings; 2 marked expected stay as they are; 1 already muted." */
export function describePlan(plan: BulkPlan, includeOverwrite: boolean): string {
  const n = plan.change.length + (includeOverwrite ? plan.overwrite.length : 0);
  const parts = [`${VERB[plan.status]} ${n} finding${n === 1 ? '' : 's'}`];
  const byStatus = (list: readonly FindingDto[]) => {
    const counts = new Map<string, number>();
    for (const f of list) counts.set(f.status, (counts.get(f.status) ?? 0) + 1);
    return [...counts].map(([s, c]) => `${c} ${s === 'expected' ? 'marked expected' : s}`).join(', ');
  };
  if (plan.change.length > 0) parts[0] += ` (${byStatus(plan.change)} → ${plan.status})`;
  if (plan.overwrite.length > 0) {
    parts.push(
      includeOverwrite
        ? `${byStatus(plan.overwrite)} will be changed to ${plan.status}`
        : `${byStatus(plan.overwrite)} stay as they are`,
    );
  }
  if (plan.unchanged > 0)
    parts.push(`${plan.unchanged} already ${plan.status === 'expected' ? 'marked expected' : plan.status}`);
  return parts.join('; ');
}
