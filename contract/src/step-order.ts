/**
 * The order steps happened in, shared by the collector (stores, detection) and the UI (waterfall,
 * player, compare). SDKs often stamp start times in whole milliseconds (OpenTelemetry JS takes them
 * from the wall clock), so a parent and its first child, or a policy check and the call it allowed,
 * can share a start. Ties are broken by:
 * 1. ancestry: a parent before its descendants;
 * 2. the recorded sequence `casefile.step.seq` when both steps carry one (the Casefile SDK stamps a
 *    per-process counter at span start, so it is the true start order within one process);
 * 3. end time: of two steps started in the same tick, the one that ended first is taken as first;
 * 4. span ID, so the order is total and the same everywhere.
 */

/** The span attribute the Casefile SDK stamps at span start: a per-process counter, increasing. */
export const STEP_SEQ_ATTRIBUTE = 'casefile.step.seq';

export interface OrderableStep {
  spanId: string;
  parentSpanId: string;
  startNs: bigint;
  endNs: bigint;
  attributes?: Readonly<Record<string, string>>;
}

/** The step's recorded sequence number, or undefined when it has none (or not a safe integer). */
export function stepSeq(step: Pick<OrderableStep, 'attributes'>): number | undefined {
  const raw = step.attributes?.[STEP_SEQ_ATTRIBUTE];
  if (raw === undefined || !/^\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
}

/** A comparator for steps of one run; `isAncestor(a, b)` says whether a is an ancestor of b. */
export function compareSteps<T extends OrderableStep>(
  a: T,
  b: T,
  isAncestor: (ancestor: T, descendant: T) => boolean,
): number {
  if (a.startNs !== b.startNs) return a.startNs < b.startNs ? -1 : 1;
  if (isAncestor(a, b)) return -1;
  if (isAncestor(b, a)) return 1;
  const sa = stepSeq(a);
  const sb = stepSeq(b);
  if (sa !== undefined && sb !== undefined && sa !== sb) return sa - sb;
  if (a.endNs !== b.endNs) return a.endNs < b.endNs ? -1 : 1;
  return a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0;
}

/** An ancestry test over one run's parent links; parent cycles and dangling links end the walk. */
export function ancestryOf(
  steps: readonly OrderableStep[],
): (ancestor: OrderableStep, descendant: OrderableStep) => boolean {
  const parentOf = new Map<string, string>();
  for (const s of steps) if (!parentOf.has(s.spanId)) parentOf.set(s.spanId, s.parentSpanId);
  return (ancestor, descendant) => {
    let p = parentOf.get(descendant.spanId);
    for (let hops = 0; p && hops < steps.length; hops++) {
      if (p === ancestor.spanId) return true;
      p = parentOf.get(p);
    }
    return false;
  };
}

/** Steps in the order they happened (a new array; see the module comment for how ties break). */
export function orderSteps<T extends OrderableStep>(steps: readonly T[]): T[] {
  const isAncestor = ancestryOf(steps);
  return [...steps].sort((a, b) => compareSteps(a, b, isAncestor));
}
