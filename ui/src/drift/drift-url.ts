/**
 * The drift page's state, all of it in the URL (so a view can be shared as a link):
 * `/drift?agent=&metric=&tool=&from=&to=&reference=&window=&end=`. `from`/`to` bound the chart (absent =
 * the last 24 hours), `window`/`end` the current window compared with the reference. Instants are
 * written as ISO 8601 UTC (`2026-03-02T14:00Z`) and read as anything `parseTimeInput` takes (ISO,
 * `now`, `7d ago`, `last 7 days`, epoch ms of older links); durations as `15m`, `1h`, `7d` (or ms).
 */
import { metricNameSchema, parseTimeInput } from '@casefile/contract';
import type { z } from 'zod';
import { driftHref } from '../lib/routes';

export type MetricName = z.infer<typeof metricNameSchema>;
export const METRICS: readonly MetricName[] = metricNameSchema.options;

export type VersionDimension = 'prompt' | 'policy' | 'model';

export type ReferenceChoice =
  | { type: 'previous-window'; windowMs?: number }
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

/** An instant as a link or a field shows it: ISO 8601 UTC, to the minute when that loses nothing. */
export function formatInstant(ms: number): string {
  const iso = new Date(ms).toISOString();
  if (iso.endsWith(':00.000Z')) return `${iso.slice(0, 16)}Z`;
  if (iso.endsWith('.000Z')) return `${iso.slice(0, 19)}Z`;
  return iso;
}

/** How an instant reads in a field and on the page: `2026-03-02 14:00` (UTC; seconds when set). */
export function showInstant(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.slice(17, 23) === '00.000' ? iso.slice(0, 16).replace('T', ' ') : iso.slice(0, 19).replace('T', ' ');
}

export const DATE_HINT =
  'a date (2026-03-02 14:00, UTC unless a zone is typed) or a relative time (7d ago, now-36h, now)';

/** A typed or linked instant: ISO 8601 (no offset = UTC), `now`, relative to `nowMs`, or epoch ms. */
export function parseInstant(value: string | null, nowMs: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  // Links written before instants were dates carry epoch ms of any length.
  if (/^\d{1,15}$/.test(text)) return Number(text);
  // A '+' typed into a query string arrives as a space: `…T12:00 01:00` meant `…T12:00+01:00`.
  const t = parseTimeInput(text.replace(/(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$/, '$1+$2'), nowMs);
  return t.ok ? Math.floor(t.ms) : undefined;
}

const DURATION_UNITS: ReadonlyArray<[string, number]> = [
  ['d', DAY],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/** A window length as a link shows it: `1h`, `15m`, `7d` (ms when no unit divides it). */
export function formatWindow(ms: number): string {
  for (const [unit, size] of DURATION_UNITS) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return String(ms);
}

/** `90m`, `1h`, `7d`, `30s` or ms (links written before windows had units). */
export function parseWindow(value: string | null): number | undefined {
  const m = value === null ? null : /^(\d{1,15})\s*(ms|s|m|min|h|d)?$/i.exec(value.trim());
  if (!m) return undefined;
  const unit = (m[2] ?? 'ms').toLowerCase();
  const size = unit === 'ms' ? 1 : unit === 'min' ? 60_000 : (DURATION_UNITS.find(([u]) => u === unit)?.[1] ?? 1);
  const ms = Number(m[1]) * size;
  return Number.isSafeInteger(ms) ? ms : undefined;
}

/**
 * `previous-window[:<duration>]`, `baseline:FROM/TO` (each bound an ISO date, relative or epoch ms;
 * what links carry now), `baseline:FROM-TO` (epoch ms; older links) or `previous-version:prompt|policy|model`.
 */
export function parseReference(text: string | null, nowMs: number = Date.now()): ReferenceChoice {
  if (text === null || text === '' || text === 'previous-window') return { type: 'previous-window' };
  const bounds = /^baseline:(\d{1,15})-(\d{1,15})$/.exec(text) ?? /^baseline:([^/]{1,64})\/([^/]{1,64})$/.exec(text);
  if (bounds) {
    const fromMs = parseInstant(bounds[1] as string, nowMs);
    const toMs = parseInstant(bounds[2] as string, nowMs);
    if (fromMs !== undefined && toMs !== undefined && toMs > fromMs) return { type: 'baseline', fromMs, toMs };
  }
  const version = /^previous-version:(prompt|policy|model)$/.exec(text);
  if (version) return { type: 'previous-version', dimension: version[1] as VersionDimension };
  // A reference window of its own length (`previous-window:2h`), as a rule may set it.
  const previous = /^previous-window:(.{1,20})$/.exec(text);
  const windowMs = previous ? parseWindow(previous[1] as string) : undefined;
  return windowMs !== undefined && windowMs >= 1_000
    ? { type: 'previous-window', windowMs }
    : { type: 'previous-window' };
}

/** The reference as the URL shows it (a baseline as two dates). */
export function formatReference(ref: ReferenceChoice): string {
  if (ref.type === 'baseline') return `baseline:${formatInstant(ref.fromMs)}/${formatInstant(ref.toMs)}`;
  if (ref.type === 'previous-version') return `previous-version:${ref.dimension}`;
  return ref.windowMs === undefined ? 'previous-window' : `previous-window:${formatWindow(ref.windowMs)}`;
}

/** Reads the URL; anything missing or malformed falls back to a default rather than failing. */
export function parseDriftState(search: URLSearchParams, nowMs: number): DriftState {
  const metric = metricNameSchema.safeParse(search.get('metric'));
  let toMs = parseInstant(search.get('to'), nowMs) ?? nowMs;
  let fromMs = parseInstant(search.get('from'), nowMs) ?? toMs - DAY;
  if (fromMs >= toMs) [fromMs, toMs] = [toMs - DAY, toMs];
  const defaultWindow = Math.max(pickBucketMs(fromMs, toMs), 60_000);
  const windowMs = Math.max(parseWindow(search.get('window')) ?? defaultWindow, 60_000);
  const endMs = parseInstant(search.get('end'), nowMs) ?? toMs;
  const chosen = metric.success ? metric.data : DEFAULT_METRIC;
  return {
    agent: search.get('agent') ?? '',
    metric: chosen,
    tool: TOOL_SCOPED.has(chosen) ? (search.get('tool') ?? '') : '',
    fromMs,
    toMs,
    reference: parseReference(search.get('reference'), nowMs),
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
  p.set('from', formatInstant(s.fromMs));
  p.set('to', formatInstant(s.toMs));
  p.set('reference', formatReference(s.reference));
  p.set('window', formatWindow(s.windowMs));
  p.set('end', formatInstant(s.endMs));
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
