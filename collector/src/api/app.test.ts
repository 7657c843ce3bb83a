import { gzipSync } from 'node:zlib';
import { runDetailSchema, runPageSchema } from '@casefile/contract';
import { beforeEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../errors/errors.js';
import { ExportTraceServiceRequest, ExportTraceServiceResponse, RpcStatus } from '../otlp/otlp-proto.js';
import { createMemoryStore } from '../testing/memory-store.js';
import { jsonRequest } from '../testing/otlp-fixtures.js';
import { createTestApp } from '../testing/test-app.js';

const INGEST = 'cf_ingest_test_key_0123456789';
const LOGIN = 'cf_login_test_token_0123456789';
const OTHER_LOGIN = 'cf_login_other_project_token_01';

async function setup(opts: { maxBodyBytes?: number; failWrites?: boolean } = {}) {
  const store = createMemoryStore();
  const writer = {
    write: async (steps: Parameters<typeof store.writeSteps>[0]) => {
      if (opts.failWrites) throw new StoreUnavailableError('connection refused');
      await store.writeSteps(steps);
    },
  };
  const { app } = await createTestApp({
    store,
    writer,
    maxBodyBytes: opts.maxBodyBytes ?? 1024 * 1024,
    credentials: [
      { token: INGEST, kind: 'ingest', role: 'admin', name: 'test' },
      { token: LOGIN, role: 'admin', name: 'test' },
      { token: OTHER_LOGIN, role: 'admin', name: 'test', projectIds: ['p2'] },
    ],
  });
  return { app, store };
}

const post = (app: Awaited<ReturnType<typeof setup>>['app'], body: BodyInit, headers: Record<string, string> = {}) =>
  app.request('/v1/traces', {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST}`, ...headers },
  });

describe('POST /v1/traces', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  beforeEach(async () => {
    ctx = await setup();
  });

  it('stores a JSON request and answers 200 with an empty JSON response', async () => {
    const res = await post(ctx.app, JSON.stringify(jsonRequest([{ name: 'root' }, { name: 'child' }])));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(await res.json()).toEqual({});
    expect(ctx.store.steps.size).toBe(2);
  });

  it('answers protobuf with protobuf, and decodes gzip', async () => {
    const msg = ExportTraceServiceRequest.create({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId: Buffer.from('1'.repeat(32), 'hex'),
                  spanId: Buffer.from('2'.repeat(16), 'hex'),
                  name: 'x',
                  startTimeUnixNano: '1000',
                },
              ],
            },
          ],
        },
      ],
    });
    const body = gzipSync(ExportTraceServiceRequest.encode(msg).finish());
    const res = await post(ctx.app, body, { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    const decoded = ExportTraceServiceResponse.decode(new Uint8Array(await res.arrayBuffer())).toJSON();
    expect(decoded.partialSuccess).toBeUndefined();
    expect(ctx.store.steps.size).toBe(1);
  });

  it('reports partial success when some spans are invalid', async () => {
    const req = jsonRequest([{ name: 'ok' }, { traceId: 'zz', name: 'bad' }]);
    const res = await post(ctx.app, JSON.stringify(req));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
    expect(body.partialSuccess.rejectedSpans).toBe('1');
    expect(body.partialSuccess.errorMessage).toMatch(/traceId/);
    expect(ctx.store.steps.size).toBe(1);
  });

  it.each([
    ['no key', { authorization: '' }, 401, /missing Authorization/],
    ['an unknown key', { authorization: 'Bearer cf_ingest_nope_nope_nope' }, 401, /unknown or revoked/],
    ['a login token', { authorization: `Bearer ${LOGIN}` }, 401, /login token/],
    ['an unsupported content type', { 'content-type': 'text/plain' }, 415, /Content-Type/],
    ['an unsupported encoding', { 'content-encoding': 'br' }, 415, /Content-Encoding/],
  ])('rejects %s with a clear 4xx', async (_name, headers, status, message) => {
    const res = await post(ctx.app, JSON.stringify(jsonRequest([{}])), headers as Record<string, string>);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { message: string }).message).toMatch(message);
    expect(ctx.store.steps.size).toBe(0);
  });

  it('answers garbage protobuf with a 400 google.rpc.Status body', async () => {
    const res = await post(ctx.app, new Uint8Array([0xff, 0xff, 0xff, 0x01, 0x02]), {
      'content-type': 'application/x-protobuf',
    });
    expect(res.status).toBe(400);
    const status = RpcStatus.decode(new Uint8Array(await res.arrayBuffer())) as unknown as { message: string };
    expect(status.message).toMatch(/not a valid OTLP/);
  });

  it('answers 400 when every span has wrong IDs', async () => {
    const res = await post(ctx.app, JSON.stringify(jsonRequest([{ traceId: '00', spanId: '11' }])));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toMatch(/all 1 spans were rejected: .*traceId/);
  });

  it('answers 413 for bodies over the limit, also after decompression', async () => {
    const small = await setup({ maxBodyBytes: 2000 });
    const big = JSON.stringify(jsonRequest([{ attributes: { pad: 'a'.repeat(50_000) } }]));
    expect((await post(small.app, big)).status).toBe(413);
    const bomb = gzipSync(Buffer.from(big));
    expect(bomb.length).toBeLessThan(2000);
    const res = await post(small.app, bomb, { 'content-encoding': 'gzip' });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { message: string }).message).toMatch(/decompressed body/);
  });

  it('answers 503 with Retry-After when the store cannot take the write', async () => {
    const failing = await setup({ failWrites: true });
    const res = await post(failing.app, JSON.stringify(jsonRequest([{}])));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
  });
});

describe('query API', () => {
  it('lists runs and returns one run with all its steps, for a login token only', async () => {
    const { app } = await setup();
    const traceId = 'f'.repeat(32);
    const now = BigInt(Date.now()) * 1_000_000n;
    await post(
      app,
      JSON.stringify(
        jsonRequest([
          {
            traceId,
            spanId: '1'.repeat(16),
            name: 'invoke_agent support',
            start: now,
            attributes: { 'gen_ai.agent.name': 'support' },
          },
          {
            traceId,
            spanId: '2'.repeat(16),
            parentSpanId: '1'.repeat(16),
            name: 'execute_tool lookup',
            start: now + 10n,
            attributes: { 'gen_ai.tool.name': 'lookup', 'gen_ai.operation.name': 'execute_tool' },
          },
        ]),
      ),
    );
    const auth = { authorization: `Bearer ${LOGIN}` };
    const list = await app.request('/api/runs?limit=10', { headers: auth });
    expect(list.status).toBe(200);
    const page = runPageSchema.parse(await list.json());
    expect(page.runs.map((r) => r.traceId)).toEqual([traceId]);
    expect(page.runs[0]?.toolNames).toEqual(['lookup']);
    expect(page.total).toBeUndefined();
    const counted = runPageSchema.parse(
      await (await app.request('/api/runs?limit=10&sort=-duration&count=true', { headers: auth })).json(),
    );
    expect(counted.total).toBe(1);
    expect(counted.runs.map((r) => r.traceId)).toEqual([traceId]);
    const one = await app.request(`/api/runs/${traceId}`, { headers: auth });
    const detail = runDetailSchema.parse(await one.json());
    expect(detail.steps.map((s) => s.name)).toEqual(['invoke_agent support', 'execute_tool lookup']);
    expect((await app.request('/api/runs', { headers: { authorization: `Bearer ${INGEST}` } })).status).toBe(401);
    expect((await app.request('/api/runs')).status).toBe(401);
    const other = await app.request(`/api/runs/${traceId}?project=p1`, {
      headers: { authorization: `Bearer ${OTHER_LOGIN}` },
    });
    expect(other.status).toBe(403);
  });

  it('answers bad parameters with 400 and unknown runs with 404', async () => {
    const { app } = await setup();
    const auth = { authorization: `Bearer ${LOGIN}` };
    expect((await app.request('/api/runs?limit=0', { headers: auth })).status).toBe(400);
    expect((await app.request('/api/runs?from=yesterday', { headers: auth })).status).toBe(400);
    const sort = await app.request('/api/runs?sort=name', { headers: auth });
    expect(sort.status).toBe(400);
    expect(await sort.text()).toContain('sort must be one of start, duration, tokens, severity');
    expect((await app.request('/api/runs?count=yes', { headers: auth })).status).toBe(400);
    expect((await app.request('/api/runs?sort=-tokens&cursor=bm9wZQ', { headers: auth })).status).toBe(400);
    expect((await app.request('/api/findings?order=worst', { headers: auth })).status).toBe(400);
    expect((await app.request('/api/findings?minSeverity=bad', { headers: auth })).status).toBe(400);
    expect((await app.request('/api/runs/not-a-trace', { headers: auth })).status).toBe(400);
    const missing = await app.request(`/api/runs/${'e'.repeat(32)}`, { headers: auth });
    expect(missing.status).toBe(404);
  });

  it('sends a strict Content-Security-Policy on every response', async () => {
    const { app } = await setup();
    const res = await app.request('/runs/abc');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });
});
