import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('alert configuration', () => {
  it('has defaults that run the evaluator', () => {
    expect(loadConfig({})).toMatchObject({
      alertTickMs: 10_000,
      alertDelayMs: 5_000,
      alertWebhookMaxAttempts: 5,
      alertWebhookTimeoutMs: 10_000,
      alertBlockPrivateWebhooks: false,
    });
    expect(loadConfig({}).collectorId).toBeUndefined();
  });

  it('reads variables and flags (flags win)', () => {
    const c = loadConfig(
      {
        CASEFILE_ALERT_TICK_MS: '0',
        CASEFILE_COLLECTOR_ID: 'collector-a',
        CASEFILE_ALERT_BLOCK_PRIVATE_WEBHOOKS: 'true',
      },
      ['--collector-id', 'collector-b', '--public-url', 'https://casefile.example.com'],
    );
    expect(c).toMatchObject({
      alertTickMs: 0,
      collectorId: 'collector-b',
      alertBlockPrivateWebhooks: true,
      publicUrl: 'https://casefile.example.com',
    });
  });

  it('names the variable and the flag of a bad value', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ CASEFILE_ALERT_TICK_MS: '-5' }, /CASEFILE_ALERT_TICK_MS \(--alert-tick-ms\): must be 0 \(off\) or more/],
      [{ CASEFILE_COLLECTOR_ID: 'two words' }, /CASEFILE_COLLECTOR_ID \(--collector-id\): must be 1–200 printable/],
      [{ CASEFILE_ALERT_WEBHOOK_MAX_ATTEMPTS: '0' }, /CASEFILE_ALERT_WEBHOOK_MAX_ATTEMPTS/],
      [{ CASEFILE_ALERT_BLOCK_PRIVATE_WEBHOOKS: 'maybe' }, /CASEFILE_ALERT_BLOCK_PRIVATE_WEBHOOKS/],
      [{ CASEFILE_PUBLIC_URL: 'javascript:alert(1)' }, /CASEFILE_PUBLIC_URL/],
      [{ CASEFILE_ALERT_DELAY_MS: 'soon' }, /CASEFILE_ALERT_DELAY_MS/],
    ];
    for (const [env, message] of cases) expect(() => loadConfig(env), JSON.stringify(env)).toThrow(message);
  });
});
