import type { Step } from './step.js';

/**
 * Steps in the order they happened. SDKs often stamp start times in whole milliseconds (OpenTelemetry
 * JS takes them from Date.now()), so a parent and its first child, or a policy check and the call it
 * allowed, can share a start. Ties are broken by ancestry (a parent before its descendants), then by
 * end time (a step that ended first cannot have started after one still running), then by span ID.
 */
export function orderSteps<T extends Pick<Step, 'spanId' | 'parentSpanId' | 'startNs' | 'endNs'>>(
  steps: readonly T[],
): T[] {
  const parentOf = new Map(steps.map((s) => [s.spanId, s.parentSpanId]));
  const isAncestor = (a: string, b: string): boolean => {
    let p = parentOf.get(b);
    for (let hops = 0; p && hops < steps.length; hops++) {
      if (p === a) return true;
      p = parentOf.get(p);
    }
    return false;
  };
  return [...steps].sort((a, b) => {
    if (a.startNs !== b.startNs) return a.startNs < b.startNs ? -1 : 1;
    if (isAncestor(a.spanId, b.spanId)) return -1;
    if (isAncestor(b.spanId, a.spanId)) return 1;
    if (a.endNs !== b.endNs) return a.endNs < b.endNs ? -1 : 1;
    return a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0;
  });
}
