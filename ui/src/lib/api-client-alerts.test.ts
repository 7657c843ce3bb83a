import { describe, expect, it } from 'vitest';
import { createApiClient } from './api-client';
import { ApiError } from './http';

interface Call {
  url: string;
  method: string;
  body: string | undefined;
}

function fakeFetch(status: number, body: unknown, calls: Call[] = []): typeof fetch {
  return async (input, init) => {
    calls.push({ url: String(input), method: init?.method ?? 'GET', body: init?.body as string | undefined });
    return new Response(status === 204 ? null : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  };
}

const rule = {
  kind: 'drift',
  id: 'r1',
  name: 'mix',
  enabled: true,
  agentName: 'support',
  toolName: '',
  windowMs: 60_000,
  intervalMs: 2_000,
  renotifyMs: 0,
  severity: 'warning',
  channel: { type: 'webhook', url: 'http://127.0.0.1:1/h', format: 'casefile', secretSet: true },
  metrics: ['tool_mix'],
  reference: { type: 'previous-window' },
  minReference: 100,
  minCurrent: 30,
  createdNs: '1',
  updatedNs: '1',
  state: 'ok',
  stateSinceNs: '',
  lastEvaluatedNs: '',
};

const input = {
  kind: 'drift' as const,
  name: 'mix',
  windowMs: 60_000,
  intervalMs: 2_000,
  metrics: ['tool_mix' as const],
  reference: { type: 'previous-window' as const },
};

describe('alerts and drift in the API client', () => {
  it('posts a rule as JSON and returns the secret shown once; an update without a new secret has none', async () => {
    const calls: Call[] = [];
    const api = createApiClient({ token: 't', fetch: fakeFetch(201, { rule, secret: 's'.repeat(32) }, calls) });
    const created = await api.createAlertRule('p1', input);
    expect(calls[0]).toMatchObject({ url: '/api/alerts/rules?project=p1', method: 'POST' });
    expect(JSON.parse(calls[0]!.body!)).toEqual(input);
    expect(created.secret).toBe('s'.repeat(32));
    expect(created.rule.id).toBe('r1');
    const updated = await createApiClient({ token: 't', fetch: fakeFetch(200, { rule }) }).updateAlertRule(
      'p1',
      'r1',
      input,
    );
    expect(updated.secret).toBeUndefined();
    expect(updated.rule.channel).toEqual(rule.channel);
  });

  it('sends a fixed baseline as ISO 8601 dates, for the rule, its update and its back-test', async () => {
    const calls: Call[] = [];
    const api = createApiClient({ token: 't', fetch: fakeFetch(201, { rule, secret: 's'.repeat(32) }, calls) });
    const baseline = {
      ...input,
      reference: {
        type: 'baseline' as const,
        fromMs: Date.UTC(2026, 10, 21, 10),
        toMs: Date.UTC(2026, 10, 21, 11, 30),
      },
    };
    await api.createAlertRule('p1', baseline);
    await api.updateAlertRule('p1', 'r1', baseline);
    const sent = { type: 'baseline', from: '2026-11-21T10:00:00.000Z', to: '2026-11-21T11:30:00.000Z' };
    expect(JSON.parse(calls[0]!.body!).reference).toEqual(sent);
    expect(JSON.parse(calls[1]!.body!).reference).toEqual(sent);
    await api.backtestAlertRule('p1', baseline, { from: '2 days ago', to: 'now' }).catch(() => undefined);
    expect(JSON.parse(calls[2]!.body!)).toMatchObject({ rule: { reference: sent }, from: '2 days ago', to: 'now' });
  });

  it('turns a 400 into an error carrying the server message', async () => {
    const api = createApiClient({
      token: 't',
      fetch: fakeFetch(400, { error: 'bad_request', message: 'windowMs: too small' }),
    });
    const err = await api.updateAlertRule('p1', 'r1', input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    expect((err as ApiError).message).toBe('windowMs: too small');
  });

  it('escapes rule IDs, returns null for an unknown rule, and deletes with DELETE', async () => {
    const calls: Call[] = [];
    const missing = createApiClient({ token: 't', fetch: fakeFetch(404, { error: 'not_found', message: 'x' }, calls) });
    expect(await missing.getAlertRule('p1', 'a/b')).toBeNull();
    expect(calls[0]!.url).toBe('/api/alerts/rules/a%2Fb?project=p1');
    const del = createApiClient({ token: 't', fetch: fakeFetch(204, undefined, calls) });
    await del.deleteAlertRule('p1', 'r1');
    expect(calls[1]).toMatchObject({ url: '/api/alerts/rules/r1?project=p1', method: 'DELETE' });
  });

  it('fails loudly on a series that does not match the contract', async () => {
    const api = createApiClient({ token: 't', fetch: fakeFetch(200, { metric: 'tool_mix', kind: 'x' }) });
    await expect(api.driftSeries(new URLSearchParams({ metric: 'tool_mix' }))).rejects.toThrow(/kind/);
  });

  it('reads a rule wrapped as { rule } and a dry-run evaluation', async () => {
    const got = await createApiClient({ token: 't', fetch: fakeFetch(200, { rule }) }).getAlertRule('p1', 'r1');
    expect(got?.state).toBe('ok');
    const calls: Call[] = [];
    const evaluation = {
      ruleId: 'r1',
      windowEndNs: '1763700060000000000',
      window: { fromNs: '1763700000000000000', toNs: '1763700060000000000', label: 'last 1m' },
      reference: { fromNs: '1', toNs: '2', label: 'baseline' },
      outcome: 'breach',
      wouldBe: 'firing',
      summary: 'send_email 0% → 80% of tool calls',
      results: [],
      exampleRuns: { reference: [], current: [] },
    };
    const api = createApiClient({ token: 't', fetch: fakeFetch(200, { rule, evaluation }, calls) });
    const r = await api.evaluateAlertRule('p1', 'r1');
    expect(calls[0]).toMatchObject({ url: '/api/alerts/rules/r1/evaluate?project=p1', method: 'POST' });
    expect(r.wouldBe).toBe('firing');
    expect(r.summary).toContain('send_email');
  });
});
