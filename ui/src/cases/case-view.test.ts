import { describe, expect, it } from 'vitest';
import { auditLine } from './case-view';

const entry = (action: string, detail: unknown) => ({ timeNs: '1', actor: 'a', action, target: 'case_1', detail });

describe('auditLine', () => {
  it('says what happened to the case in words', () => {
    expect(auditLine(entry('case.create', { name: 'Refund fraud', traceIds: ['a', 'b'] }))).toBe(
      'created "Refund fraud" with 2 runs',
    );
    expect(auditLine(entry('case.hold', { reason: 'litigation notice' }))).toBe(
      'placed on legal hold: litigation notice',
    );
    expect(auditLine(entry('case.release', { by: 'lead' }))).toBe('hold released (placed by lead)');
    expect(auditLine(entry('case.export', 'x'))).toBe('case.export: x');
    expect(auditLine(entry('case.hold', null))).toBe('placed on legal hold: ');
  });
});
