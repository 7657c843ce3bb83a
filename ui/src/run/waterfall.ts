/**
 * Waterfall geometry. Offsets and widths are computed on bigint nanoseconds and only the final
 * ratio (in basis points of the run's span) becomes a number, so a 19-digit epoch time never goes
 * through a float.
 */
import type { UiStep } from '../lib/model';
import { durationNs } from '../lib/nanos';

const SCALE = 10_000n;

export interface RunBounds {
  startNs: bigint;
  endNs: bigint;
  totalNs: bigint;
}

/** The interval covering every step (a span may outlive its root, so the root alone is not enough). */
export function runBounds(steps: readonly UiStep[]): RunBounds {
  if (steps.length === 0) return { startNs: 0n, endNs: 0n, totalNs: 0n };
  let start = steps[0]!.startNs;
  let end = steps[0]!.endNs;
  for (const s of steps) {
    if (s.startNs < start) start = s.startNs;
    if (s.endNs > end) end = s.endNs;
    if (s.startNs > end) end = s.startNs;
  }
  if (end < start) end = start;
  return { startNs: start, endNs: end, totalNs: end - start };
}

export interface BarGeometry {
  /** Percent of the track from the left edge, 0..100. */
  leftPct: number;
  /** Percent of the track, at least `MIN_WIDTH_PCT` so a zero-length step stays visible. */
  widthPct: number;
  offsetNs: bigint;
  durationNs: bigint;
}

export const MIN_WIDTH_PCT = 0.3;

export function barGeometry(step: UiStep, bounds: RunBounds): BarGeometry {
  const offset = step.startNs - bounds.startNs;
  const duration = durationNs(step.startNs, step.endNs);
  if (bounds.totalNs === 0n) return { leftPct: 0, widthPct: 100, offsetNs: offset, durationNs: duration };
  const leftBp = (offset * SCALE) / bounds.totalNs;
  const widthBp = (duration * SCALE) / bounds.totalNs;
  const leftPct = Math.min(100 - MIN_WIDTH_PCT, Number(leftBp) / 100);
  const widthPct = Math.max(MIN_WIDTH_PCT, Math.min(100 - leftPct, Number(widthBp) / 100));
  return { leftPct, widthPct, offsetNs: offset, durationNs: duration };
}

export type LabelPlacement =
  /** Right of the bar, starting at `pct`. */
  | { side: 'after'; pct: number }
  /** Left of the bar, ending `pct` from the right edge. */
  | { side: 'before'; pct: number }
  /** Inside a bar that fills the track, ending `pct` from the right edge. */
  | { side: 'inside'; pct: number };

/**
 * Where the duration label goes so it never leaves the track: after the bar when there is room on
 * the right, else before it, else (a bar spanning nearly everything) inside its right end.
 */
export function labelPlacement(g: Pick<BarGeometry, 'leftPct' | 'widthPct'>): LabelPlacement {
  const end = g.leftPct + g.widthPct;
  if (end <= 80) return { side: 'after', pct: end };
  if (g.leftPct >= 20) return { side: 'before', pct: 100 - g.leftPct };
  return { side: 'inside', pct: 100 - end };
}

export interface Tick {
  pct: number;
  offsetNs: bigint;
}

/** `count` evenly spaced ticks from 0 (the run's end is left out: the header shows the total). */
export function ticks(bounds: RunBounds, count = 4): Tick[] {
  const out: Tick[] = [];
  for (let i = 0; i < count; i++) {
    out.push({ pct: (i * 100) / count, offsetNs: (bounds.totalNs * BigInt(i)) / BigInt(count) });
  }
  return out;
}
