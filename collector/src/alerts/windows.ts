/**
 * Evaluation windows. Windows end on multiples of the rule's interval (UTC epoch aligned), so every
 * collector sharing a store computes the same window ends and `claimEvaluation` can make exactly one
 * of them evaluate each. The current window is [end − windowMs, end): start inclusive, end exclusive,
 * like every time range of the storage port.
 */
import type { MetricScope } from '../store/metrics.js';
import type { MetricsReader } from '../store/port.js';
import type { AlertRule } from './rule-model.js';

export const MS = 1_000_000n;

export interface TimeWindow {
  fromNs: bigint;
  toNs: bigint;
}

/** A window plus the version restriction its runs must carry (previous-version references). */
export interface ScopedWindow extends TimeWindow {
  version?: MetricScope['version'];
  /** What the window is, for people: "last 1h", "previous 1h", "prompt support-v12". */
  label: string;
}

/** The latest window end at or before `nowNs` for this interval. */
export function windowEndAt(nowNs: bigint, intervalMs: number): bigint {
  const interval = BigInt(intervalMs) * MS;
  return nowNs - (((nowNs % interval) + interval) % interval);
}

export function currentWindow(windowEndNs: bigint, windowMs: number): TimeWindow {
  const fromNs = windowEndNs - BigInt(windowMs) * MS;
  return { fromNs: fromNs > 0n ? fromNs : 0n, toNs: windowEndNs };
}

/** "15m", "1h", "1d 6h": window lengths for summaries and labels. */
export function formatDuration(ms: number): string {
  const units: Array<[string, number]> = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ];
  const parts: string[] = [];
  let rest = ms;
  for (const [name, size] of units) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${name}`);
      rest %= size;
    }
  }
  return parts.length > 0 ? parts.slice(0, 2).join(' ') : `${ms}ms`;
}

export type WindowPair =
  | {
      ok: true;
      current: ScopedWindow;
      reference: ScopedWindow;
      /** The last 2, 3, … windows together (drift rules with `pooledWindows` > 1), shortest first. */
      pooled?: ScopedWindow[];
    }
  /** No reference can be formed (e.g. only one version seen): the evaluation is insufficient_data. */
  | { ok: false; current: ScopedWindow; reference: ScopedWindow; reason: string };

/**
 * The current and reference windows of a rule for one window end. Previous-version references ask the
 * store which versions the agent's runs carried: current = the latest version's runs inside the
 * current window, reference = every run of the version seen before it (up to the window end).
 */
export async function resolveWindows(
  store: Pick<MetricsReader, 'listVersions'>,
  projectId: string,
  rule: AlertRule,
  windowEndNs: bigint,
): Promise<WindowPair> {
  const current = currentWindow(windowEndNs, rule.windowMs);
  const currentLabel = `last ${formatDuration(rule.windowMs)}`;
  if (rule.kind === 'threshold') {
    return { ok: true, current: { ...current, label: currentLabel }, reference: { ...current, label: '' } };
  }
  const ref = rule.reference;
  if (ref.type === 'baseline') {
    const scoped = { ...current, label: currentLabel };
    const reference = {
      fromNs: BigInt(ref.fromMs) * MS,
      toNs: BigInt(ref.toMs) * MS,
      label: `baseline ${new Date(ref.fromMs).toISOString()} – ${new Date(ref.toMs).toISOString()}`,
    };
    return { ok: true, current: scoped, reference, pooled: pooledSpans(rule, scoped, reference) };
  }
  if (ref.type === 'previous-window') {
    const length = ref.windowMs ?? rule.windowMs;
    return {
      ok: true,
      current: { ...current, label: currentLabel },
      reference: {
        fromNs: current.fromNs > BigInt(length) * MS ? current.fromNs - BigInt(length) * MS : 0n,
        toNs: current.fromNs,
        label: `previous ${formatDuration(length)}`,
      },
    };
  }
  const dimension = ref.dimension;
  const seen = (await store.listVersions(projectId, { agentName: rule.agentName }, dimension))
    .filter((v) => v.value !== '' && v.firstNs < windowEndNs)
    .sort((a, b) => (a.firstNs < b.firstNs ? -1 : a.firstNs > b.firstNs ? 1 : 0));
  const latest = seen[seen.length - 1];
  const previous = seen[seen.length - 2];
  if (!latest || !previous) {
    const reason = latest
      ? `only one ${dimension} version (${latest.value}) seen so far; nothing to compare it with`
      : `no ${dimension} version seen in the runs`;
    return {
      ok: false,
      reason,
      current: { ...current, label: latest ? `${dimension} ${latest.value}, ${currentLabel}` : currentLabel },
      reference: { fromNs: current.fromNs, toNs: current.fromNs, label: `previous ${dimension} version` },
    };
  }
  const scoped: ScopedWindow = {
    ...current,
    version: { dimension, value: latest.value },
    label: `${dimension} ${latest.value}, ${currentLabel}`,
  };
  const reference: ScopedWindow = {
    // Up to the window end, not the version's last run start: step metrics count steps by their
    // own start, which comes after their run's; the version filter keeps other versions out.
    fromNs: previous.firstNs,
    toNs: windowEndNs,
    version: { dimension, value: previous.value },
    label: `${dimension} ${previous.value} (previous version)`,
  };
  return { ok: true, current: scoped, reference, pooled: pooledSpans(rule, scoped, reference) };
}

/** Spans of the last 2 … `pooledWindows` windows a drift rule also tests together (absent: 3). */
export const DEFAULT_POOLED_WINDOWS = 3;

/**
 * The spans ending at the current window's end that cover the last 2 … k windows, with the current
 * window's version restriction. A span that would overlap the reference is left out (the first
 * windows after a baseline), and so is every span of a previous-window reference, which adjoins the
 * current window and would be counted on both sides.
 */
export function pooledSpans(rule: AlertRule, current: ScopedWindow, reference: ScopedWindow): ScopedWindow[] {
  if (rule.kind !== 'drift' || rule.reference.type === 'previous-window') return [];
  const k = rule.pooledWindows ?? DEFAULT_POOLED_WINDOWS;
  const spans: ScopedWindow[] = [];
  const length = BigInt(rule.windowMs) * MS;
  for (let n = 2; n <= k; n++) {
    const fromNs = current.toNs - BigInt(n) * length;
    if (fromNs < 0n) break;
    // A version-scoped reference is told apart by its version, not its time range.
    if (!reference.version && fromNs < reference.toNs && reference.fromNs < current.toNs) break;
    spans.push({
      ...(current.version ? { version: current.version } : {}),
      fromNs,
      toNs: current.toNs,
      label: `last ${formatDuration(n * rule.windowMs)} (${n} windows together)`,
    });
  }
  return spans;
}
