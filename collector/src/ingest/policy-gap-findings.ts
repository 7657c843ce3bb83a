import {
  type Baseline,
  type DetectionConfig,
  gapReason,
  gapTally,
  MAX_GAP_EXAMPLES,
  policyGaps,
} from '../detect/index.js';
import type { Step } from '../model/step.js';
import type { FindingsStore } from '../store/port.js';

/** Whether a day's count is worth a write: every change while examples are added, then at growing steps. */
function worthWriting(count: number): boolean {
  return count <= MAX_GAP_EXAMPLES || (count & (count - 1)) === 0 || count % 100 === 0;
}

/**
 * A policy gap (an external call without approval) is one finding per agent, tool and day, stored
 * on the day's first run. When a later run of the same day is learned, that finding's count and
 * example runs are brought up to date (at growing steps, so a busy day costs a handful of writes).
 */
export async function refreshPolicyGapFindings(
  store: Pick<FindingsStore, 'listFindings' | 'replaceFindings'>,
  projectId: string,
  traceId: string,
  steps: readonly Step[],
  baseline: Baseline,
  config: DetectionConfig,
): Promise<void> {
  for (const gap of policyGaps(steps, config)) {
    const tally = gapTally(baseline, gap);
    const anchor = tally?.traceIds[0];
    if (!tally || anchor === undefined || anchor === traceId || !worthWriting(tally.count)) continue;
    const { findings } = await store.listFindings(projectId, { traceId: anchor, limit: 100_000 });
    const target = findings.find(
      (f) =>
        f.ruleId === 'approval.missing' &&
        f.details?.gap === 1 &&
        f.details.tool === gap.tool &&
        f.details.agent === gap.agent &&
        f.details.day === gap.day,
    );
    if (!target || target.details?.count === tally.count) continue;
    const updated = {
      ...target,
      reason: gapReason(String(target.details?.risk ?? ''), gap, tally.count),
      details: { ...target.details, count: tally.count, exampleTraceIds: tally.traceIds.join(',') },
    };
    await store.replaceFindings(
      projectId,
      anchor,
      findings.map((f) => (f.id === target.id ? updated : f)),
    );
  }
}
