import { describe, expect, it } from 'vitest';
import { emptyBaseline, markExpected, updateBaseline } from './baseline.js';
import { resolveDetectionConfig } from './config.js';
import { approvalStep, makeRun, toolStep, trainBaseline } from './steps.fixtures.js';

const mail = (to: string, body = 'Hello') => toolStep('send_email', 'external', { to, body });

describe('baseline', () => {
  it('learns destinations, argument shapes, agent volumes, versions and approvals as plain JSON', () => {
    const b = updateBaseline(
      emptyBaseline(),
      makeRun([mail('ops@acme.example', 'Weekly report'), approvalStep('apr-1', 'approved', 'f'.repeat(64))]),
    );
    const tool = b.tools.send_email!;
    expect(tool.destinations).toEqual(['acme.example']);
    expect(tool.args.body).toEqual({ count: 1, types: ['string'], lengths: [13] });
    expect(b.agents['support-bot']).toMatchObject({ runs: 1, toolCalls: [1] });
    expect(b.versions.prompt).toEqual(['support-v12']);
    expect(b.approvals.map((a) => a.id)).toEqual(['apr-1']);
    expect(JSON.parse(JSON.stringify(b))).toEqual(b);
  });

  it('does not modify its input and keeps samples bounded to the most recent values', () => {
    const config = resolveDetectionConfig({ baseline: { maxSamples: 5 } });
    const start = emptyBaseline();
    const snapshot = JSON.stringify(start);
    let b = start;
    for (let i = 1; i <= 12; i++) b = updateBaseline(b, makeRun([mail('a@acme.example', 'x'.repeat(i))]), config);
    expect(JSON.stringify(start)).toBe(snapshot);
    expect(b.tools.send_email!.args.body!.lengths).toEqual([8, 9, 10, 11, 12]);
    expect(b.tools.send_email!.runs).toBe(12);
  });

  it('stores hostile tool names as data, never as prototypes', () => {
    const b = updateBaseline(
      emptyBaseline(),
      makeRun([toolStep('__proto__', 'write', { x: 1 }), toolStep('constructor', 'write', { y: 1 })]),
    );
    expect(Object.getPrototypeOf(b.tools)).toBe(Object.prototype);
    expect(Object.keys(b.tools).sort()).toEqual(['__proto__', 'constructor']);
    const round = JSON.parse(JSON.stringify(b));
    expect(Object.hasOwn(round.tools, '__proto__')).toBe(true);
  });

  it('caps the number of tools learned', () => {
    const config = resolveDetectionConfig({ baseline: { maxTools: 3 } });
    const b = updateBaseline(
      emptyBaseline(),
      makeRun(Array.from({ length: 10 }, (_, i) => toolStep(`t${i}`, 'read', {}))),
      config,
    );
    expect(Object.keys(b.tools)).toHaveLength(3);
  });

  it('marks a new destination as expected', () => {
    const b = trainBaseline(3, () => makeRun([mail('a@acme.example')]));
    const taught = markExpected(b, {
      ruleId: 'destination.new',
      severity: 'medium',
      traceId: 't',
      spanId: 's',
      reason: '',
      evidence: '',
      details: { tool: 'send_email', destination: 'partner.example' },
    });
    expect(taught.tools.send_email!.destinations).toEqual(['acme.example', 'partner.example']);
    expect(b.tools.send_email!.destinations).toEqual(['acme.example']);
  });
});
