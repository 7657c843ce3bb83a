/**
 * Turns the flat step list of a run into the rows of the timeline: depth-first by parent, siblings
 * in start order. Trace data is untrusted, so parent links may point nowhere, at the step itself,
 * or form a cycle; every step still appears exactly once.
 */
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
}

function byStart(a: UiStep, b: UiStep): number {
  if (a.startNs !== b.startNs) return a.startNs < b.startNs ? -1 : 1;
  return a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0;
}

export function buildStepRows(steps: readonly UiStep[]): StepRow[] {
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
      });
      for (let i = kids.length - 1; i >= 0; i--) {
        stack.push({ step: kids[i]!, depth: item.depth + 1, parentIndex: index, orphan: false });
      }
    }
  };
  for (const r of roots) visit(r, r.parentSpanId !== '');
  // Steps only reachable through a parent cycle.
  for (const s of [...steps].sort(byStart)) if (!placed.has(s)) visit(s, true);
  return rows;
}

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
