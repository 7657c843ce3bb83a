import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config.js';
import { CasefileConfigError } from './errors.js';

const agent = { name: 'support', version: '1.0.0' };

function problemsOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CasefileConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a CasefileConfigError');
}

describe('resolveConfig', () => {
  it('sends to <endpoint>/v1/traces with a bearer key', () => {
    const c = resolveConfig({ agent, endpoint: 'https://casefile.example.com/', apiKey: 'cf_ingest_abc', env: {} });
    expect(c.tracesUrl).toBe('https://casefile.example.com/v1/traces');
    expect(c.headers).toEqual({ Authorization: 'Bearer cf_ingest_abc' });
    expect(c.serviceName).toBe('support');
  });

  it('reads Casefile and OTel variables, explicit options winning', () => {
    const env = {
      CASEFILE_ENDPOINT: 'http://cf:4318',
      CASEFILE_API_KEY: 'env-key',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-tenant=acme,authorization=Bearer%20other',
      OTEL_SERVICE_NAME: 'otel-svc',
    };
    const fromEnv = resolveConfig({ agent, env });
    expect(fromEnv.tracesUrl).toBe('http://cf:4318/v1/traces');
    expect(fromEnv.headers).toEqual({ 'x-tenant': 'acme', Authorization: 'Bearer env-key' });
    expect(fromEnv.serviceName).toBe('otel-svc');
    const explicit = resolveConfig({ agent, env, endpoint: 'http://mine:1', apiKey: 'opt-key', serviceName: 'svc' });
    expect(explicit.tracesUrl).toBe('http://mine:1/v1/traces');
    expect(explicit.headers.Authorization).toBe('Bearer opt-key');
    expect(explicit.serviceName).toBe('svc');
    const otelOnly = resolveConfig({
      agent,
      env: {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:9/custom',
        OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer%20k',
      },
    });
    expect(otelOnly.tracesUrl).toBe('http://t:9/custom');
    expect(otelOnly.headers).toEqual({ Authorization: 'Bearer k' });
  });

  it('names the environment variable that is wrong', () => {
    const msg = problemsOf(() => resolveConfig({ agent, apiKey: 'k', env: { CASEFILE_ENDPOINT: 'localhost:4318' } }));
    expect(msg).toContain('CASEFILE_ENDPOINT');
    expect(msg).toContain('http');
  });

  it('reads the token policy from options or CASEFILE_REDACTION_TOKENS, and names a bad value', () => {
    expect(resolveConfig({ agent, apiKey: 'cf_ingest_abc', env: {} }).redaction.tokenContext).toBe('keep');
    expect(
      resolveConfig({ agent, apiKey: 'cf_ingest_abc', env: { CASEFILE_REDACTION_TOKENS: 'strict' } }).redaction
        .tokenContext,
    ).toBe('strict');
    expect(
      resolveConfig({
        agent,
        apiKey: 'cf_ingest_abc',
        redaction: { tokenContext: 'keep' },
        env: { CASEFILE_REDACTION_TOKENS: 'strict' },
      }).redaction.tokenContext,
    ).toBe('keep');
    expect(() => resolveConfig({ agent, apiKey: 'cf_ingest_abc', env: { CASEFILE_REDACTION_TOKENS: 'none' } })).toThrow(
      /CASEFILE_REDACTION_TOKENS: must be context or strict/,
    );
  });

  it('names every bad option in one error, without echoing the key', () => {
    const msg = problemsOf(() =>
      resolveConfig({
        agent: { name: '', version: '1' },
        apiKey: 'has space secretvalue',
        exportIntervalMs: -5,
        env: { OTEL_EXPORTER_OTLP_HEADERS: 'novalue' },
      }),
    );
    expect(msg).toContain('options.agent.name');
    expect(msg).toContain('options.apiKey');
    expect(msg).toContain('options.exportIntervalMs');
    expect(msg).toContain('OTEL_EXPORTER_OTLP_HEADERS');
    expect(msg).not.toContain('secretvalue');
  });

  it('requires the agent and an API key', () => {
    expect(problemsOf(() => resolveConfig({ env: {} } as never))).toContain('options.agent');
    expect(problemsOf(() => resolveConfig({ agent, env: {} }))).toContain('CASEFILE_API_KEY');
  });
});
