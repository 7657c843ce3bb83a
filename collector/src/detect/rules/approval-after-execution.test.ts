import { describe, expect, it } from 'vitest';
import { emptyBaseline } from '../baseline.js';
import { DEFAULT_DETECTION_CONFIG } from '../config.js';
import { detectRun } from '../detect-run.js';
import { approvalStep, makeRun, toolStep } from '../steps.fixtures.js';
import { approvalAfterExecution } from './approval-after-execution.js';

const H = 'c'.repeat(64);
const ms = 1_000_000n;
const t0 = 1_750_000_000_000n * ms;
const detect = (steps: Parameters<typeof makeRun>[0]) =>
  detectRun(makeRun(steps), emptyBaseline(), DEFAULT_DETECTION_CONFIG, { rules: [approvalAfterExecution] });

describe('approval.after_execution', () => {
  it('flags an approval that completed after the tool had started', () => {
    const tool = toolStep(
      'delete_repo',
      'irreversible',
      { repo: 'acme/api' },
      { approvalId: 'apr-5', actionHash: H, startNs: t0 + 100n * ms, endNs: t0 + 120n * ms },
    );
    const approval = approvalStep('apr-5', 'approved', H, { startNs: t0 + 50n * ms, endNs: t0 + 400n * ms });
    const [f] = detect([tool, approval]);
    expect(f?.severity).toBe('high');
    expect(f?.details?.lateMs).toBe(300);
  });

  it('accepts an approval given before execution', () => {
    const approval = approvalStep('apr-5', 'approved', H, { startNs: t0 + 10n * ms, endNs: t0 + 90n * ms });
    const tool = toolStep(
      'delete_repo',
      'irreversible',
      { repo: 'acme/api' },
      { approvalId: 'apr-5', actionHash: H, startNs: t0 + 100n * ms, endNs: t0 + 120n * ms },
    );
    expect(detect([approval, tool])).toEqual([]);
  });

  it("reads a start stamped in whole milliseconds within the approval's last millisecond as after it", () => {
    // Approval ended at …100.199 ms; the call's start was truncated to …100.000 ms.
    const approval = approvalStep('apr-6', 'approved', H, { startNs: t0 + 10n * ms, endNs: t0 + 100n * ms + 199_000n });
    const tool = toolStep(
      'issue_refund',
      'irreversible',
      { amount: '250.00' },
      { approvalId: 'apr-6', actionHash: H, startNs: t0 + 100n * ms, endNs: t0 + 130n * ms },
    );
    expect(detect([approval, tool])).toEqual([]);
    const late = approvalStep('apr-7', 'approved', H, { startNs: t0 + 10n * ms, endNs: t0 + 102n * ms });
    const early = toolStep(
      'issue_refund',
      'irreversible',
      { amount: '250.00' },
      { approvalId: 'apr-7', actionHash: H, startNs: t0 + 100n * ms, endNs: t0 + 130n * ms },
    );
    expect(detect([late, early])).toHaveLength(1);
  });
});
