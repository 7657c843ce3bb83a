import { describe, expect, it } from 'vitest';
import { createFindingsApi } from './findings-api';
import { ApiError, createHttp, type HttpOptions, UnauthorizedError } from './http';

interface Call {
  url: string;
  method: string;
  auth: string | null;
  body: string | null;
}

function fakeFetch(status: number, body: unknown, calls: Call[] = []): typeof fetch {
  return async (input, init) => {
    calls.push({
      url: String(input),
      method: init?.method ?? 'GET',
      auth: new Headers(init?.headers).get('authorization'),
      body: typeof init?.body === 'string' ? init.body : null,
    });
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  };
}

const finding = {
  id: 'a'.repeat(32),
  traceId: 'b'.repeat(32),
  spanId: 'c'.repeat(16),
  ruleId: 'approval.hash_mismatch',
  severity: 'critical',
  reason: "Tool 'issue_refund' ran under approval 'apr_1', which was given for a different action.",
  evidence: 'approved 1e55… executed f7a2…',
  agentName: 'acme',
  toolName: 'issue_refund',
  status: 'open',
  createdNs: '1795290164691000000',
};

const findingsApi = (options: HttpOptions) => createFindingsApi(createHttp(options));

describe('createFindingsApi', () => {
  it('lists findings with the given query and the bearer token', async () => {
    const calls: Call[] = [];
    const api = findingsApi({
      token: 'tok',
      fetch: fakeFetch(200, { findings: [finding], nextCursor: 'n' }, calls),
    });
    const page = await api.list(new URLSearchParams({ project: 'p1', rule: 'approval.hash_mismatch', limit: '50' }));
    expect(calls[0]).toMatchObject({
      url: '/api/findings?project=p1&rule=approval.hash_mismatch&limit=50',
      method: 'GET',
      auth: 'Bearer tok',
    });
    expect(page.findings[0]!.reason).toBe(finding.reason);
    expect(page.nextCursor).toBe('n');
  });

  it('posts a status change as JSON to an escaped path and returns the updated finding', async () => {
    const calls: Call[] = [];
    const api = findingsApi({
      token: 't',
      fetch: fakeFetch(200, { finding: { ...finding, status: 'expected' } }, calls),
    });
    const updated = await api.setStatus('p1', '../x', 'expected');
    expect(calls[0]).toMatchObject({ url: '/api/findings/..%2Fx/status?project=p1', method: 'POST' });
    expect(JSON.parse(calls[0]!.body!)).toEqual({ status: 'expected' });
    expect(updated.status).toBe('expected');
  });

  it('saves settings with PUT and reads rules and the audit log', async () => {
    const calls: Call[] = [];
    const settings = { mutes: [{ ruleId: 'outbound.sensitive_data', tool: 'send_email' }] };
    const api = findingsApi({ token: 't', fetch: fakeFetch(200, { settings }, calls) });
    expect(await api.saveSettings('', settings)).toEqual(settings);
    expect(calls[0]).toMatchObject({ url: '/api/detection/settings', method: 'PUT' });
    expect(JSON.parse(calls[0]!.body!)).toEqual(settings);

    const view = findingsApi({
      token: 't',
      fetch: fakeFetch(200, { settings: {}, rules: [{ id: 'approval.missing' }, { id: 'volume.outlier' }] }),
    });
    expect((await view.settings('p1')).ruleIds).toEqual(['approval.missing', 'volume.outlier']);
    const audit = findingsApi({
      token: 't',
      fetch: fakeFetch(200, {
        entries: [{ timeNs: '1', actor: 'admin', action: 'settings.update', target: 'settings', detail: '{}' }],
      }),
    });
    expect((await audit.audit('p1'))[0]!.actor).toBe('admin');
  });

  it("keeps the server's message for a refused document, and its status for a missing role", async () => {
    const message = 'invalid detection settings: thresholds.flows.minScore: Too small: expected number to be >=0';
    const bad = findingsApi({ token: 't', fetch: fakeFetch(400, { error: 'bad_request', message }) });
    const refused = await bad.saveSettings('p1', {}).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).message).toBe(message);
    const viewer = findingsApi({
      token: 't',
      fetch: fakeFetch(403, { error: 'forbidden', message: 'this action needs the admin role (token has viewer)' }),
    });
    await expect(viewer.settings('p1')).rejects.toMatchObject({ status: 403, code: 'forbidden' });
  });

  it('signals a rejected token and refuses a response that breaks the schema', async () => {
    let signalled = 0;
    const expired = findingsApi({
      token: 'x',
      fetch: fakeFetch(401, { error: 'unauthorized', message: 'no' }),
      onUnauthorized: () => signalled++,
    });
    await expect(expired.setStatus('p', finding.id, 'muted')).rejects.toBeInstanceOf(UnauthorizedError);
    expect(signalled).toBe(1);
    const drifted = findingsApi({
      token: 't',
      fetch: fakeFetch(200, { findings: [{ ...finding, severity: 'urgent' }] }),
    });
    await expect(drifted.list(new URLSearchParams())).rejects.toThrow(/findings\.0\.severity/);
  });
});
