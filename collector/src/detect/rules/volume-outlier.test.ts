import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG } from '../config.js';
import { detectRun } from '../detect-run.js';
import { makeRun, toolStep, trainBaseline } from '../steps.fixtures.js';
import { volumeOutlier } from './volume-outlier.js';

const reply = (len: number) => toolStep('send_email', 'external', { to: '[email:7f3a9c1b]', body: 'x'.repeat(len) });
const normalRun = (i: number) =>
  makeRun([toolStep('search_kb', 'read', { q: 'refund policy' }), reply(400 + (i % 5) * 60)]);
const baseline = trainBaseline(30, normalRun);
const detect = (steps: ReturnType<typeof makeRun>) =>
  detectRun(steps, baseline, DEFAULT_DETECTION_CONFIG, { rules: [volumeOutlier] });

describe('volume.outlier', () => {
  it('flags a run sending far more bytes than the agent usually does, high with personal data in it', () => {
    const rows = Array.from({ length: 900 }, (_, i) => `[email:${(0x10000 + i).toString(16)}aa] row ${i}`).join('\n');
    const steps = makeRun([toolStep('send_email', 'external', { to: '[email:7f3a9c1b]', body: rows })]);
    const [f] = detect(steps);
    expect(f?.details?.metric).toBe('outboundBytes');
    expect(f?.severity).toBe('high');
    expect(f?.spanId).toBe(steps[0]?.spanId);
  });

  it('keeps many bytes alone at low: a long legitimate answer or quote is not exfiltration', () => {
    const [f] = detect(makeRun([reply(60_000)]));
    expect([f?.details?.metric, f?.severity]).toEqual(['outboundBytes', 'low']);
  });

  it('flags a burst of tool calls', () => {
    const burst = Array.from({ length: 40 }, () => toolStep('search_kb', 'read', { q: 'customers' }));
    expect(detect(makeRun(burst)).map((f) => f.details?.metric)).toEqual(['toolCalls']);
  });

  it('accepts a normal run and a modest increase', () => {
    expect(detect(normalRun(3))).toEqual([]);
    expect(
      detect(
        makeRun([reply(900), toolStep('search_kb', 'read', { q: 'x' }), toolStep('search_kb', 'read', { q: 'y' })]),
      ),
    ).toEqual([]);
  });

  it('learns nothing for an agent with no history', () => {
    expect(
      detectRun(makeRun([reply(90_000)], { agentName: 'new-bot' }), baseline, DEFAULT_DETECTION_CONFIG, {
        rules: [volumeOutlier],
      }),
    ).toEqual([]);
  });
});
