import type { FindingDto } from '@casefile/contract';
import { describe, expect, it } from 'vitest';
import { bulkPlan, describePlan, parseOrder, triageView } from './findings-order';

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

describe('triageView', () => {
  // Newest first, as the server sends them.
  const list = [f('a', 'low'), f('b', 'medium'), f('c', 'critical'), f('d', 'low'), f('e', 'high'), f('g', 'medium')];

  it('lists the worst first, newest first within a severity, and folds low findings', () => {
    const view = triageView(list, 'severity', false, '');
    expect(view.shown.map((x) => x.ruleId)).toEqual(['c', 'e', 'b', 'g']);
    expect(view.foldedLow).toBe(2);
  });

  it('shows low findings when asked, when the list is narrowed to them, or when nothing else is there', () => {
    expect(triageView(list, 'severity', true, '').shown.map((x) => x.ruleId)).toEqual(['c', 'e', 'b', 'g', 'a', 'd']);
    expect(triageView(list, 'severity', false, 'low').foldedLow).toBe(0);
    expect(triageView([f('x', 'low')], 'severity', false, '').shown).toHaveLength(1);
  });

  it('keeps the server order with order=time', () => {
    expect(parseOrder('time')).toBe('time');
    expect(parseOrder(null)).toBe('severity');
    expect(triageView(list, 'time', true, '').shown.map((x) => x.ruleId)).toEqual(['a', 'b', 'c', 'd', 'e', 'g']);
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
