import {
  type Baseline,
  type DetectionConfig,
  gapReason,
  gapTally,
  MAX_GAP_EXAMPLES,
  type PolicyGap,
  policyGaps,
} from '../detect/index.js';
import type { Step } from '../model/step.js';
import type { FindingsStore } from '../store/port.js';

/**
 * Whether a day's count is worth a write, having been `before` when the finding was last brought up
 * to date: every change while examples are added, then each time it passes a power of two or a
 * multiple of 100 (so a busy day costs a handful of writes, however many runs each page learns).
 */
function worthWriting(before: number, count: number): boolean {
  if (count <= before) return false;
  if (count <= MAX_GAP_EXAMPLES) return true;
  return (
    Math.floor(Math.log2(count)) > Math.floor(Math.log2(Math.max(1, before))) ||
    Math.floor(count / 100) > Math.floor(before / 100)
  );
}

/**
 * A policy gap (an external call without approval) is one finding per agent, tool and day, stored
 * on the day's first run. When later runs of the same day are learned (a page of them at once), that
 * finding's count and example runs are brought up to date, once per gap, at growing steps.
 */
export async function refreshPolicyGapFindings(
  store: Pick<FindingsStore, 'listFindings' | 'replaceFindings'>,
  projectId: string,
  runs: ReadonlyArray<{ traceId: string; steps: readonly Step[] }>,
  baseline: Baseline,
  config: DetectionConfig,
): Promise<void> {
  // Each gap of the page, with how many of its runs (other than the day's first) were just learned.
  const gaps = new Map<string, { gap: PolicyGap; learned: number; onlyAnchor: boolean }>();
  for (const run of runs) {
    for (const gap of policyGaps(run.steps, config)) {
      const key = `${gap.agent}\u0000${gap.tool}\u0000${gap.day}`;
      const entry = gaps.get(key) ?? { gap, learned: 0, onlyAnchor: true };
      entry.learned++;
      if (gapTally(baseline, gap)?.traceIds[0] !== run.traceId) entry.onlyAnchor = false;
      gaps.set(key, entry);
    }
  }
  for (const { gap, learned, onlyAnchor } of gaps.values()) {
    const tally = gapTally(baseline, gap);
    const anchor = tally?.traceIds[0];
    if (!tally || anchor === undefined || onlyAnchor || !worthWriting(tally.count - learned, tally.count)) continue;
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
