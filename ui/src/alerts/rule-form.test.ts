import type { AlertRuleDto } from '@casefile/contract';
import { describe, expect, it } from 'vitest';
import { emptyRuleForm, formToInput, parseUtcInput, type RuleForm, ruleToForm } from './rule-form';

const driftForm = (over: Partial<RuleForm> = {}): RuleForm => ({
  ...emptyRuleForm(),
  name: 'support tool mix',
  agentName: 'support',
  metrics: ['tool_mix', 'steps_per_run'],
  windowMin: '1',
  intervalSec: '2',
  referenceType: 'baseline',
  baselineFrom: '2026-11-21T10:00',
  baselineTo: '2026-11-21T11:00',
  channelType: 'webhook',
  webhookUrl: 'http://127.0.0.1:9999/hook',
  ...over,
});

describe('rule form → API input', () => {
  it('takes a baseline typed relative to now, or with a zone, and says what a baseline field takes', () => {
    const now = Date.UTC(2026, 11, 5, 22);
    expect(parseUtcInput('8d ago', now)).toBe(now - 8 * 86_400_000);
    expect(parseUtcInput('now-36h', now)).toBe(now - 36 * 3_600_000);
    expect(parseUtcInput('2026-03-02 14:00', now)).toBe(Date.UTC(2026, 2, 2, 14));
    expect(parseUtcInput('2026-03-02T14:00+01:00', now)).toBe(Date.UTC(2026, 2, 2, 13));
    expect(parseUtcInput('2026-02-31', now)).toBeUndefined();
    const r = formToInput(driftForm({ baselineFrom: 'last tuesday' }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.baselineFrom).toContain('relative time (8d ago');
  });

  it('maps a drift rule with a fixed baseline in UTC, minutes and seconds to ms', () => {
    const r = formToInput(driftForm({ test: 'js', threshold: '0.1', renotifyMin: '30' }));
    expect(r).toEqual({
      ok: true,
      input: {
        kind: 'drift',
        name: 'support tool mix',
        enabled: true,
        agentName: 'support',
        toolName: '',
        windowMs: 60_000,
        intervalMs: 2_000,
        renotifyMs: 1_800_000,
        severity: 'warning',
        channel: { type: 'webhook', url: 'http://127.0.0.1:9999/hook', format: 'casefile' },
        metrics: ['tool_mix', 'steps_per_run'],
        test: 'js',
        threshold: 0.1,
        reference: { type: 'baseline', fromMs: Date.UTC(2026, 10, 21, 10), toMs: Date.UTC(2026, 10, 21, 11) },
        minReference: 100,
        minCurrent: 30,
      },
    });
  });

  it('maps a threshold rule and the other reference kinds', () => {
    const t = formToInput({ ...emptyRuleForm(), kind: 'threshold', name: 'errors', value: '0.1', operator: '>=' });
    expect(t.ok && t.input).toMatchObject({
      kind: 'threshold',
      metric: 'error_rate',
      aggregate: 'rate',
      operator: '>=',
      value: 0.1,
    });
    const pv = formToInput(driftForm({ referenceType: 'previous-version', versionDimension: 'model' }));
    expect(pv.ok && pv.input.kind === 'drift' && pv.input.reference).toEqual({
      type: 'previous-version',
      dimension: 'model',
    });
    const pw = formToInput(driftForm({ referenceType: 'previous-window', previousWindowMin: '120' }));
    expect(pw.ok && pw.input.kind === 'drift' && pw.input.reference).toEqual({
      type: 'previous-window',
      windowMs: 7_200_000,
    });
  });

  it('puts each problem next to its field', () => {
    const r = formToInput(
      driftForm({
        name: ' ',
        windowMin: 'abc',
        intervalSec: '0.5',
        metrics: [],
        baselineTo: '2026-11-21T09:00',
        webhookUrl: 'javascript:alert(1)',
        webhookSecret: 'short',
      }),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(Object.keys(r.errors).sort()).toEqual(
      ['baselineTo', 'intervalSec', 'metrics', 'name', 'webhookSecret', 'webhookUrl', 'windowMin'].sort(),
    );
    expect(r.errors.windowMin).toBe('must be a number');
    expect(r.errors.baselineTo).toBe('must be after the start');
    // What the schema refused is said in words and in the form's units, never in the schema's wording.
    expect(r.errors.name).toBe('enter a name (up to 200 characters)');
    expect(r.errors.metrics).toBe('choose at least one metric');
    expect(r.errors.webhookUrl).toBe('enter an http:// or https:// URL');
    expect(r.errors.webhookSecret).toMatch(/^enter a secret of 16 to 200 characters/);
    expect(Object.values(r.errors).join(' ')).not.toMatch(/expected|Too small|Invalid|>=/);
  });

  it('requires a window and rejects a window under a minute (the server limit)', () => {
    const blank = formToInput(driftForm({ windowMin: '' }));
    expect(!blank.ok && blank.errors.windowMin).toBe('required');
    const short = formToInput(driftForm({ windowMin: '0.5' }));
    expect(!short.ok && short.errors.windowMin).toBeTruthy();
  });

  it('reads datetime-local values as UTC and keeps an explicit zone', () => {
    expect(parseUtcInput('2026-11-21T10:00')).toBe(Date.UTC(2026, 10, 21, 10));
    expect(parseUtcInput('2026-11-21T10:00+02:00')).toBe(Date.UTC(2026, 10, 21, 8));
    expect(parseUtcInput('yesterday')).toBeUndefined();
  });

  it('fills the form from a stored rule and maps it back to the same input (secret left blank)', () => {
    const base = formToInput(driftForm());
    if (!base.ok || base.input.kind !== 'drift') throw new Error('fixture');
    const rule = {
      ...base.input,
      severity: 'warning',
      renotifyMs: 0,
      enabled: true,
      minReference: 100,
      minCurrent: 30,
      id: 'r1',
      createdNs: '1',
      updatedNs: '1',
      state: 'ok',
      stateSinceNs: '',
      lastEvaluatedNs: '',
      channel: { type: 'webhook', url: 'http://127.0.0.1:9999/hook', format: 'casefile', secretSet: true },
    } as AlertRuleDto;
    const form = ruleToForm(rule);
    expect(form.webhookSecret).toBe('');
    expect(form.baselineFrom).toBe('2026-11-21T10:00');
    expect(formToInput(form)).toEqual(base);
  });
});
