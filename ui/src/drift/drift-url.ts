/**
 * The drift page's state, all of it in the URL (so a view can be shared as a link):
 * `/drift?agent=&metric=&tool=&from=&to=&reference=&window=&end=`. `from`/`to` bound the chart (epoch
 * ms; absent = the last 24 hours), `window`/`end` the current window compared with the reference.
 */
import { metricNameSchema } from '@casefile/contract';
import type { z } from 'zod';
import { driftHref } from '../lib/routes';

export type MetricName = z.infer<typeof metricNameSchema>;
export const METRICS: readonly MetricName[] = metricNameSchema.options;

export type VersionDimension = 'prompt' | 'policy' | 'model';

export type ReferenceChoice =
  | { type: 'previous-window' }
  | { type: 'baseline'; fromMs: number; toMs: number }
  | { type: 'previous-version'; dimension: VersionDimension };

export interface DriftState {
  agent: string;
  metric: MetricName;
  tool: string;
  fromMs: number;
  toMs: number;
  reference: ReferenceChoice;
  /** Current window length, ms. */
  windowMs: number;
  /** Current window end, ms. */
  endMs: number;
}

export const DEFAULT_METRIC: MetricName = 'tool_mix';
const DAY = 86_400_000;
const MAX_WINDOW = 30 * DAY;
const NICE_BUCKETS = [60_000, 120_000, 300_000, 600_000, 900_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000, DAY];

/** Metrics that take a tool scope (mirrors the collector's `TOOL_SCOPED_METRICS`). */
export const TOOL_SCOPED: ReadonlySet<MetricName> = new Set([
  'output_length',
  'latency_ms',
  'error_rate',
  'schema_conformance_rate',
]);

/** The smallest round bucket that keeps the chart at about 60 points or fewer. */
export function pickBucketMs(fromMs: number, toMs: number): number {
  const span = Math.max(toMs - fromMs, 60_000);
  return NICE_BUCKETS.find((b) => span / b <= 60) ?? DAY * Math.ceil(span / (60 * DAY));
}

const intParam = (value: string | null): number | undefined =>
  value !== null && /^\d{1,15}$/.test(value) ? Number(value) : undefined;

/** `previous-window`, `baseline:FROM-TO` (epoch ms) or `previous-version:prompt|policy|model`. */
export function parseReference(text: string | null): ReferenceChoice {
  if (text === null || text === '' || text === 'previous-window') return { type: 'previous-window' };
  const baseline = /^baseline:(\d{1,15})-(\d{1,15})$/.exec(text);
  if (baseline) {
    const fromMs = Number(baseline[1]);
    const toMs = Number(baseline[2]);
    if (toMs > fromMs) return { type: 'baseline', fromMs, toMs };
  }
  const version = /^previous-version:(prompt|policy|model)$/.exec(text);
  if (version) return { type: 'previous-version', dimension: version[1] as VersionDimension };
  return { type: 'previous-window' };
}

export function formatReference(ref: ReferenceChoice): string {
  if (ref.type === 'baseline') return `baseline:${ref.fromMs}-${ref.toMs}`;
  if (ref.type === 'previous-version') return `previous-version:${ref.dimension}`;
  return 'previous-window';
}

/** Reads the URL; anything missing or malformed falls back to a default rather than failing. */
export function parseDriftState(search: URLSearchParams, nowMs: number): DriftState {
  const metric = metricNameSchema.safeParse(search.get('metric'));
  let toMs = intParam(search.get('to')) ?? nowMs;
  let fromMs = intParam(search.get('from')) ?? toMs - DAY;
  if (fromMs >= toMs) [fromMs, toMs] = [toMs - DAY, toMs];
  const defaultWindow = Math.max(pickBucketMs(fromMs, toMs), 60_000);
  const windowMs = Math.max(intParam(search.get('window')) ?? defaultWindow, 60_000);
  const endMs = intParam(search.get('end')) ?? toMs;
  const chosen = metric.success ? metric.data : DEFAULT_METRIC;
  return {
    agent: search.get('agent') ?? '',
    metric: chosen,
    tool: TOOL_SCOPED.has(chosen) ? (search.get('tool') ?? '') : '',
    fromMs,
    toMs,
    reference: parseReference(search.get('reference')),
    windowMs,
    endMs,
  };
}

/** The URL for a state; `project` is kept so the link opens in the same project. */
export function driftStateHref(project: string, s: DriftState): string {
  const p = new URLSearchParams();
  if (project !== '') p.set('project', project);
  if (s.agent !== '') p.set('agent', s.agent);
  p.set('metric', s.metric);
  if (s.tool !== '' && TOOL_SCOPED.has(s.metric)) p.set('tool', s.tool);
  p.set('from', String(s.fromMs));
  p.set('to', String(s.toMs));
  p.set('reference', formatReference(s.reference));
  p.set('window', String(s.windowMs));
  p.set('end', String(s.endMs));
  return driftHref(p);
}

/**
 * A drift link for an alert's scope and time: the event's window is the current window, and the chart
 * spans about 60 windows before it (at least an hour), reaching back to the reference's start when that
 * is within 30 days, so the band's data is on screen too.
 */
export function driftScopeHref(
  project: string,
  scope: { agent: string; metric: MetricName; tool: string; reference?: ReferenceChoice },
  window: { fromMs: number; toMs: number },
  referenceFromMs?: number,
): string {
  const len = Math.max(window.toMs - window.fromMs, 60_000);
  let fromMs = window.toMs - Math.min(Math.max(len * 60, 3_600_000), MAX_WINDOW);
  if (referenceFromMs !== undefined && referenceFromMs < fromMs && window.toMs - referenceFromMs <= MAX_WINDOW) {
    fromMs = referenceFromMs;
  }
  return driftStateHref(project, {
    agent: scope.agent,
    metric: scope.metric,
    tool: scope.tool,
    fromMs,
    toMs: window.toMs + Math.min(len * 2, DAY),
    reference: scope.reference ?? { type: 'previous-window' },
    windowMs: len,
    endMs: window.toMs,
  });
}

function scopeQuery(project: string, s: DriftState): URLSearchParams {
  const q = new URLSearchParams();
  if (project !== '') q.set('project', project);
  q.set('metric', s.metric);
  if (s.agent !== '') q.set('agent', s.agent);
  if (s.tool !== '' && TOOL_SCOPED.has(s.metric)) q.set('tool', s.tool);
  return q;
}

/** GET /api/drift/series for the chart. */
export function seriesQuery(project: string, s: DriftState): URLSearchParams {
  const q = scopeQuery(project, s);
  q.set('from', String(s.fromMs));
  q.set('to', String(s.toMs));
  q.set('bucket', String(pickBucketMs(s.fromMs, s.toMs)));
  return q;
}

/** GET /api/drift/compare for the distributions and the verdict. */
export function compareQuery(project: string, s: DriftState): URLSearchParams {
  const q = scopeQuery(project, s);
  q.set('reference', formatReference(s.reference));
  q.set('window', String(s.windowMs));
  q.set('end', String(s.endMs));
  return q;
}

/** Clicking a bucket makes it the current window. */
export function selectBucket(s: DriftState, startMs: number, bucketMs: number): DriftState {
  return { ...s, windowMs: Math.max(bucketMs, 60_000), endMs: startMs + Math.max(bucketMs, 60_000) };
}

/**
 * "What changed when this version shipped": compare the latest version (current window = from its
 * first sight to the chart's end, at most 30 days) with the version before it.
 */
export function shippedState(s: DriftState, dimension: VersionDimension, firstSeenMs: number): DriftState {
  const windowMs = Math.min(Math.max(s.toMs - firstSeenMs, 60_000), MAX_WINDOW);
  return { ...s, reference: { type: 'previous-version', dimension }, endMs: s.toMs, windowMs };
}
