import { describe, expect, it } from 'vitest';
import { createApiClient } from './api-client';
import type { ApiError } from './http';

interface Call {
  url: string;
  auth: string | null;
}

function fakeFetch(status: number, body: unknown, calls: Call[] = []): typeof fetch {
  return async (input, init) => {
    calls.push({ url: String(input), auth: new Headers(init?.headers).get('authorization') });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  };
}

const summary = {
  traceId: '0af7651916cd43dd8448eb211c80319c',
  startNs: '1763743387123456789',
  endNs: '1763743388123456789',
  name: 'invoke_agent billing',
  serviceName: 'billing',
  agentName: 'billing',
  agentVersion: '1.2.0',
  conversationId: '',
  status: 'ok',
  stepCount: 3,
  errorCount: 0,
  toolNames: ['send_email'],
  promptVersion: 'p-7',
  policyVersion: 'pol-2',
  models: ['gpt-4.1'],
  inputTokens: 120,
  outputTokens: 30,
  runInput: 'refund order 42',
  findingCount: 1,
};

describe('createApiClient', () => {
  it('sends the bearer token and parses nanosecond strings into exact bigints', async () => {
    const calls: Call[] = [];
    const api = createApiClient({
      token: 'tok-1',
      fetch: fakeFetch(200, { runs: [summary], nextCursor: 'c2' }, calls),
    });
    const page = await api.listRuns(new URLSearchParams({ project: 'acme', limit: '50' }));
    expect(calls).toEqual([{ url: '/api/runs?project=acme&limit=50', auth: 'Bearer tok-1' }]);
    expect(page.nextCursor).toBe('c2');
    expect(page.runs[0]!.startNs).toBe(1763743387123456789n);
    expect(page.runs[0]!.endNs - page.runs[0]!.startNs).toBe(1_000_000_000n);
  });

  it('returns null for an unknown run and escapes the trace ID in the path', async () => {
    const calls: Call[] = [];
    const api = createApiClient({
      token: 't',
      fetch: fakeFetch(404, { error: 'not_found', message: 'no such run' }, calls),
    });
    expect(await api.getRun('acme', '../admin', undefined)).toBeNull();
    expect(calls[0]!.url).toBe('/api/runs/..%2Fadmin?project=acme');
  });

  it('rejects a response that does not match the schema, naming the field', async () => {
    const api = createApiClient({
      token: 't',
      fetch: fakeFetch(200, { runs: [{ ...summary, startNs: 1763743387 }] }),
    });
    const err = (await api.listRuns(new URLSearchParams()).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('bad-response');
    expect(err.message).toContain('runs.0.startNs');
    expect(err.cause).toBeDefined();
  });

  it('parses a lookup into run summaries', async () => {
    const calls: Call[] = [];
    const api = createApiClient({ token: 't', fetch: fakeFetch(200, { runs: [summary] }, calls) });
    const runs = await api.lookup('acme', 'document', 'doc 1');
    expect(calls[0]!.url).toBe('/api/lookup/document/doc%201?project=acme');
    expect(runs.map((r) => r.traceId)).toEqual([summary.traceId]);
  });
});
