import { describe, expect, it } from 'vitest';
import { emptyBaseline } from '../baseline.js';
import { DEFAULT_DETECTION_CONFIG } from '../config.js';
import { detectRun } from '../detect-run.js';
import { approvalStep, makeRun, toolStep } from '../steps.fixtures.js';
import { approvalDeniedExecuted } from './approval-denied-executed.js';

const H = 'd'.repeat(64);
const send = (fields = {}) =>
  toolStep('send_wire', 'irreversible', { amount: 50000, iban: '[iban:4c5d6e7f]' }, { actionHash: H, ...fields });
const detect = (steps: Parameters<typeof makeRun>[0]) =>
  detectRun(makeRun(steps), emptyBaseline(), DEFAULT_DETECTION_CONFIG, { rules: [approvalDeniedExecuted] });

describe('approval.denied_executed', () => {
  it('flags execution after a denied approval (linked by hash) and after an expired one (linked by ID)', () => {
    expect(detect([approvalStep('apr-7', 'denied', H), send()]).map((f) => [f.severity, f.details?.decision])).toEqual([
      ['critical', 'denied'],
    ]);
    expect(detect([approvalStep('apr-8', 'expired', ''), send({ approvalId: 'apr-8', actionHash: '' })])).toHaveLength(
      1,
    );
  });

  it('honours a tool step that records it was refused: denied, not executed', () => {
    expect(detect([approvalStep('apr-7', 'denied', H), send({ actionResult: 'denied', status: 'ok' })])).toEqual([]);
    expect(detect([approvalStep('apr-7', 'denied', H), send({ actionResult: 'Blocked' })])).toEqual([]);
  });

  it('is cleared by a later approval of the same action', () => {
    expect(
      detect([
        approvalStep('apr-7', 'denied', H),
        approvalStep('apr-10', 'approved', H),
        send({ approvalId: 'apr-10' }),
      ]),
    ).toEqual([]);
  });
});
