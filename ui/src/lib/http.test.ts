import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError, createHttp, nullIfNotFound, UnauthorizedError } from './http';

interface Call {
  url: string;
  method: string;
  headers: Headers;
  body: string | null;
  credentials: RequestCredentials | undefined;
}

function fakeFetch(
  status: number,
  body: unknown,
  calls: Call[] = [],
  headers: Record<string, string> = { 'content-type': 'application/json' },
): typeof fetch {
  return async (input, init) => {
    calls.push({
      url: String(input),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: typeof init?.body === 'string' ? init.body : null,
      credentials: init?.credentials,
    });
    const text = body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body);
    return new Response(status === 204 ? null : text, { status, headers });
  };
}

const pair = z.object({ a: z.number(), b: z.array(z.string()) });

describe('createHttp', () => {
  it('sends the bearer token, never cookies, and parses the body with the schema', async () => {
    const calls: Call[] = [];
    const http = createHttp({ token: 'tok-1', fetch: fakeFetch(200, { a: 1, b: ['x'] }, calls) });
    expect(await http.get('/api/thing?project=p', pair)).toEqual({ a: 1, b: ['x'] });
    expect(calls[0]!.url).toBe('/api/thing?project=p');
    expect(calls[0]!.headers.get('authorization')).toBe('Bearer tok-1');
    expect(calls[0]!.credentials).toBe('omit');
    expect(calls[0]!.headers.get('content-type')).toBeNull();
  });

  it('sends a body as JSON and accepts an empty 204', async () => {
    const calls: Call[] = [];
    const http = createHttp({ token: 't', fetch: fakeFetch(204, undefined, calls), baseUrl: 'http://c:1' });
    expect(await http.request('PUT', '/api/x', z.unknown(), { body: { on: true } })).toBeUndefined();
    expect(calls[0]).toMatchObject({ url: 'http://c:1/api/x', method: 'PUT', body: '{"on":true}' });
    expect(calls[0]!.headers.get('content-type')).toBe('application/json');
  });

  it('signals a rejected token once and throws UnauthorizedError', async () => {
    let signalled = 0;
    const http = createHttp({
      token: 'expired',
      fetch: fakeFetch(401, { error: 'unauthorized', message: 'bad token' }),
      onUnauthorized: () => signalled++,
    });
    const err = await http.get('/api/whoami', pair).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnauthorizedError);
    expect(err).toBeInstanceOf(ApiError);
    expect(signalled).toBe(1);
  });

  it("carries the server's error code and message", async () => {
    const http = createHttp({
      token: 't',
      fetch: fakeFetch(400, { error: 'bad_request', message: 'from is not ISO-8601' }),
    });
    await expect(http.request('POST', '/api/runs', pair, { body: {} })).rejects.toMatchObject({
      name: 'ApiError',
      status: 400,
      code: 'bad_request',
      message: 'from is not ISO-8601',
    });
  });

  it('survives a non-JSON error body (a proxy page) and keeps the query out of the message', async () => {
    const http = createHttp({ token: 't', fetch: fakeFetch(503, '<html>busy</html>') });
    await expect(http.get('/api/whoami?q=secret', pair)).rejects.toThrow(/^\/api\/whoami answered HTTP 503$/);
    await expect(http.request('DELETE', '/api/rules/1?project=p', pair)).rejects.toThrow(
      /^DELETE \/api\/rules\/1 answered HTTP 503$/,
    );
  });

  it('rejects a response that does not match the schema, naming the field', async () => {
    const http = createHttp({ token: 't', fetch: fakeFetch(200, { a: 1, b: ['x', 2] }) });
    const err = (await http.get('/api/thing?x=1', pair).catch((e: unknown) => e)) as ApiError;
    expect(err.code).toBe('bad-response');
    expect(err.message).toContain('/api/thing (b.1:');
    expect(err.cause).toBeDefined();
  });

  it('downloads an attachment under the name the server chose, else the fallback', async () => {
    const named = createHttp({
      token: 't',
      fetch: fakeFetch(200, '<html></html>', [], { 'content-disposition': 'attachment; filename="case-1.html"' }),
    });
    const file = await named.download('/api/cases/export?format=html', 'casefile-case.html');
    expect(file.fileName).toBe('case-1.html');
    expect(await file.blob.text()).toBe('<html></html>');
    const odd = createHttp({
      token: 't',
      fetch: fakeFetch(200, '{}', [], { 'content-disposition': 'attachment; filename="../../etc/passwd"' }),
    });
    expect((await odd.download('/api/cases/export', 'casefile-case.json')).fileName).toBe('casefile-case.json');
  });

  it('turns only a 404 into null', async () => {
    const missing = createHttp({ token: 't', fetch: fakeFetch(404, { error: 'not_found', message: 'no run' }) });
    expect(await nullIfNotFound(missing.get('/api/runs/x', pair))).toBeNull();
    const refused = createHttp({ token: 't', fetch: fakeFetch(403, { error: 'forbidden', message: 'no' }) });
    await expect(nullIfNotFound(refused.get('/api/runs/x', pair))).rejects.toMatchObject({ status: 403 });
  });
});
