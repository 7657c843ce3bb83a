import { describe, expect, it } from 'vitest';
import { orderSteps, STEP_SEQ_ATTRIBUTE } from './step-order.js';

const MS = 1_000_000n;
const T = 1_733_000_000_000n * MS; // whole milliseconds, as the OpenTelemetry JS clock stamps them

const step = (spanId: string, parentSpanId: string, startMs: bigint, endMs: bigint, seq?: number) => ({
  spanId,
  parentSpanId,
  startNs: T + startMs * MS,
  endNs: T + endMs * MS,
  attributes: seq === undefined ? {} : { [STEP_SEQ_ATTRIBUTE]: String(seq) },
});

describe('orderSteps over tied millisecond starts', () => {
  it('puts the refund run in the order it happened: root, model call, policy check, then the refund it guarded', () => {
    // The demo's refund run: the policy check and the refund start in the same millisecond, and so
    // do the root and its first model call. Span IDs are random, so they sort the wrong way here.
    const root = step('ffff000000000001', '', 0n, 900n, 1);
    const think = step('eeee000000000002', 'ffff000000000001', 0n, 300n, 2);
    const policy = step('dddd000000000003', 'ffff000000000001', 300n, 300n, 3);
    const refund = step('0000000000000004', 'ffff000000000001', 300n, 300n, 4);
    const notify = step('1111000000000005', 'ffff000000000001', 300n, 650n, 5);
    const order = orderSteps([notify, refund, policy, think, root]).map((s) => s.spanId);
    expect(order).toEqual([root, think, policy, refund, notify].map((s) => s.spanId));
  });

  it('prefers the recorded sequence over end time among siblings that started in the same millisecond', () => {
    // Started first (seq 1) but ended last: end time alone would put it second.
    const long = step('bbbb', 'r', 10n, 50n, 1);
    const short = step('aaaa', 'r', 10n, 20n, 2);
    expect(orderSteps([short, long]).map((s) => s.spanId)).toEqual(['bbbb', 'aaaa']);
  });

  it('puts a parent before its descendants whatever their span IDs or sequence numbers', () => {
    const root = step('ffff', '', 0n, 9n, 9);
    const child = step('0001', 'ffff', 0n, 2n, 1);
    const grandchild = step('0000', '0001', 0n, 1n);
    expect(orderSteps([grandchild, child, root]).map((s) => s.spanId)).toEqual(['ffff', '0001', '0000']);
  });

  it('falls back to end time, then span ID, without sequence numbers; ignores a sequence that is not a number', () => {
    const policy = step('bbbb', 'r', 5n, 5n);
    const call = step('aaaa', 'r', 5n, 9n, 1);
    expect(orderSteps([call, policy]).map((s) => s.spanId)).toEqual(['bbbb', 'aaaa']);
    const odd = { ...step('cccc', 'r', 5n, 5n), attributes: { [STEP_SEQ_ATTRIBUTE]: '-1e9' } };
    expect(orderSteps([odd, policy]).map((s) => s.spanId)).toEqual(['bbbb', 'cccc']);
  });

  it('keeps every step when parent links form a cycle', () => {
    expect(orderSteps([step('a', 'b', 1n, 2n), step('b', 'a', 1n, 3n)])).toHaveLength(2);
  });
});
