import type { FindingDto } from '@casefile/contract';
import { describe, expect, it } from 'vitest';
import { bySeverity, countFindings, replaceFinding, worstPerStep } from './finding-summary';

let n = 0;
const f = (
  ruleId: string,
  severity: FindingDto['severity'],
  spanId = 's1',
  status: FindingDto['status'] = 'open',
): FindingDto => ({
  id: String(++n).padStart(32, '0'),
  traceId: 't'.repeat(32),
  spanId,
  ruleId,
  severity,
  reason: '',
  evidence: '',
  agentName: '',
  toolName: '',
  status,
  createdNs: '1',
});

describe('finding summary', () => {
  it('counts per severity (all four, worst first), per status, and per rule (most frequent first)', () => {
    const c = countFindings([
      f('version.unpinned_model', 'low'),
      f('version.unpinned_model', 'medium', 's2', 'expected'),
      f('approval.hash_mismatch', 'critical'),
    ]);
    expect(c.total).toBe(3);
    expect(c.bySeverity).toEqual([
      { severity: 'critical', count: 1 },
      { severity: 'high', count: 0 },
      { severity: 'medium', count: 1 },
      { severity: 'low', count: 1 },
    ]);
    expect(c.byStatus).toEqual({ open: 2, expected: 1, muted: 0 });
    expect(c.byRule).toEqual([
      { ruleId: 'version.unpinned_model', count: 2, worst: 'medium' },
      { ruleId: 'approval.hash_mismatch', count: 1, worst: 'critical' },
    ]);
  });

  it('orders a step’s findings worst first and badges each step with its worst', () => {
    const list = [f('a.rule', 'low', 's1'), f('b.rule', 'high', 's1'), f('c.rule', 'medium', 's2')];
    expect(bySeverity(list).map((x) => x.ruleId)).toEqual(['b.rule', 'c.rule', 'a.rule']);
    expect(worstPerStep(list)).toEqual(
      new Map([
        ['s1', 'high'],
        ['s2', 'medium'],
      ]),
    );
  });

  it('replaces a finding by ID after a status change', () => {
    const list = [f('a.rule', 'low'), f('b.rule', 'low')];
    const updated = { ...list[1]!, status: 'expected' as const };
    expect(replaceFinding(list, updated).map((x) => x.status)).toEqual(['open', 'expected']);
  });
});
