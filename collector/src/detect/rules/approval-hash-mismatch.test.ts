import { describe, expect, it } from 'vitest';
import { emptyBaseline } from '../baseline.js';
import { DEFAULT_DETECTION_CONFIG } from '../config.js';
import { detectRun } from '../detect-run.js';
import { approvalStep, makeRun, toolStep } from '../steps.fixtures.js';
import { approvalHashMismatch } from './approval-hash-mismatch.js';

const APPROVED = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';
const OTHER = '60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752';
const detect = (steps: Parameters<typeof makeRun>[0]) =>
  detectRun(makeRun(steps), emptyBaseline(), DEFAULT_DETECTION_CONFIG, { rules: [approvalHashMismatch] });
const pay = (hash: string) =>
  toolStep('pay_invoice', 'irreversible', { id: 'INV-7', amount: 1200 }, { approvalId: 'apr-9', actionHash: hash });

describe('approval.hash_mismatch', () => {
  it('is critical when the executed action differs from the approved one', () => {
    const [f] = detect([approvalStep('apr-9', 'approved', APPROVED), pay(OTHER)]);
    expect(f?.severity).toBe('critical');
    expect(f?.details?.approvedHash).toBe(APPROVED);
    expect(f?.details?.executedHash).toBe(OTHER);
  });

  it('is medium when the binding cannot be checked, and silent when the hashes match', () => {
    expect(detect([approvalStep('apr-9', 'approved', ''), pay(APPROVED)]).map((f) => f.severity)).toEqual(['medium']);
    expect(detect([approvalStep('apr-9', 'approved', APPROVED), pay(APPROVED)])).toEqual([]);
  });
});
