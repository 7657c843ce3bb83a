import { describe, expect, it } from 'vitest';
import { emptyBaseline, learnRun } from '../baseline.js';
import { resolveDetectionConfig } from '../config.js';
import { detectRun } from '../detect-run.js';
import { approvalStep, makeRun, makeStep, toolStep } from '../steps.fixtures.js';
import { approvalMissing } from './approval-missing.js';

const H = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const detect = (steps: Parameters<typeof makeRun>[0], config = resolveDetectionConfig()) =>
  detectRun(makeRun(steps), emptyBaseline(), config, { rules: [approvalMissing] });

describe('approval.missing', () => {
  it('flags an irreversible payment without approval, but not reads and writes by default', () => {
    const found = detect([
      toolStep('lookup_invoice', 'read', { id: 'INV-7' }),
      toolStep('crm_update', 'write', { id: 'c-1', stage: 'won' }),
      toolStep('pay_invoice', 'irreversible', { id: 'INV-7', amount: 1200 }),
    ]);
    expect(found.map((f) => [f.ruleId, f.severity, f.details?.tool])).toEqual([
      ['approval.missing', 'high', 'pay_invoice'],
    ]);
  });

  it('accepts a call approved by ID or bound by action hash, and covers writes when configured', () => {
    const byId = toolStep('pay_invoice', 'irreversible', { id: 'INV-7' }, { approvalId: 'apr-1', actionHash: H });
    const byHash = toolStep('send_email', 'external', { to: '[email:7f3a9c1b]' }, { actionHash: H });
    expect(detect([approvalStep('apr-1', 'approved', H), byId, byHash])).toEqual([]);
    const cfg = resolveDetectionConfig({ approval: { requireFor: ['write', 'external', 'irreversible'] } });
    expect(detect([toolStep('crm_update', 'write', { id: 'c-1' })], cfg)).toHaveLength(1);
  });

  it('accepts a policy that allowed the call, but only for the next high-risk call', () => {
    const allow = makeStep({ kind: 'policy', name: 'policy refund-limits', policyDecision: 'allow' });
    const found = detect([
      allow,
      toolStep('issue_refund', 'irreversible', { amount: '20.00' }),
      toolStep('issue_refund', 'irreversible', { amount: '25.00' }),
    ]);
    expect(found.map((f) => f.details?.policyDecision)).toEqual([undefined]);
    const review = makeStep({ kind: 'policy', policyDecision: 'review' });
    expect(
      detect([review, toolStep('issue_refund', 'irreversible', { amount: '900.00' })]).map((f) => f.severity),
    ).toEqual(['high']);
  });

  it('reads a policy check and the call it allowed in order when both start in the same millisecond', () => {
    const t = 1_763_740_800_000_000_000n;
    // Listed call-first, with span IDs that sort the call first too: only the end times tell the order.
    const call = toolStep(
      'issue_refund',
      'irreversible',
      { amount: '20.00' },
      { spanId: '0000000000000001', startNs: t, endNs: t + 900_000n },
    );
    const allow = makeStep({
      kind: 'policy',
      spanId: '0000000000000002',
      policyDecision: 'allow',
      startNs: t,
      endNs: t + 200_000n,
    });
    expect(detect([call, allow])).toEqual([]);
  });

  it('is critical when the policy before the call denied it', () => {
    const deny = makeStep({ kind: 'policy', policyDecision: 'Deny' });
    const [f] = detect([deny, toolStep('issue_refund', 'irreversible', { amount: '5000.00' })]);
    expect(f?.severity).toBe('critical');
    expect(f?.details?.policyDecision).toBe('deny');
  });

  it('reports an external call without approval as a medium policy gap, once per agent, tool and day', () => {
    const day = 1_763_740_800_000_000_000n;
    const mail = (n: number) =>
      toolStep('send_email', 'external', { to: '[email:7f3a9c1b]', n }, { startNs: day + BigInt(n) * 1_000_000_000n });
    const run = makeRun([mail(1), mail(2), toolStep('post_chat', 'external', { text: 'hi' })]);
    const found = detectRun(run, emptyBaseline(), resolveDetectionConfig(), { rules: [approvalMissing] });
    expect(found.map((f) => [f.severity, f.details?.tool, f.details?.gap, f.details?.count]).sort()).toEqual([
      ['medium', 'post_chat', 1, 1],
      ['medium', 'send_email', 1, 1],
    ]);
    const learned = learnRun(emptyBaseline(), run, found);
    const later = makeRun([mail(30)]).map((s) => ({ ...s, traceId: 'b'.repeat(32) }));
    expect(detectRun(later, learned, resolveDetectionConfig(), { rules: [approvalMissing] })).toEqual([]);
    const nextDay = makeRun([mail(90_000)]).map((s) => ({ ...s, traceId: 'c'.repeat(32) }));
    expect(detectRun(nextDay, learned, resolveDetectionConfig(), { rules: [approvalMissing] })).toHaveLength(1);
    const perRun = resolveDetectionConfig({ approval: { requireFor: ['external', 'irreversible'] } });
    expect(detectRun(later, learned, perRun, { rules: [approvalMissing] }).map((f) => f.severity)).toEqual(['high']);
  });

  it('does not count a call the gateway refused as having run without approval', () => {
    expect(detect([toolStep('pay_invoice', 'irreversible', { id: 'INV-7' }, { actionResult: 'denied' })])).toEqual([]);
  });

  it('uses the configured risk of a tool over the declared one', () => {
    const cfg = resolveDetectionConfig({ toolRisks: { wire_transfer: 'irreversible' } });
    expect(detect([toolStep('wire_transfer', 'read', { amount: 9000 })], cfg)).toHaveLength(1);
  });
});
