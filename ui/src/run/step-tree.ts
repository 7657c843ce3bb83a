/**
 * Turns the flat step list of a run into the rows of the timeline: depth-first by parent, siblings
 * in the order they happened. Trace data is untrusted, so parent links may point nowhere, at the step itself,
 * or form a cycle; every step still appears exactly once.
 */
import { ancestryOf, compareSteps } from '@casefile/contract';
import type { UiStep } from '../lib/model';

export interface StepRow {
  step: UiStep;
  depth: number;
  /** Number of direct children. */
  childCount: number;
  /** The parent span ID is set but no step of the run has it (or the links form a cycle). */
  orphan: boolean;
  /** Index of the parent's row in the same list, -1 for a root; used to hide rows under a collapsed step. */
  parentIndex: number;
  /**
   * The interval the bar covers: the step's own, widened to cover its children when they overshoot it
   * by no more than clock rounding (`CLOCK_ROUNDING_NS`). A larger overshoot is real (a child that
   * outlived its parent) and is shown as recorded.
   */
  barStartNs: bigint;
  barEndNs: bigint;
}

/**
 * How far a child may start before or end after its parent and still be taken as the same instant:
 * SDKs that stamp whole milliseconds (OpenTelemetry JS) round a parent's end and its child's
 * independently, so a parent can appear to end up to a millisecond before the child it waited for.
 */
export const CLOCK_ROUNDING_NS = 1_000_000n;

export function buildStepRows(steps: readonly UiStep[]): StepRow[] {
  // Siblings in the order they happened: start, then recorded sequence, end time, span ID (contract).
  const isAncestor = ancestryOf(steps);
  const byStart = (a: UiStep, b: UiStep): number => compareSteps(a, b, isAncestor);
  // A duplicate span ID (a resent span that escaped de-duplication) keeps its first occurrence only
  // as a parent target; both copies are still listed.
  const bySpan = new Map<string, UiStep>();
  for (const s of steps) if (!bySpan.has(s.spanId)) bySpan.set(s.spanId, s);

  const children = new Map<string, UiStep[]>();
  const roots: UiStep[] = [];
  for (const s of steps) {
    const parent = s.parentSpanId;
    if (parent === '' || parent === s.spanId || !bySpan.has(parent)) {
      roots.push(s);
      continue;
    }
    const list = children.get(parent);
    if (list) list.push(s);
    else children.set(parent, [s]);
  }
  for (const list of children.values()) list.sort(byStart);
  roots.sort(byStart);

  const rows: StepRow[] = [];
  const placed = new Set<UiStep>();
  const visit = (root: UiStep, orphan: boolean): void => {
    // Iterative so a pathological 100k-deep chain cannot overflow the stack.
    const stack: { step: UiStep; depth: number; parentIndex: number; orphan: boolean }[] = [
      { step: root, depth: 0, parentIndex: -1, orphan },
    ];
    while (stack.length > 0) {
      const item = stack.pop()!;
      if (placed.has(item.step)) continue;
      placed.add(item.step);
      const kids = (children.get(item.step.spanId) ?? []).filter((k) => !placed.has(k));
      const index = rows.length;
      rows.push({
        step: item.step,
        depth: item.depth,
        childCount: kids.length,
        orphan: item.orphan,
        parentIndex: item.parentIndex,
        barStartNs: item.step.startNs,
        barEndNs: item.step.endNs,
      });
      for (let i = kids.length - 1; i >= 0; i--) {
        stack.push({ step: kids[i]!, depth: item.depth + 1, parentIndex: index, orphan: false });
      }
    }
  };
  for (const r of roots) visit(r, r.parentSpanId !== '');
  // Steps only reachable through a parent cycle.
  for (const s of [...steps].sort(byStart)) if (!placed.has(s)) visit(s, true);
  widenParents(rows);
  return rows;
}

/** Children come after their parent (depth-first), so one backward pass carries widened bars upwards. */
function widenParents(rows: StepRow[]): void {
  for (let i = rows.length - 1; i >= 0; i--) {
    const row = rows[i]!;
    const parent = row.parentIndex >= 0 ? rows[row.parentIndex] : undefined;
    if (parent === undefined) continue;
    // The child's widened bar when it is within rounding of the parent, else its recorded interval.
    const end = row.barEndNs - parent.step.endNs <= CLOCK_ROUNDING_NS ? row.barEndNs : row.step.endNs;
    if (end > parent.barEndNs && end - parent.step.endNs <= CLOCK_ROUNDING_NS) parent.barEndNs = end;
    const start = parent.step.startNs - row.barStartNs <= CLOCK_ROUNDING_NS ? row.barStartNs : row.step.startNs;
    if (start < parent.barStartNs && parent.step.startNs - start <= CLOCK_ROUNDING_NS) parent.barStartNs = start;
  }
}

/** Whether the row's bar was widened beyond the step's recorded interval. */
export const isWidened = (row: StepRow): boolean =>
  row.barStartNs !== row.step.startNs || row.barEndNs !== row.step.endNs;

/** Rows not hidden under a collapsed ancestor. */
export function visibleRows(rows: readonly StepRow[], collapsed: ReadonlySet<string>): StepRow[] {
  if (collapsed.size === 0) return [...rows];
  // Rows are in depth-first order, so a parent's verdict is known before its children's.
  const hidden: boolean[] = [];
  return rows.filter((r, i) => {
    const parent = r.parentIndex >= 0 ? rows[r.parentIndex] : undefined;
    const isHidden = parent !== undefined && (collapsed.has(parent.step.spanId) || hidden[r.parentIndex] === true);
    hidden[i] = isHidden;
    return !isHidden;
  });
}

/** The span ID one row up or down from `current` (clamped); the first row when nothing is selected. */
export function neighbourSpanId(rows: readonly StepRow[], current: string | null, delta: 1 | -1): string | null {
  if (rows.length === 0) return null;
  const index = current === null ? -1 : rows.findIndex((r) => r.step.spanId === current);
  if (index === -1) return rows[0]!.step.spanId;
  const next = Math.min(rows.length - 1, Math.max(0, index + delta));
  return rows[next]!.step.spanId;
}
