/**
 * The overview page's time buckets. The figures themselves come from the store (`RunReader.overview`,
 * one aggregate query); `store/overview.ts` defines them and holds the reference computation.
 */
export type { Overview, OverviewAgent, OverviewBucket, OverviewFigures, OverviewQuery } from '../store/overview.js';
export { aggregateOverview, percentile } from '../store/overview.js';

/** A bucket size for the range: about 48 buckets, rounded to a whole minute, hour or day. */
export function pickBucketMs(fromMs: number, toMs: number, requested?: string): number {
  const named: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
  const span = Math.max(60_000, toMs - fromMs);
  const min = Math.ceil(span / 500);
  if (requested !== undefined && requested in named) return Math.max(named[requested]!, min);
  const raw = span / 48;
  for (const step of [60_000, 300_000, 900_000, 3_600_000, 10_800_000, 86_400_000]) if (raw <= step) return step;
  return 86_400_000 * Math.ceil(raw / 86_400_000);
}
