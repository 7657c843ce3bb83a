import type { FindingDto } from '@casefile/contract';
import { describe, expect, it } from 'vitest';
import { bulkPlan, describePlan, foldsLow, orderParams, parseOrder } from './findings-order';

let n = 0;
const f = (ruleId: string, severity: FindingDto['severity'], status: FindingDto['status'] = 'open'): FindingDto => ({
  id: String(++n).padStart(32, '0'),
  traceId: 't'.repeat(32),
  spanId: 's1',
  ruleId,
  severity,
  reason: '',
  evidence: '',
  agentName: '',
  toolName: '',
  status,
  createdNs: String(1000 - n),
});

describe('folding low findings', () => {
  it('folds them until the user asks, unless a severity is chosen or nothing else matches', () => {
    expect(foldsLow(false, '', undefined)).toBe(true);
    expect(foldsLow(false, '', { low: 24, above: 3 })).toBe(true);
    expect(foldsLow(true, '', { low: 24, above: 3 })).toBe(false);
    expect(foldsLow(false, 'low', { low: 24, above: 3 })).toBe(false);
    expect(foldsLow(false, 'high', { low: 0, above: 3 })).toBe(false);
    expect(foldsLow(false, '', { low: 5, above: 0 })).toBe(false);
    expect(foldsLow(false, '', { low: 0, above: 0 })).toBe(true);
  });

  it('asks the server for the order and leaves low ones out while folded', () => {
    expect(orderParams('severity', true)).toEqual({ order: 'severity', minSeverity: 'medium' });
    expect(orderParams('time', false)).toEqual({});
    expect(parseOrder('time')).toBe('time');
    expect(parseOrder(null)).toBe('severity');
  });
});

describe('bulkPlan', () => {
  const open = f('open.one', 'high');
  const expected = f('just.marked', 'medium', 'expected');
  const muted = f('already.muted', 'medium', 'muted');
  const all = new Set([open.id, expected.id, muted.id]);

  it('mutes open findings and leaves one the user marked expected alone unless told otherwise', () => {
    const plan = bulkPlan([open, expected, muted], all, 'muted');
    expect(plan.change).toEqual([open]);
    expect(plan.overwrite).toEqual([expected]);
    expect(plan.unchanged).toBe(1);
    expect(describePlan(plan, false)).toBe(
      'Mute 1 finding (1 open → muted); 1 marked expected stay as they are; 1 already muted',
    );
    expect(describePlan(plan, true)).toContain('Mute 2 findings');
    expect(describePlan(plan, true)).toContain('1 marked expected will be changed to muted');
  });

  it('reopens every closed finding ticked', () => {
    const plan = bulkPlan([open, expected, muted], all, 'open');
    expect(plan.change.map((x) => x.ruleId)).toEqual(['just.marked', 'already.muted']);
    expect(plan.overwrite).toEqual([]);
  });

  it('changes nothing that is not ticked', () => {
    expect(bulkPlan([open, expected], new Set(), 'muted')).toEqual({
      status: 'muted',
      change: [],
      overwrite: [],
      unchanged: 0,
    });
  });
});
