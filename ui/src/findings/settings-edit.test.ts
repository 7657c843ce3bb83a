import { detectionSettingsSchema } from '@casefile/contract';
import { describe, expect, it } from 'vitest';
import {
  addMute,
  approvalRequired,
  removeMute,
  setApprovalRequired,
  setRuleEnabled,
  setSeverityOverride,
  setThreshold,
  setTrustedHosts,
  thresholdValue,
} from './settings-edit';

describe('settings edits', () => {
  it('adds a mute for a tool once, with blank fields meaning any', () => {
    let s = addMute({}, ' outbound.sensitive_data ', 'send_email', ' ');
    s = addMute(s, 'outbound.sensitive_data', 'send_email', '');
    expect(s.mutes).toEqual([{ ruleId: 'outbound.sensitive_data', tool: 'send_email' }]);
    expect(detectionSettingsSchema.safeParse(s).success).toBe(true);
    expect(removeMute(s, 0)).toEqual({});
  });

  it('disables, re-enables and re-grades rules, leaving defaults out', () => {
    let s = setRuleEnabled({}, 'version.unseen', false);
    expect(s.disabledRules).toEqual(['version.unseen']);
    s = setSeverityOverride(s, 'version.unpinned_model', 'low');
    expect(s.severityOverrides).toEqual({ 'version.unpinned_model': 'low' });
    s = setRuleEnabled(setSeverityOverride(s, 'version.unpinned_model', ''), 'version.unseen', true);
    expect(s).toEqual({});
  });

  it('sets a threshold as a number and returns to the default on an empty field', () => {
    const s = setThreshold({}, 'encodedBlob', 'minBase64Chars', '60');
    expect(s.thresholds).toEqual({ encodedBlob: { minBase64Chars: 60 } });
    expect(thresholdValue(s, 'encodedBlob', 'minBase64Chars')).toBe('60');
    expect(detectionSettingsSchema.safeParse(s).success).toBe(true);
    expect(setThreshold(s, 'encodedBlob', 'minBase64Chars', '')).toEqual({});
  });

  it('passes a value the server refuses on to it (negative counts are the server to reject)', () => {
    const s = setThreshold({}, 'flows', 'minScore', '-1');
    expect(s.thresholds?.flows?.minScore).toBe(-1);
    expect(detectionSettingsSchema.safeParse(s).success).toBe(false);
  });

  it('keeps other thresholds of a section when one changes', () => {
    let s = setThreshold({}, 'volume', 'zThreshold', '8');
    s = setThreshold(s, 'volume', 'minRatio', '4');
    s = setThreshold(s, 'volume', 'zThreshold', '');
    expect(s.thresholds).toEqual({ volume: { minRatio: 4 } });
  });

  it('splits trusted hosts on commas and lines, without duplicates', () => {
    const s = setTrustedHosts({}, 'cdn.example.com, *.acme.example\ncdn.example.com');
    expect(s.thresholds?.dataUrl?.trustedHosts).toEqual(['cdn.example.com', '*.acme.example']);
    expect(setTrustedHosts(s, '  ')).toEqual({});
  });

  it('changes which tool risks need an approval, starting from the default', () => {
    expect(approvalRequired({})).toEqual(['irreversible']);
    const s = setApprovalRequired({}, 'write', true);
    expect(approvalRequired(s)).toEqual(['write', 'irreversible']);
    expect(approvalRequired(setApprovalRequired(s, 'external', true))).toEqual(['write', 'external', 'irreversible']);
    const gaps = setApprovalRequired({ thresholds: { approval: { gapFor: ['external'] } } }, 'write', true);
    expect(gaps.thresholds?.approval).toEqual({ gapFor: ['external'], requireFor: ['write', 'irreversible'] });
  });
});
