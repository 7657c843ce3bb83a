import { describe, expect, it } from 'vitest';
import { makeStep } from '../lib/step-fixture';
import { buildStepRows, isWidened, neighbourSpanId, visibleRows } from './step-tree';

const T0 = 1763743387000000000n;

describe('buildStepRows', () => {
  it('nests children under their parent in start order', () => {
    const steps = [
      makeStep({ spanId: 'tool', parentSpanId: 'root', startNs: T0 + 30n }),
      makeStep({ spanId: 'root', startNs: T0 }),
      makeStep({ spanId: 'llm', parentSpanId: 'root', startNs: T0 + 10n }),
      makeStep({ spanId: 'llm-child', parentSpanId: 'llm', startNs: T0 + 11n }),
    ];
    const rows = buildStepRows(steps);
    expect(rows.map((r) => [r.step.spanId, r.depth])).toEqual([
      ['root', 0],
      ['llm', 1],
      ['llm-child', 2],
      ['tool', 1],
    ]);
    expect(rows[0]!.childCount).toBe(2);
    expect(rows[2]!.parentIndex).toBe(1);
  });

  it('lists a step whose parent is missing as an orphan root', () => {
    const rows = buildStepRows([
      makeStep({ spanId: 'root', startNs: T0 }),
      makeStep({ spanId: 'lost', parentSpanId: 'not-in-run', startNs: T0 + 5n }),
    ]);
    expect(rows.map((r) => [r.step.spanId, r.depth, r.orphan])).toEqual([
      ['root', 0, false],
      ['lost', 0, true],
    ]);
  });

  it('still lists every step when parent links form a cycle or point at themselves', () => {
    const steps = [
      makeStep({ spanId: 'a', parentSpanId: 'b', startNs: T0 }),
      makeStep({ spanId: 'b', parentSpanId: 'a', startNs: T0 + 1n }),
      makeStep({ spanId: 'self', parentSpanId: 'self', startNs: T0 + 2n }),
    ];
    const rows = buildStepRows(steps);
    expect(rows.map((r) => [r.step.spanId, r.depth, r.orphan])).toEqual([
      ['self', 0, true],
      ['a', 0, true],
      ['b', 1, false],
    ]);
  });

  it('handles a very deep chain without overflowing the stack', () => {
    const steps = Array.from({ length: 20_000 }, (_, i) =>
      makeStep({ spanId: `s${i}`, parentSpanId: i === 0 ? '' : `s${i - 1}`, startNs: T0 + BigInt(i) }),
    );
    const rows = buildStepRows(steps);
    expect(rows).toHaveLength(20_000);
    expect(rows[19_999]!.depth).toBe(19_999);
  });
});

describe('visibleRows', () => {
  it('hides every descendant of a collapsed step but not the step itself', () => {
    const rows = buildStepRows([
      makeStep({ spanId: 'root', startNs: T0 }),
      makeStep({ spanId: 'llm', parentSpanId: 'root', startNs: T0 + 1n }),
      makeStep({ spanId: 'deep', parentSpanId: 'llm', startNs: T0 + 2n }),
      makeStep({ spanId: 'tool', parentSpanId: 'root', startNs: T0 + 3n }),
    ]);
    expect(visibleRows(rows, new Set(['llm'])).map((r) => r.step.spanId)).toEqual(['root', 'llm', 'tool']);
    expect(visibleRows(rows, new Set(['root'])).map((r) => r.step.spanId)).toEqual(['root']);
  });
});

describe('neighbourSpanId', () => {
  const rows = buildStepRows([
    makeStep({ spanId: 'a', startNs: T0 }),
    makeStep({ spanId: 'b', parentSpanId: 'a', startNs: T0 + 1n }),
    makeStep({ spanId: 'c', parentSpanId: 'a', startNs: T0 + 2n }),
  ]);

  it('moves down and up through the rows and stops at the ends', () => {
    expect(neighbourSpanId(rows, 'a', 1)).toBe('b');
    expect(neighbourSpanId(rows, 'c', 1)).toBe('c');
    expect(neighbourSpanId(rows, 'b', -1)).toBe('a');
    expect(neighbourSpanId(rows, 'a', -1)).toBe('a');
  });

  it('selects the first row when nothing (or an unknown step) is selected', () => {
    expect(neighbourSpanId(rows, null, 1)).toBe('a');
    expect(neighbourSpanId(rows, 'gone', -1)).toBe('a');
    expect(neighbourSpanId([], null, 1)).toBeNull();
  });
});

describe('buildStepRows with whole-millisecond clocks', () => {
  const MS = 1_000_000n;
  const seq = (n: number) => ({ 'casefile.step.seq': String(n) });

  it('lists a policy check before the refund it guarded when both start in the same millisecond', () => {
    const rows = buildStepRows([
      makeStep({
        spanId: '0000000000000004',
        parentSpanId: 'r',
        name: 'execute_tool issue_refund',
        startNs: T0 + 3n * MS,
        endNs: T0 + 3n * MS,
        attributes: seq(4),
      }),
      makeStep({
        spanId: 'dddd000000000003',
        parentSpanId: 'r',
        name: 'policy refund-limits',
        startNs: T0 + 3n * MS,
        endNs: T0 + 3n * MS,
        attributes: seq(3),
      }),
      makeStep({ spanId: 'r', startNs: T0, endNs: T0 + 9n * MS, attributes: seq(1) }),
    ]);
    expect(rows.map((r) => r.step.name)).toEqual(['r', 'policy refund-limits', 'execute_tool issue_refund']);
  });

  it('widens a parent bar over a child that ends within clock rounding, never over a real overshoot', () => {
    const rows = buildStepRows([
      makeStep({ spanId: 'root', startNs: T0, endNs: T0 + 10n * MS }),
      makeStep({ spanId: 'tool', parentSpanId: 'root', startNs: T0 + 2n * MS, endNs: T0 + 11n * MS }),
      makeStep({ spanId: 'late', parentSpanId: 'tool', startNs: T0 + 3n * MS, endNs: T0 + 11n * MS + 500_000n }),
      makeStep({ spanId: 'root2', startNs: T0, endNs: T0 + MS }),
      makeStep({ spanId: 'async', parentSpanId: 'root2', startNs: T0, endNs: T0 + 50n * MS }),
    ]);
    const row = (id: string) => rows.find((r) => r.step.spanId === id)!;
    expect(row('tool').barEndNs).toBe(T0 + 11n * MS + 500_000n);
    expect(isWidened(row('tool'))).toBe(true);
    // Within rounding of its own recorded end only: root ends 1 ms before tool, but tool's widened bar ends 1.5 ms after.
    expect(row('root').barEndNs).toBe(T0 + 11n * MS);
    expect(row('root2').barEndNs).toBe(T0 + MS);
    expect(isWidened(row('root2'))).toBe(false);
  });
});
