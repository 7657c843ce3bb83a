import { describe, expect, it } from 'vitest';
import { markExpected } from '../baseline.js';
import { DEFAULT_DETECTION_CONFIG } from '../config.js';
import { detectRun } from '../detect-run.js';
import { makeRun, toolStep, trainBaseline } from '../steps.fixtures.js';
import { argumentsShapeOutlier } from './arguments-shape-outlier.js';

const note = (body: unknown, extra: Record<string, unknown> = {}) =>
  toolStep('crm_add_note', 'write', { contactId: 'c-1042', body, ...extra });
const baseline = trainBaseline(30, (i) =>
  makeRun([note(`Called back about order ${1000 + i}, all good.`.padEnd(40 + (i % 7) * 5, '.'))]),
);
const detect = (steps: Parameters<typeof makeRun>[0], b = baseline) =>
  detectRun(makeRun(steps), b, DEFAULT_DETECTION_CONFIG, { rules: [argumentsShapeOutlier] });

describe('arguments.shape_outlier', () => {
  it('flags a body many times longer than usual with a second signal, with its robust z', () => {
    const [f] = detect([note('x'.repeat(6000), { bcc: 'archive' })]);
    expect(f?.severity).toBe('high');
    expect(f?.details?.deviation).toBe('outlier length');
    expect(Number(f?.details?.z)).toBeGreaterThan(24);
    expect(f?.evidence.slice(f.evidenceStart, f.evidenceEnd)).toBe('"body"');
  });

  it('keeps a long legitimate body alone at low: one long summary is not an alarm', () => {
    const [f] = detect([note('The customer walked me through the whole history of the account. '.repeat(40))]);
    expect([f?.severity, f?.details?.deviation]).toEqual(['low', 'outlier length']);
  });

  it('flags new keys and type changes', () => {
    const [f] = detect([note({ text: 'hi' }, { bcc: 'x' })]);
    expect(f?.severity).toBe('medium');
    expect(f?.details?.deviations).toContain('type change: body');
    expect(f?.details?.deviations).toContain('new key: bcc');
  });

  it('accepts arguments of the usual shape and length, and learns a shape marked as expected', () => {
    expect(detect([note('Called back about order 2001, customer happy.')])).toEqual([]);
    const [f] = detect([note('ok', { priority: 'high' })]);
    expect(f?.details?.path).toBe('priority');
    const taught = markExpected(baseline, f!);
    expect(detect([note('ok', { priority: 'high' })], taught)).toEqual([]);
  });
});
