import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../lib/api-client.js';
import { type CollectorProcess, startCollectorProcess } from '../lib/collector-process.js';

/**
 * Hostile and broken input against the real collector process: every case gets a clear 4xx with a
 * message, nothing is stored, and the server keeps serving good requests afterwards.
 */
describe('bad input against a running collector', () => {
  let collector: CollectorProcess;
  beforeAll(async () => {
    collector = await startCollectorProcess({ CASEFILE_MAX_BODY_BYTES: String(4 * 1024 * 1024) });
  });
  afterAll(async () => {
    await collector?.stop();
  });

  const send = (body: BodyInit, headers: Record<string, string> = {}) =>
    fetch(`${collector.url}/v1/traces`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${collector.ingestKey}`, ...headers },
    });

  const validJson = (traceId: string, attrs: { key: string; value: unknown }[] = []) =>
    JSON.stringify({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                {
                  traceId,
                  spanId: '0102030405060708',
                  name: 'root',
                  startTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                  endTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n + 5n),
                  attributes: attrs,
                },
              ],
            },
          ],
        },
      ],
    });

  async function expectServing(): Promise<void> {
    const traceId = [...crypto.getRandomValues(new Uint8Array(16))]
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('');
    const res = await send(validJson(traceId), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    const api = createApiClient(collector.url, collector.adminToken);
    await api.waitForRuns((p) => p.runs.some((r) => r.traceId === traceId));
  }

  it.each([
    ['random bytes', () => send(new Uint8Array(4096).map((_, i) => (i * 131 + 7) % 256)), 400, /protobuf/],
    ['truncated protobuf', () => send(new Uint8Array([0x0a, 0x20, 0x12, 0x10, 0x01])), 400, /protobuf/],
    [
      'a JSON body that is not OTLP',
      () => send('{"resourceSpans":{}}', { 'content-type': 'application/json' }),
      400,
      /array/,
    ],
    ['invalid JSON', () => send('{"resourceSpans":[', { 'content-type': 'application/json' }), 400, /not valid JSON/],
    [
      'wrong IDs',
      () => send(validJson('xyz'), { 'content-type': 'application/json' }),
      400,
      /traceId must be 16 bytes/,
    ],
    [
      'a huge attribute',
      () =>
        send(
          validJson('0af7651916cd43dd8448eb211c80319c', [
            { key: 'blob', value: { stringValue: 'A'.repeat(2 * 1024 * 1024) } },
          ]),
          {
            'content-type': 'application/json',
          },
        ),
      400,
      /over the limit/,
    ],
    ['a body over the limit', () => send(new Uint8Array(5 * 1024 * 1024)), 413, /limit/],
    [
      'a gzip bomb',
      () => send(gzipSync(Buffer.alloc(50 * 1024 * 1024)), { 'content-encoding': 'gzip' }),
      413,
      /decompressed/,
    ],
    [
      'corrupt gzip',
      () => send(new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x01]), { 'content-encoding': 'gzip' }),
      400,
      /gzip/,
    ],
    ['no key', () => send('{}', { 'content-type': 'application/json', authorization: '' }), 401, /Authorization/],
    [
      'an invalid key',
      () => send('{}', { 'content-type': 'application/json', authorization: 'Bearer nope-nope-nope' }),
      401,
      /unknown/,
    ],
    [
      'the admin token used as an ingest key',
      () => send('{}', { authorization: `Bearer ${collector.adminToken}` }),
      401,
      /login token/,
    ],
  ])('%s → clear 4xx, and the server keeps serving', async (_name, request, status, message) => {
    const res = await request();
    expect(res.status).toBe(status);
    const bodyText = res.headers.get('content-type')?.includes('json')
      ? ((await res.json()) as { message: string }).message
      : await res.text();
    expect(bodyText).toMatch(message);
    await expectServing();
  });

  it('survives a stream of arbitrary bodies and headers (fuzz)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 2048 }),
        fc.constantFrom('application/x-protobuf', 'application/json', 'text/plain', ''),
        fc.constantFrom('', 'gzip', 'identity', 'zstd'),
        async (body, type, encoding) => {
          const headers: Record<string, string> = { 'content-type': type };
          if (encoding) headers['content-encoding'] = encoding;
          const res = await send(body, headers);
          await res.arrayBuffer();
          expect([200, 400, 413, 415]).toContain(res.status);
        },
      ),
      { numRuns: 150, seed: 20261121 },
    );
    await expectServing();
  });
});
