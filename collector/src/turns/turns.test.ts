import { describe, expect, it } from 'vitest';
import { convertInTurns, nextTurn, pauseIfLong, turnIsLong } from './turns.js';

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {}
};

describe('turns of the event loop for background work', () => {
  it('pauses only once the work has run long, and lets waiting callbacks run in the pause', async () => {
    await nextTurn();
    expect(turnIsLong(50)).toBe(false);
    expect(pauseIfLong(50)).toBeUndefined();
    let ran = false;
    setImmediate(() => {
      ran = true;
    });
    busy(10);
    const pause = pauseIfLong(5);
    expect(pause).toBeInstanceOf(Promise);
    expect(ran).toBe(false);
    await pause;
    expect(ran).toBe(true);
    // The pause starts a new turn.
    expect(turnIsLong(50)).toBe(false);
  });

  it('converts every item in order, and a timer runs while a long conversion goes on', async () => {
    await nextTurn();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const out: number[] = [];
    const items = Array.from({ length: 4_000 }, (_, i) => i);
    const started = performance.now();
    try {
      await convertInTurns(
        items,
        (i) => {
          if (i % 256 === 0) busy(4);
          return i * 2;
        },
        out,
      );
    } finally {
      clearInterval(timer);
    }
    expect(performance.now() - started).toBeGreaterThan(50);
    expect(out).toEqual(items.map((i) => i * 2));
    expect(ticks).toBeGreaterThanOrEqual(3);
  });
});
