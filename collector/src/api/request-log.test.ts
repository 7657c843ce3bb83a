import { describe, expect, it } from 'vitest';
import { captureLogger } from '../testing/capture-logger.js';
import { createTestApp, logins } from '../testing/test-app.js';

const ADMIN = 'admin-token-0123456789';

describe('request log', () => {
  it('logs one line per API request with method, path, status, duration and caller, never the query string', async () => {
    const { log, lines } = captureLogger('info');
    const { request } = await createTestApp({ log, credentials: logins({ admin: ADMIN }) });
    const res = await request(ADMIN, '/api/runs?q=alice%40example.com');
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'info',
      method: 'GET',
      path: '/api/runs',
      status: 200,
      caller: 'admin user',
      requestId,
    });
    expect(typeof lines[0]?.ms).toBe('number');
    expect(JSON.stringify(lines)).not.toContain('alice');
  });

  it('warns on client errors, keeps a plain caller request ID and replaces a hostile one', async () => {
    const { log, lines } = captureLogger('info');
    const { app } = await createTestApp({ log });
    const kept = await app.request('/api/runs', { headers: { 'x-request-id': 'req-42.a:b' } });
    expect(kept.status).toBe(401);
    expect(kept.headers.get('x-request-id')).toBe('req-42.a:b');
    const hostile = await app.request('/api/runs', { headers: { 'x-request-id': 'x\u001b[31m injected' } });
    expect(hostile.headers.get('x-request-id')).not.toContain('injected');
    expect(lines.map((l) => [l.level, l.status, l.requestId])).toEqual([
      ['warn', 401, 'req-42.a:b'],
      ['warn', 401, hostile.headers.get('x-request-id')],
    ]);
  });

  it('logs successful ingest at debug only, and a server error with its stack', async () => {
    const { log, lines } = captureLogger('debug');
    const { app } = await createTestApp({
      log,
      credentials: [{ token: 'ingest-key-0123456789', kind: 'ingest' }],
      writer: {
        write: async () => {
          throw new Error('disk on fire');
        },
      },
    });
    const body = JSON.stringify({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '0af7651916cd43dd8448eb211c80319c',
                  spanId: 'b7ad6b7169203331',
                  name: 'invoke_agent a',
                  startTimeUnixNano: '1',
                  endTimeUnixNano: '2',
                },
              ],
            },
          ],
        },
      ],
    });
    const res = await app.request('/v1/traces', {
      method: 'POST',
      headers: { authorization: 'Bearer ingest-key-0123456789', 'content-type': 'application/json' },
      body,
    });
    expect(res.status).toBe(500);
    const failed = lines.find((l) => l.msg === 'ingest failed');
    expect(failed?.level).toBe('error');
    expect(String((failed?.err as { stack?: string })?.stack)).toContain('disk on fire');
    expect(lines.at(-1)).toMatchObject({ level: 'error', method: 'POST', path: '/v1/traces', status: 500 });
    const health = await app.request('/healthz');
    expect(health.status).toBe(200);
    expect(lines.at(-1)).toMatchObject({ level: 'debug', path: '/healthz', status: 200 });
  });
});
