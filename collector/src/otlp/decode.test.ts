import { describe, expect, it } from 'vitest';
import { BadInputError } from '../errors/errors.js';
import { jsonRequest } from '../testing/otlp-fixtures.js';
import { decodeJsonTraces } from './decode-json.js';
import { decodeProtobufTraces } from './decode-protobuf.js';
import { DEFAULT_DECODE_LIMITS } from './decoded.js';
import { ExportTraceServiceRequest } from './otlp-proto.js';

const TRACE = '5b8efff798038103d269b633813fc60c';
const SPAN = 'eee19b7ec3c1b174';

function protoRequest(span: Record<string, unknown>) {
  const msg = ExportTraceServiceRequest.create({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'agent-svc' } }] },
        scopeSpans: [{ scope: { name: 's' }, spans: [span] }],
      },
    ],
  });
  return ExportTraceServiceRequest.encode(msg).finish();
}

describe('protobuf decoding', () => {
  it('decodes IDs as lower-case hex, 64-bit times exactly and typed attribute values', () => {
    const body = protoRequest({
      traceId: Buffer.from(TRACE, 'hex'),
      spanId: Buffer.from(SPAN, 'hex'),
      name: 'chat gpt-4o',
      kind: 3,
      startTimeUnixNano: '1763740800123456789',
      endTimeUnixNano: '1763740800987654321',
      attributes: [
        { key: 'gen_ai.usage.input_tokens', value: { intValue: 42 } },
        { key: 'big', value: { intValue: '9007199254740993' } },
        { key: 'negative', value: { intValue: -5 } },
        { key: 'list', value: { arrayValue: { values: [{ stringValue: 'a' }, { boolValue: true }] } } },
        { key: '__proto__', value: { stringValue: 'plain key' } },
      ],
      status: { code: 2, message: 'boom' },
    });
    const out = decodeProtobufTraces(body, DEFAULT_DECODE_LIMITS);
    expect(out.rejected).toBe(0);
    const span = out.spans[0]!;
    expect(span.traceId).toBe(TRACE);
    expect(span.spanId).toBe(SPAN);
    expect(span.startNs).toBe(1763740800123456789n);
    expect(span.endNs).toBe(1763740800987654321n);
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(42);
    expect(span.attributes.big).toBe(9007199254740993n);
    expect(span.attributes.negative).toBe(-5);
    expect(span.attributes.list).toEqual(['a', true]);
    expect(Object.getOwnPropertyDescriptor(span.attributes, '__proto__')?.value).toBe('plain key');
    expect(span.resource['service.name']).toBe('agent-svc');
    expect(span.statusCode).toBe(2);
  });

  it('rejects random bytes and truncated messages with a clear error', () => {
    const good = protoRequest({
      traceId: Buffer.from(TRACE, 'hex'),
      spanId: Buffer.from(SPAN, 'hex'),
      startTimeUnixNano: '1',
    });
    expect(() => decodeProtobufTraces(good.subarray(0, good.length - 3), DEFAULT_DECODE_LIMITS)).toThrow(BadInputError);
    const random = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7919 + 13) % 256));
    expect(() => decodeProtobufTraces(random, DEFAULT_DECODE_LIMITS)).toThrow(/not a valid OTLP/);
  });

  it('rejects spans with wrong-length or zero IDs and keeps the valid ones', () => {
    const msg = ExportTraceServiceRequest.create({
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                { traceId: Buffer.from('abcd', 'hex'), spanId: Buffer.from(SPAN, 'hex'), startTimeUnixNano: '5' },
                { traceId: Buffer.alloc(16), spanId: Buffer.from(SPAN, 'hex'), startTimeUnixNano: '5' },
                { traceId: Buffer.from(TRACE, 'hex'), spanId: Buffer.from(SPAN, 'hex'), startTimeUnixNano: '5' },
              ],
            },
          ],
        },
      ],
    });
    const out = decodeProtobufTraces(ExportTraceServiceRequest.encode(msg).finish(), DEFAULT_DECODE_LIMITS);
    expect(out.spans).toHaveLength(1);
    expect(out.rejected).toBe(2);
    expect(out.reasons[0]).toMatch(/traceId must be 16 bytes/);
    expect(out.reasons[1]).toMatch(/all zeros/);
  });
});

describe('JSON decoding', () => {
  it('accepts hex IDs in any case, int64 as strings or numbers, and ignores unknown fields', () => {
    const req = jsonRequest([{ traceId: TRACE.toUpperCase(), spanId: SPAN, attributes: { n: 7, f: 1.5, s: 'x' } }]);
    (req as Record<string, unknown>).somethingNew = { ignored: true };
    const out = decodeJsonTraces(JSON.stringify(req), DEFAULT_DECODE_LIMITS);
    expect(out.spans[0]?.traceId).toBe(TRACE);
    expect(out.spans[0]?.attributes).toMatchObject({ n: 7, f: 1.5, s: 'x' });
  });

  it('answers a malformed document with a message that names the problem', () => {
    expect(() => decodeJsonTraces('{"resourceSpans": 5}', DEFAULT_DECODE_LIMITS)).toThrow(
      /resourceSpans must be an array/,
    );
    expect(() => decodeJsonTraces('{not json', DEFAULT_DECODE_LIMITS)).toThrow(/not valid JSON/);
    expect(() => decodeJsonTraces('[]', DEFAULT_DECODE_LIMITS)).toThrow(/JSON object/);
  });

  it('rejects a span whose attribute is over the size limit or nested too deeply', () => {
    const huge = jsonRequest([{ attributes: { blob: 'x'.repeat(2000) } }]);
    const out = decodeJsonTraces(JSON.stringify(huge), { ...DEFAULT_DECODE_LIMITS, maxAttributeValueBytes: 1000 });
    expect(out.spans).toHaveLength(0);
    expect(out.reasons[0]).toMatch(/"blob" is 2000 bytes, over the limit of 1000/);
    let deep: Record<string, unknown> = { stringValue: 'leaf' };
    for (let i = 0; i < 40; i++) deep = { arrayValue: { values: [deep] } };
    const req = jsonRequest([{}]);
    const span = req.resourceSpans[0]!.scopeSpans[0]!.spans[0]! as { attributes: unknown[] };
    span.attributes = [{ key: 'deep', value: deep }];
    expect(decodeJsonTraces(JSON.stringify(req), DEFAULT_DECODE_LIMITS).reasons[0]).toMatch(/nested too deeply/);
  });

  it('keeps a span over the attribute count limit: its plain keys, then its numbered entries up to the limit', () => {
    const attributes: Record<string, unknown> = { 'openinference.span.kind': 'RETRIEVER' };
    for (let i = 0; i < 10_000; i++) attributes[`retrieval.documents.${i}.document.id`] = `doc-${i}`;
    attributes['input.value'] = 'refund policy';
    for (const decode of ['json', 'protobuf'] as const) {
      const out =
        decode === 'json'
          ? decodeJsonTraces(JSON.stringify(jsonRequest([{ attributes }])), DEFAULT_DECODE_LIMITS)
          : decodeProtobufTraces(
              protoRequest({
                traceId: Buffer.from(TRACE, 'hex'),
                spanId: Buffer.from(SPAN, 'hex'),
                name: 'retriever',
                startTimeUnixNano: '1763740800123456789',
                endTimeUnixNano: '1763740800987654321',
                attributes: Object.entries(attributes).map(([key, v]) => ({ key, value: { stringValue: v } })),
              }),
              DEFAULT_DECODE_LIMITS,
            );
      expect(out.rejected, decode).toBe(0);
      const span = out.spans[0];
      expect(Object.keys(span?.attributes ?? {}), decode).toHaveLength(DEFAULT_DECODE_LIMITS.maxAttributesPerSpan);
      expect(span?.attributes, decode).toMatchObject({
        'openinference.span.kind': 'RETRIEVER',
        'input.value': 'refund policy',
        'retrieval.documents.0.document.id': 'doc-0',
      });
      expect(span?.attributes['retrieval.documents.9999.document.id'], decode).toBeUndefined();
      expect(span?.droppedAttributes, decode).toBe(10_002 - DEFAULT_DECODE_LIMITS.maxAttributesPerSpan);
    }
  });

  it('treats an empty request as a valid request with no spans', () => {
    expect(decodeJsonTraces('{}', DEFAULT_DECODE_LIMITS)).toEqual({ spans: [], rejected: 0, reasons: [] });
  });
});
