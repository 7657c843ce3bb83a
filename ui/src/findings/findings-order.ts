/**
 * The order findings are triaged in: worst first, then newest, over every matching finding (the
 * server orders them, `order=severity`); low-severity findings (hygiene notes such as a model alias
 * or a first-seen version) folded behind one "N low · show" row, N counted by the server, unless the
 * list is narrowed to a severity or has nothing else in it. `order=time` in the URL lists newest first.
 */
import type { FindingDto } from '@casefile/contract';

export type FindingsOrder = 'severity' | 'time';

export function parseOrder(value: string | null): FindingsOrder {
  return value === 'time' ? 'time' : 'severity';
}

/** How many matching findings are low, and how many are worse (from the server's counts). */
export interface FoldCounts {
  low: number;
  above: number;
}

/**
 * Whether low findings are left out of the list. Until the counts are known the list is folded (the
 * usual case); it unfolds when the user asks, when a severity is chosen, or when only low ones match.
 */
export function foldsLow(showLow: boolean, severityFilter: string, counts: FoldCounts | undefined): boolean {
  if (showLow || severityFilter !== '') return false;
  return counts === undefined || counts.above > 0 || counts.low === 0;
}

/** The list's query parameters beside the filters: the order, and `minSeverity` while low ones are folded. */
export function orderParams(order: FindingsOrder, fold: boolean): Record<string, string> {
  return { ...(order === 'severity' ? { order: 'severity' } : {}), ...(fold ? { minSeverity: 'medium' } : {}) };
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
