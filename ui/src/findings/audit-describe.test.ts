import { describe, expect, it } from 'vitest';
import { describeAudit, settingsChanges } from './audit-describe';

const entry = (action: string, detail: unknown, timeNs = '1') => ({
  timeNs,
  actor: 'bootstrap admin',
  action,
  target: action === 'settings.update' ? 'settings' : 'f'.repeat(32),
  detail: typeof detail === 'string' ? detail : JSON.stringify(detail),
});

describe('settingsChanges', () => {
  it('names mutes added and removed, rules disabled and re-enabled, and changed values', () => {
    const before = {
      mutes: [{ ruleId: 'version.unseen' }],
      disabledRules: ['volume.outlier'],
      thresholds: { encodedBlob: { minBase64Chars: 40 } },
    };
    const after = {
      mutes: [{ ruleId: 'outbound.sensitive_data', tool: 'send_email' }],
      severityOverrides: { 'version.unpinned_model': 'low' as const },
      thresholds: { encodedBlob: { minBase64Chars: 60 } },
    };
    expect(settingsChanges(before, after)).toEqual([
      'muted outbound.sensitive_data for tool send_email',
      'unmuted version.unseen for every tool and agent',
      'enabled rule volume.outlier',
      'severity version.unpinned_model: default → "low"',
      'threshold encodedBlob.minBase64Chars: 40 → 60',
    ]);
  });
});

describe('describeAudit', () => {
  it('describes each settings save against the one before it (newest first)', () => {
    const lines = describeAudit([
      entry('settings.update', {
        mutes: [{ ruleId: 'approval.missing', agent: 'bot' }],
        disabledRules: ['version.unseen'],
      }),
      entry('finding.status', { status: 'expected', ruleId: 'approval.missing', traceId: 'ab'.repeat(16) }),
      entry('settings.update', { disabledRules: ['version.unseen'] }),
    ]);
    expect(lines[0]).toEqual(['muted approval.missing for agent bot']);
    expect(lines[1]).toEqual(['approval.missing finding in run abababab… set to expected']);
    expect(lines[2]).toEqual(['disabled rule version.unseen']);
  });

  it('shows unreadable details as they are', () => {
    expect(describeAudit([entry('settings.update', '{not json'), entry('other', '<b>x</b>')])).toEqual([
      ['{not json'],
      ['<b>x</b>'],
    ]);
  });
});
