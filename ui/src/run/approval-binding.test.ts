import { describe, expect, it } from 'vitest';
import { makeStep } from '../lib/step-fixture';
import { approvalBinding, approvalsForAction } from './approval-binding';

const H1 = 'a'.repeat(64);
const H2 = 'b'.repeat(64);

describe('approvalBinding', () => {
  it('binds an approval to the tool call with the same action hash', () => {
    const approval = makeStep({
      spanId: 'ap',
      kind: 'approval',
      approvalId: 'apr-1',
      approvalActionHash: H1,
      startNs: 10n,
    });
    const tool = makeStep({ spanId: 'send', kind: 'tool', actionHash: H1, startNs: 20n });
    expect(approvalBinding(approval, [approval, tool])).toEqual({
      kind: 'bound',
      toolSpanIds: ['send'],
      executedBeforeApproval: false,
    });
  });

  it('compares digests regardless of case and algorithm prefix', () => {
    const approval = makeStep({ spanId: 'ap', approvalActionHash: `sha256:${H1.toUpperCase()}` });
    const tool = makeStep({ spanId: 't', actionHash: H1, startNs: 1n });
    expect(approvalBinding(approval, [approval, tool]).kind).toBe('bound');
  });

  it('flags a tool call that ran before its approval was given', () => {
    const approval = makeStep({ spanId: 'ap', approvalActionHash: H1, startNs: 50n });
    const tool = makeStep({ spanId: 't', actionHash: H1, startNs: 20n });
    expect(approvalBinding(approval, [tool, approval])).toMatchObject({ kind: 'bound', executedBeforeApproval: true });
  });

  it('reports a mismatch and points at the next action after the approval', () => {
    const before = makeStep({ spanId: 'read', actionHash: H2, startNs: 5n });
    const approval = makeStep({ spanId: 'ap', approvalActionHash: H1, startNs: 10n });
    const tool = makeStep({ spanId: 'pay', actionHash: H2, startNs: 20n });
    const later = makeStep({ spanId: 'pay2', actionHash: H2, startNs: 30n });
    expect(approvalBinding(approval, [before, approval, tool, later])).toEqual({
      kind: 'mismatch',
      candidates: [{ spanId: 'pay', actionHash: H2 }],
    });
  });

  it('prefers the tool call that names the same approval ID', () => {
    const approval = makeStep({ spanId: 'ap', approvalId: 'apr-9', approvalActionHash: H1, startNs: 10n });
    const other = makeStep({ spanId: 'other', actionHash: H2, startNs: 20n });
    const named = makeStep({ spanId: 'named', approvalId: 'apr-9', actionHash: H2, startNs: 30n });
    expect(approvalBinding(approval, [approval, other, named])).toEqual({
      kind: 'mismatch',
      candidates: [{ spanId: 'named', actionHash: H2 }],
    });
  });

  it('compares a tool step that carries its own approval fields with itself', () => {
    const tool = makeStep({ spanId: 't', approvalActionHash: H1, actionHash: H2 });
    expect(approvalBinding(tool, [tool])).toEqual({ kind: 'mismatch', candidates: [{ spanId: 't', actionHash: H2 }] });
  });

  it('says when there is nothing to compare', () => {
    const approval = makeStep({ spanId: 'ap', approvalActionHash: H1 });
    expect(approvalBinding(approval, [approval]).kind).toBe('no-action-hash');
    expect(approvalBinding(makeStep({ spanId: 'x' }), [approval]).kind).toBe('none');
  });
});

describe('approvalsForAction', () => {
  it('finds every approval bound to a tool call, exposing one approval reused twice', () => {
    const a1 = makeStep({ spanId: 'a1', approvalActionHash: H1 });
    const a2 = makeStep({ spanId: 'a2', approvalActionHash: H1 });
    const tool = makeStep({ spanId: 't', actionHash: H1 });
    expect(approvalsForAction(tool, [a1, a2, tool]).map((s) => s.spanId)).toEqual(['a1', 'a2']);
    expect(approvalsForAction(makeStep({ spanId: 'n' }), [a1])).toEqual([]);
  });
});
