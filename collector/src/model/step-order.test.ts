import { describe, expect, it } from 'vitest';
import { orderSteps } from './step-order.js';

const s = (spanId: string, parentSpanId: string, startNs: bigint, endNs: bigint) => ({
  spanId,
  parentSpanId,
  startNs,
  endNs,
});

describe('orderSteps', () => {
  it('puts a parent before a child that starts in the same millisecond, whatever their span IDs', () => {
    const root = s('ffff', '', 1_000n, 9_000n);
    const child = s('0001', 'ffff', 1_000n, 2_000n);
    const grandchild = s('0000', '0001', 1_000n, 1_500n);
    expect(orderSteps([grandchild, child, root]).map((x) => x.spanId)).toEqual(['ffff', '0001', '0000']);
  });

  it('orders siblings with the same start by end time, then span ID; different starts by time', () => {
    const policy = s('bbbb', 'root', 5_000n, 5_200n);
    const call = s('aaaa', 'root', 5_000n, 5_900n);
    const later = s('0000', 'root', 6_000n, 6_100n);
    expect(orderSteps([later, call, policy]).map((x) => x.spanId)).toEqual(['bbbb', 'aaaa', '0000']);
    expect(orderSteps([s('b', 'r', 1n, 2n), s('a', 'r', 1n, 2n)]).map((x) => x.spanId)).toEqual(['a', 'b']);
  });

  it('survives parent cycles', () => {
    expect(orderSteps([s('a', 'b', 1n, 2n), s('b', 'a', 1n, 3n)])).toHaveLength(2);
  });
});
