import { describe, expect, it } from 'vitest';
import type { Step } from '../../model/step.js';
import { buildRun, DAY0 } from '../conformance.fixtures.js';
import { storedStep } from './clickhouse-rows.js';
import { RecentSpans } from './recent-spans.js';

const run = () => buildRun({ projectId: 'p', startNs: DAY0 });
const idOf = (steps: readonly Step[]) => (steps[0] as Step).traceId;

describe('spans held for the read-back of just-written runs', () => {
  it('holds each span at its newest write, as a read would answer it', () => {
    const recent = new RecentSpans(1_000_000);
    const steps = run();
    recent.record(steps, 1n, 5_000);
    const renamed = { ...(steps[1] as Step), name: 'lone \uD800' };
    recent.record([renamed], 2n, 1_000);
    const held = recent.held('p', idOf(steps));
    expect(held?.size).toBe(steps.length);
    expect(held?.get(renamed.spanId)?.version).toBe(2n);
    expect(recent.held('q', idOf(steps))).toBeUndefined();
    const taken = recent.take('p', idOf(steps));
    expect(taken).toEqual([storedStep(steps[0] as Step), storedStep(renamed), ...steps.slice(2).map(storedStep)]);
    expect(taken?.[1]?.name).toBe('lone \uFFFD');
    // Taken once: the run is let go.
    expect(recent.held('p', idOf(steps))).toBeUndefined();
    expect(recent.take('p', idOf(steps))).toBeUndefined();
    expect(recent.size).toBe(0);
  });

  it('takes no new run in once full, keeps the ones detection reads next, lets a run go once answered or stale', () => {
    // Five spans of 1,000 bytes a run; room for three runs.
    let now = 0;
    const recent = new RecentSpans(15_000, () => now);
    const [a, b, c, d, e, f] = [run(), run(), run(), run(), run(), run()];
    const held = (r: Step[]) => recent.held('p', idOf(r)) !== undefined;
    for (const r of [a, b, c, d]) recent.record(r, 1n, 5_000);
    expect([a, b, c, d].map(held)).toEqual([true, true, true, false]);
    expect(recent.take('p', idOf(b))).toHaveLength(5);
    expect(recent.size).toBe(10_000);
    recent.record(e, 2n, 5_000);
    expect([a, c, e].map(held)).toEqual([true, true, true]);
    // A held run still takes its new spans in when full.
    recent.record([{ ...(a[0] as Step), spanId: 'aaaaaaaaaaaa0009' }], 3n, 1_000);
    expect(recent.held('p', idOf(a))?.size).toBe(6);
    expect(recent.size).toBe(16_000);
    // A minute after their last write, runs never read back are let go.
    now = 60_000;
    recent.record(f, 4n, 5_000);
    expect([a, c, e, f].map(held)).toEqual([false, false, false, true]);
    expect(recent.size).toBe(5_000);
  });

  it('holds nothing of a run with a value that would not read back as written, or of a failed write', () => {
    const recent = new RecentSpans(1_000_000);
    const [a, b] = [run(), run()];
    recent.record([...a, { ...(a[2] as Step), spanId: 'ffffffffffff0001', spanKind: 2 ** 31 }], 1n, 6_000);
    expect(recent.take('p', idOf(a))).toBeUndefined();
    expect(recent.held('p', idOf(a))).toBeUndefined();
    recent.record(b, 1n, 5_000);
    recent.forget([b[0] as Step]);
    expect(recent.held('p', idOf(b))).toBeUndefined();
    expect(recent.size).toBe(0);
  });
});
