/**
 * Drift chart data: series points → chart rows in display units, the reference band (the reference
 * window's p5–p95, or its rate ± a 95% interval), alert markers and distribution bars.
 */
import type { AlertEventDto, AlertRuleDto, DriftCompareDto, MetricSeriesDto } from '@casefile/contract';
import type { MetricName } from './drift-url';

export type SeriesKind = MetricSeriesDto['kind'];

export interface SeriesRow {
  startMs: number;
  count: number;
  /** numeric: mean; rate: %; categorical: share of the bucket's top label in %; count: runs. */
  value: number;
  p50?: number;
  p95?: number;
  /** categorical: the bucket's most frequent label (trace-derived text). */
  topLabel?: string;
  /** categorical: % of the bucket per charted label (see `categoryLabels`), by the label's index. */
  shares?: (number | undefined)[];
}

/**
 * The labels worth a line of their own: the most frequent ones over the whole range (by their counts
 * in each bucket's top list), so a tool that appears late still gets its line.
 */
export function categoryLabels(series: MetricSeriesDto, max = 5): string[] {
  const totals = new Map<string, number>();
  for (const p of series.points) for (const [label, n] of p.top ?? []) totals.set(label, (totals.get(label) ?? 0) + n);
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, max)
    .map(([label]) => label);
}

const pct = (x: number) => Math.round(x * 10_000) / 100;
const round = (x: number) => Math.round(x * 1000) / 1000;

/** Rates and shares become percentages; numbers are rounded for the tooltip. */
export function seriesRows(series: MetricSeriesDto, labels: string[] = []): SeriesRow[] {
  const asPct = series.kind === 'rate' || series.kind === 'categorical';
  return [...series.points]
    .sort((a, b) => a.startMs - b.startMs)
    .map((p) => {
      const row: SeriesRow = { startMs: p.startMs, count: p.count, value: asPct ? pct(p.value) : round(p.value) };
      if (p.p50 !== undefined) row.p50 = round(p.p50);
      if (p.p95 !== undefined) row.p95 = round(p.p95);
      const top = p.top?.[0];
      if (top !== undefined) row.topLabel = top[0];
      if (labels.length > 0 && p.count > 0) {
        const counts = new Map(p.top ?? []);
        // A label outside a full top list may still be there, just not among the top: unknown, not 0.
        const full = (p.top?.length ?? 0) >= 5;
        row.shares = labels.map((l) => {
          const n = counts.get(l);
          return n !== undefined ? pct(n / p.count) : full ? undefined : 0;
        });
      }
      return row;
    });
}

export function valueUnit(kind: SeriesKind, metric: MetricName): string {
  if (kind === 'rate') return '%';
  if (kind === 'categorical') return '%';
  if (kind === 'count') return 'runs';
  if (metric === 'latency_ms') return 'ms';
  if (metric === 'output_length') return 'chars';
  if (metric === 'cost_per_run') return 'USD';
  return '';
}

export interface Band {
  low: number;
  high: number;
  label: string;
}

type Distribution = DriftCompareDto['reference'];

/** The `q` quantile of a histogram, interpolated linearly inside the bin it falls in. */
export function histogramQuantile(bins: { from: number; to: number; count: number }[], q: number): number | undefined {
  const total = bins.reduce((s, b) => s + b.count, 0);
  if (total === 0) return undefined;
  const target = q * total;
  let seen = 0;
  for (const b of bins) {
    if (b.count > 0 && seen + b.count >= target) {
      const within = (target - seen) / b.count;
      return b.from + (b.to - b.from) * Math.min(Math.max(within, 0), 1);
    }
    seen += b.count;
  }
  return bins[bins.length - 1]?.to;
}

/** A 95% normal interval of a proportion, clamped to [0, 1]. */
export function proportionInterval(successes: number, trials: number): { p: number; low: number; high: number } {
  if (trials <= 0) return { p: 0, low: 0, high: 0 };
  const p = successes / trials;
  const half = 1.96 * Math.sqrt((p * (1 - p)) / trials);
  return { p, low: Math.max(0, p - half), high: Math.min(1, p + half) };
}

/**
 * The reference band in the chart's units: numeric p5–p95 of the reference values; rate p ± 95% CI;
 * categorical: the share of the reference's most frequent label ± 95% CI. `undefined` when the
 * reference is empty.
 */
export function referenceBand(ref: Distribution): Band | undefined {
  if (ref.n === 0) return undefined;
  if (ref.histogram !== undefined && ref.histogram.length > 0) {
    const low = histogramQuantile(ref.histogram, 0.05);
    const high = histogramQuantile(ref.histogram, 0.95);
    if (low === undefined || high === undefined) return undefined;
    return { low: round(low), high: round(high), label: 'reference p5–p95' };
  }
  if (ref.rate !== undefined) {
    if (ref.rate.trials === 0) return undefined;
    const ci = proportionInterval(ref.rate.successes, ref.rate.trials);
    return { low: pct(ci.low), high: pct(ci.high), label: `reference ${pct(ci.p)}% ± 95% CI` };
  }
  if (ref.categories !== undefined && ref.categories.length > 0) {
    const total = ref.categories.reduce((s, [, c]) => s + c, 0);
    const top = ref.categories.reduce((best, c) => (c[1] > best[1] ? c : best));
    const ci = proportionInterval(top[1], total);
    return { low: pct(ci.low), high: pct(ci.high), label: `reference share of ${top[0]} ± 95% CI` };
  }
  return undefined;
}

export interface AlertMarker {
  timeMs: number;
  state: AlertEventDto['to'];
  summary: string;
  ruleName: string;
}

/** Rules watching exactly this scope: same agent, same tool, the metric among theirs. */
export function rulesOnScope(rules: AlertRuleDto[], scope: { agent: string; metric: MetricName; tool: string }) {
  return rules.filter(
    (r) =>
      r.agentName === scope.agent &&
      r.toolName === scope.tool &&
      (r.kind === 'drift' ? r.metrics.includes(scope.metric) : r.metric === scope.metric),
  );
}

/** Events of those rules inside the chart's range, as markers at the end of their evaluated window. */
export function alertMarkers(
  events: AlertEventDto[],
  ruleIds: ReadonlySet<string>,
  fromMs: number,
  toMs: number,
): AlertMarker[] {
  return events
    .filter((e) => ruleIds.has(e.ruleId))
    .map((e) => ({
      timeMs: Number(BigInt(e.window.toNs) / 1_000_000n),
      state: e.to,
      summary: e.summary,
      ruleName: e.ruleName,
    }))
    .filter((m) => m.timeMs >= fromMs && m.timeMs <= toMs)
    .sort((a, b) => a.timeMs - b.timeMs);
}

export const STATE_COLOURS: Record<AlertEventDto['to'], string> = {
  firing: '#b42318',
  resolved: '#1a7f37',
  ok: '#1a7f37',
  insufficient_data: '#8a8f98',
};

export interface DistributionRow {
  label: string;
  reference: number;
  current: number;
}

/**
 * Reference and current side by side, as percentages of each window (so windows of different sizes
 * compare): histogram bins, category shares (top `maxCategories` of both, the rest as "other"), or
 * the rate.
 */
export function distributionRows(cmp: DriftCompareDto, maxCategories = 12): DistributionRow[] {
  const { reference: ref, current: cur } = cmp;
  const share = (count: number, total: number) => (total > 0 ? pct(count / total) : 0);
  if (ref.histogram !== undefined || cur.histogram !== undefined) {
    const r = ref.histogram ?? [];
    const c = cur.histogram ?? [];
    const rn = r.reduce((s, b) => s + b.count, 0);
    const cn = c.reduce((s, b) => s + b.count, 0);
    // Bins share their edges; match them by edge so a side with an empty tail still lines up.
    const edges = new Map<string, DistributionRow>();
    for (const b of r) edges.set(`${b.from}`, { label: binLabel(b), reference: share(b.count, rn), current: 0 });
    for (const b of c) {
      const row = edges.get(`${b.from}`) ?? { label: binLabel(b), reference: 0, current: 0 };
      row.current = share(b.count, cn);
      edges.set(`${b.from}`, row);
    }
    return [...edges.entries()].sort((a, b) => Number(a[0]) - Number(b[0])).map(([, row]) => row);
  }
  if (ref.categories !== undefined || cur.categories !== undefined) {
    const r = new Map(ref.categories ?? []);
    const c = new Map(cur.categories ?? []);
    const rn = [...r.values()].reduce((s, x) => s + x, 0);
    const cn = [...c.values()].reduce((s, x) => s + x, 0);
    const labels = [...new Set([...r.keys(), ...c.keys()])].sort(
      (a, b) =>
        share(c.get(b) ?? 0, cn) + share(r.get(b) ?? 0, rn) - share(c.get(a) ?? 0, cn) - share(r.get(a) ?? 0, rn),
    );
    const rows = labels
      .slice(0, maxCategories)
      .map((label) => ({ label, reference: share(r.get(label) ?? 0, rn), current: share(c.get(label) ?? 0, cn) }));
    const rest = labels.slice(maxCategories);
    if (rest.length > 0) {
      rows.push({
        label: `other (${rest.length})`,
        reference: share(
          rest.reduce((s, l) => s + (r.get(l) ?? 0), 0),
          rn,
        ),
        current: share(
          rest.reduce((s, l) => s + (c.get(l) ?? 0), 0),
          cn,
        ),
      });
    }
    return rows;
  }
  const rr = ref.rate ?? { successes: 0, trials: 0 };
  const cr = cur.rate ?? { successes: 0, trials: 0 };
  return [{ label: 'rate', reference: share(rr.successes, rr.trials), current: share(cr.successes, cr.trials) }];
}

function binLabel(b: { from: number; to: number }): string {
  const f = (x: number) => (Math.abs(x) >= 100 ? Math.round(x).toString() : (Math.round(x * 100) / 100).toString());
  return `${f(b.from)}–${f(b.to)}`;
}

/** `2026-11-21 16:05` (UTC) for axis ticks; the date only when the range spans days. */
export function tickLabel(ms: number, spanMs: number): string {
  const iso = new Date(ms).toISOString();
  return spanMs > 86_400_000 ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(11, 16);
}

/** About `count` round tick positions (multiples of a nice step) inside [fromMs, toMs]. */
export function timeTicks(fromMs: number, toMs: number, count = 6): number[] {
  const steps = [60_000, 300_000, 900_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000];
  const span = Math.max(toMs - fromMs, 1);
  const step = steps.find((s) => span / s <= count) ?? 86_400_000 * Math.ceil(span / (count * 86_400_000));
  const ticks: number[] = [];
  for (let t = Math.ceil(fromMs / step) * step; t <= toMs; t += step) ticks.push(t);
  return ticks;
}
