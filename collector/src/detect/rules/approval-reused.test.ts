import { describe, expect, it } from 'vitest';
import { emptyBaseline, updateBaseline } from '../baseline.js';
import { DEFAULT_DETECTION_CONFIG } from '../config.js';
import { detectRun } from '../detect-run.js';
import { approvalStep, makeRun, toolStep } from '../steps.fixtures.js';
import { approvalReused } from './approval-reused.js';

const H1 = '1'.repeat(64);
const H2 = '2'.repeat(64);
const pay = (hash: string, fields = {}) =>
  toolStep('pay_invoice', 'irreversible', { id: 'INV-7' }, { approvalId: 'apr-3', actionHash: hash, ...fields });
const detect = (steps: Parameters<typeof makeRun>[0], baseline = emptyBaseline()) =>
  detectRun(makeRun(steps), baseline, DEFAULT_DETECTION_CONFIG, { rules: [approvalReused] });

describe('approval.reused', () => {
  it('flags one approval behind two different actions as high', () => {
    const [f] = detect([approvalStep('apr-3', 'approved', H1), pay(H1), pay(H2)]);
    expect(f?.severity).toBe('high');
    expect(f?.details?.uses).toBe(2);
    expect(f?.details?.distinctActions).toBe(2);
  });

  it('does not count a failed attempt and its retry as reuse', () => {
    expect(detect([approvalStep('apr-3', 'approved', H1), pay(H1, { status: 'error' }), pay(H1)])).toEqual([]);
  });

  it('flags an approval ID already used by an earlier run, but not the same run seen again', () => {
    const earlier = makeRun([approvalStep('apr-3', 'approved', H1), pay(H1)]);
    const baseline = updateBaseline(emptyBaseline(), earlier);
    expect(detectRun(earlier, baseline, DEFAULT_DETECTION_CONFIG, { rules: [approvalReused] })).toEqual([]);
    const replay = makeRun(
      [approvalStep('apr-3', 'approved', H1), pay(H1)].map((s) => ({ ...s, traceId: 'f'.repeat(32) })),
    );
    const [f] = detectRun(replay, baseline, DEFAULT_DETECTION_CONFIG, { rules: [approvalReused] });
    expect(f?.details?.earlierTraceId).toBe(earlier[0]?.traceId);
  });
});
