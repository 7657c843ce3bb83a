import { describe, expect, it } from 'vitest';
import { makeStep } from '../lib/step-fixture';
import { barGeometry, labelPlacement, MIN_WIDTH_PCT, runBounds, ticks } from './waterfall';

// Epoch nanoseconds beyond 2^53: a float-based layout would be off by hundreds of nanoseconds.
const T0 = 1763743387123456789n;

describe('runBounds', () => {
  it('covers a child that outlives its root', () => {
    const b = runBounds([
      makeStep({ spanId: 'root', startNs: T0, endNs: T0 + 1_000n }),
      makeStep({ spanId: 'late', startNs: T0 + 500n, endNs: T0 + 2_000n }),
    ]);
    expect(b).toEqual({ startNs: T0, endNs: T0 + 2_000n, totalNs: 2_000n });
  });

  it('is empty for a run without steps', () => {
    expect(runBounds([]).totalNs).toBe(0n);
  });
});

describe('barGeometry', () => {
  const bounds = runBounds([makeStep({ spanId: 'root', startNs: T0, endNs: T0 + 1_000_000n })]);

  it('places a bar by its exact nanosecond offset and duration', () => {
    const g = barGeometry(makeStep({ spanId: 'x', startNs: T0 + 250_000n, endNs: T0 + 750_000n }), bounds);
    expect(g.leftPct).toBe(25);
    expect(g.widthPct).toBe(50);
    expect(g.offsetNs).toBe(250_000n);
    expect(g.durationNs).toBe(500_000n);
  });

  it('distinguishes steps one nanosecond apart in a one-microsecond run', () => {
    const tiny = runBounds([makeStep({ spanId: 'r', startNs: T0, endNs: T0 + 1_000n })]);
    const a = barGeometry(makeStep({ spanId: 'a', startNs: T0 + 100n, endNs: T0 + 200n }), tiny);
    const b = barGeometry(makeStep({ spanId: 'b', startNs: T0 + 101n, endNs: T0 + 200n }), tiny);
    expect(a.leftPct).toBe(10);
    expect(b.leftPct).toBe(10.1);
  });

  it('keeps a zero-length step visible and inside the track', () => {
    const g = barGeometry(makeStep({ spanId: 'z', startNs: T0 + 1_000_000n, endNs: T0 + 1_000_000n }), bounds);
    expect(g.widthPct).toBe(MIN_WIDTH_PCT);
    expect(g.leftPct + g.widthPct).toBeLessThanOrEqual(100);
  });

  it('treats an end before the start as zero duration', () => {
    const g = barGeometry(makeStep({ spanId: 'skew', startNs: T0 + 10n, endNs: T0 }), bounds);
    expect(g.durationNs).toBe(0n);
  });

  it('fills the track when the whole run has zero length', () => {
    const zero = runBounds([makeStep({ spanId: 'r', startNs: T0, endNs: T0 })]);
    expect(barGeometry(makeStep({ spanId: 'r', startNs: T0, endNs: T0 }), zero).widthPct).toBe(100);
  });
});

describe('ticks', () => {
  it('spaces ticks evenly over the run span', () => {
    const t = ticks({ startNs: T0, endNs: T0 + 4_000n, totalNs: 4_000n });
    expect(t.map((x) => [x.pct, x.offsetNs])).toEqual([
      [0, 0n],
      [25, 1_000n],
      [50, 2_000n],
      [75, 3_000n],
    ]);
  });
});

describe('labelPlacement', () => {
  it('keeps the duration label inside the track wherever the bar is', () => {
    expect(labelPlacement({ leftPct: 10, widthPct: 20 })).toEqual({ side: 'after', pct: 30 });
    expect(labelPlacement({ leftPct: 85, widthPct: 10 })).toEqual({ side: 'before', pct: 15 });
    expect(labelPlacement({ leftPct: 0, widthPct: 100 })).toEqual({ side: 'inside', pct: 0 });
    expect(labelPlacement({ leftPct: 5, widthPct: 90 })).toEqual({ side: 'inside', pct: 5 });
  });
});
