import { describe, expect, it } from 'vitest';
import { scrollToReveal, windowRange } from './windowing';

describe('windowRange', () => {
  it('mounts only the visible rows of a 5,000-row list plus the overscan', () => {
    const r = windowRange({ count: 5000, rowHeight: 24, scrollTop: 24 * 1000, viewportHeight: 480, overscan: 5 });
    expect(r.start).toBe(995);
    expect(r.end).toBe(1000 + 21 + 5);
    expect(r.end - r.start).toBeLessThan(40);
    expect(r.totalHeight).toBe(120_000);
  });

  it('clamps at both ends of the list', () => {
    expect(windowRange({ count: 10, rowHeight: 24, scrollTop: 0, viewportHeight: 1000, overscan: 5 })).toEqual({
      start: 0,
      end: 10,
      totalHeight: 240,
    });
    const end = windowRange({ count: 100, rowHeight: 24, scrollTop: 999_999, viewportHeight: 240, overscan: 3 });
    expect(end.end).toBe(100);
    expect(end.start).toBe(97);
  });

  it('is empty for an empty list', () => {
    expect(windowRange({ count: 0, rowHeight: 24, scrollTop: 0, viewportHeight: 100, overscan: 5 })).toEqual({
      start: 0,
      end: 0,
      totalHeight: 0,
    });
  });
});

describe('scrollToReveal', () => {
  it('scrolls up, down or not at all', () => {
    expect(scrollToReveal(5, 24, 240, 240)).toBe(120);
    expect(scrollToReveal(30, 24, 0, 240)).toBe(31 * 24 - 240);
    expect(scrollToReveal(3, 24, 0, 240)).toBeNull();
  });
});
