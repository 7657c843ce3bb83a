/**
 * Write times for the detection backlog: wall-clock nanoseconds, strictly increasing within one
 * writer, so two writes of the same run never share a stamp and a later write always sorts after.
 */
export function createWriteClock(): () => bigint {
  let last = 0n;
  return () => {
    const now = BigInt(Date.now()) * 1_000_000n;
    last = now > last ? now : last + 1n;
    return last;
  };
}

/** Pending detections in the order every store answers them: oldest write, then project, then trace. */
export function comparePending(
  a: { projectId: string; traceId: string; writtenNs: bigint },
  b: { projectId: string; traceId: string; writtenNs: bigint },
): number {
  if (a.writtenNs !== b.writtenNs) return a.writtenNs < b.writtenNs ? -1 : 1;
  if (a.projectId !== b.projectId) return a.projectId < b.projectId ? -1 : 1;
  return a.traceId < b.traceId ? -1 : a.traceId > b.traceId ? 1 : 0;
}
