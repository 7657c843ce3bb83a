import { describe, expect, it } from 'vitest';
import { makeStep } from '../lib/step-fixture';
import { approvalForTool, approvedActionOf, compareArguments, toolForApproval } from './approved-action';

const H1 = 'a'.repeat(64);
const H2 = 'b'.repeat(64);
const approvedArgs = '{"amount":"20.00","currency":"USD","order_id":"A-1"}';

function refund(approvedText: string, executedText: string, executedHash: string) {
  const approval = makeStep({
    spanId: 'ap',
    kind: 'approval',
    approvalId: 'apr_1',
    approvalDecision: 'approved',
    approver: '[email:1a2b3c4d@acme.example]',
    approvalActionHash: H1,
    startNs: 10n,
    attributes: { 'casefile.approval.action.tool': 'issue_refund', 'casefile.approval.action.arguments': approvedText },
  });
  const tool = makeStep({
    spanId: 'pay',
    kind: 'tool',
    toolName: 'issue_refund',
    toolArguments: executedText,
    actionHash: executedHash,
    approvalId: 'apr_1',
    startNs: 20n,
  });
  return { approval, tool, steps: [approval, tool] };
}

describe('approved vs executed', () => {
  it('marks the argument that changed between approval and execution', () => {
    const { tool, steps } = refund(approvedArgs, '{"amount":"2000.00","currency":"USD","order_id":"A-1"}', H2);
    const c = approvalForTool(tool, steps);
    expect(c).toMatchObject({ hashMatches: false, toolDiffers: false, differs: true });
    expect(c?.rows).toEqual([
      { path: 'amount', approved: '20.00', executed: '2000.00', differs: true },
      { path: 'currency', approved: 'USD', executed: 'USD', differs: false },
      { path: 'order_id', approved: 'A-1', executed: 'A-1', differs: false },
    ]);
  });

  it('finds the same comparison from the approval step, and passes a call that ran as approved', () => {
    const bad = refund(approvedArgs, '{"amount":"2000.00","currency":"USD","order_id":"A-1"}', H2);
    expect(toolForApproval(bad.approval, bad.steps)).toMatchObject({ tool: { spanId: 'pay' }, differs: true });
    const good = refund(approvedArgs, approvedArgs, H1);
    expect(approvalForTool(good.tool, good.steps)).toMatchObject({ hashMatches: true, differs: false });
    expect(toolForApproval(good.approval, good.steps)).toMatchObject({ differs: false });
  });

  it('flags a hash mismatch when the approval records only its hash', () => {
    const { tool, approval } = refund('', '{"amount":"20.00"}', H2);
    const hashOnly = { ...approval, attributes: {} };
    expect(approvedActionOf(hashOnly)).toBeNull();
    expect(approvalForTool(tool, [hashOnly, tool])).toMatchObject({ action: null, rows: [], differs: true });
  });

  it('compares nested, added and missing arguments, and non-JSON payloads whole', () => {
    expect(
      compareArguments(
        '{"to":{"iban":"[iban:1a2b DE]"},"items":[1]}',
        '{"to":{"iban":"[iban:9f9f GB]"},"items":[1,2],"memo":"x"}',
      ),
    ).toEqual([
      { path: 'to.iban', approved: '[iban:1a2b DE]', executed: '[iban:9f9f GB]', differs: true },
      { path: 'items[0]', approved: '1', executed: '1', differs: false },
      { path: 'items[1]', approved: undefined, executed: '2', differs: true },
      { path: 'memo', approved: undefined, executed: 'x', differs: true },
    ]);
    expect(compareArguments('{"a":1', '{"a":1')).toEqual([
      { path: '', approved: '{"a":1', executed: '{"a":1', differs: false },
    ]);
  });

  it('binds no approval to a tool call that names none and matches no hash', () => {
    const { approval } = refund(approvedArgs, '', H1);
    const other = makeStep({ spanId: 'x', kind: 'tool', toolName: 'lookup', actionHash: H2 });
    expect(approvalForTool(other, [approval, other])).toBeNull();
  });
});
