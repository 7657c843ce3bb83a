import { describe, expect, it } from 'vitest';
import { createTestApp, logins } from '../testing/test-app.js';

const TOKENS = { admin: 'cf_login_admin_0123456789', viewer: 'cf_login_view_0123456789' };
const FINDING = 'f'.repeat(32);

async function setup() {
  const { request } = await createTestApp({ credentials: logins(TOKENS) });
  return async (role: keyof typeof TOKENS, path: string, init: RequestInit = {}) => {
    const res = await request(TOKENS[role], path, init);
    const text = await res.text();
    return { status: res.status, message: text === '' ? '' : (JSON.parse(text) as { message?: string }).message };
  };
}

describe('request validation with the contract schemas', () => {
  it('answers a bad run filter with 400 naming the parameter and what it must be', async () => {
    const call = await setup();
    expect(await call('viewer', '/api/runs?project=p1&limit=0')).toEqual({
      status: 400,
      message: 'limit must be an integer from 1 to 500',
    });
    expect((await call('viewer', '/api/runs?project=p1&from=yesterday')).message).toBe(
      'from must be an ISO-8601 time or epoch milliseconds',
    );
    expect((await call('viewer', `/api/runs?project=p1&agent=${'a'.repeat(513)}`)).message).toBe(
      'agent is longer than 512 characters',
    );
    const two = await call('viewer', '/api/runs?project=p1&status=maybe&hasFindings=yes');
    expect(two.status).toBe(400);
    expect(two.message).toBe(
      'status must be "ok" or "error"; hasFindings must be "true" (runs with open findings) or "false" (runs without)',
    );
  });

  it('takes good filters, and a repeated parameter by its first value', async () => {
    const call = await setup();
    expect((await call('viewer', '/api/runs?project=p1&limit=5&limit=x&from=2026-01-01T00:00:00Z&q=x')).status).toBe(
      200,
    );
    expect((await call('viewer', '/api/runs?project=p1&status=&hasFindings=')).status).toBe(200);
  });

  it('answers bad finding filters with 400 naming the parameter', async () => {
    const call = await setup();
    expect((await call('viewer', '/api/findings?project=p1&severity=huge')).message).toBe(
      'severity must be one of low, medium, high, critical',
    );
    expect((await call('viewer', '/api/findings?project=p1&traceId=xyz')).message).toBe(
      'traceId must be 32 hex characters',
    );
    expect((await call('viewer', '/api/findings?project=p1&status=closed')).message).toBe(
      'status must be one of open, expected, muted',
    );
    expect((await call('viewer', `/api/findings?project=p1&traceId=${'AB'.repeat(16)}`)).status).toBe(200);
  });

  it('checks the role before it reads a body, then says what the body must be', async () => {
    const call = await setup();
    const path = `/api/findings/${FINDING}/status?project=p1`;
    expect((await call('viewer', path, { method: 'POST', body: '{not json' })).status).toBe(403);
    expect(await call('admin', path, { method: 'POST', body: '{not json' })).toEqual({
      status: 400,
      message: 'body must be JSON',
    });
    expect((await call('admin', path, { method: 'POST', body: '{"status":"gone"}' })).message).toBe(
      'status must be one of "open", "expected", "muted"',
    );
    expect((await call('admin', path, { method: 'POST', body: '[]' })).message).toBe(
      'body must be {"status": "open" | "expected" | "muted"}',
    );
    expect((await call('admin', path, { method: 'POST', body: '{"status":"muted"}' })).status).toBe(404);
  });

  it('validates a key request and keeps its defaults', async () => {
    const call = await setup();
    const post = (role: keyof typeof TOKENS, body: string) => call(role, '/api/keys', { method: 'POST', body });
    expect((await post('viewer', '{"kind":"robot"}')).status).toBe(403);
    expect(await post('admin', '{"kind":"robot"}')).toEqual({
      status: 400,
      message: 'kind must be "ingest" or "login"',
    });
    expect((await post('admin', '{"role":"owner"}')).message).toBe('role must be viewer, investigator or admin');
    expect((await post('admin', 'nope')).message).toBe('body must be JSON {project?, name, kind, role?}');
    expect((await post('admin', '"text"')).message).toBe('body must be JSON {project?, name, kind, role?}');
    expect((await post('admin', '{"name":7,"role":null}')).status).toBe(201);
  });
});
