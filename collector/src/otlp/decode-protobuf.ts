import { BadInputError } from '../errors/errors.js';
import type { AttrMap, AttrValue, DecodedEvent, DecodedRequest, DecodeLimits } from './decoded.js';
import { newAttrMap } from './decoded.js';
import { ExportTraceServiceRequest } from './otlp-proto.js';
import { checkAttributes, checkIds, checkTimes, createCollector } from './span-validator.js';

// Shapes protobufjs produces for our messages (camelCase fields, Long for 64-bit, Uint8Array for bytes).
interface PbLong {
  low: number;
  high: number;
}
interface PbAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: PbLong | number;
  doubleValue?: number;
  arrayValue?: { values?: PbAnyValue[] };
  kvlistValue?: { values?: PbKeyValue[] };
  bytesValue?: Uint8Array;
  value?: string;
}
interface PbKeyValue {
  key?: string;
  value?: PbAnyValue | null;
}
interface PbSpan {
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  parentSpanId?: Uint8Array;
  name?: string;
  kind?: number;
  startTimeUnixNano?: PbLong | number;
  endTimeUnixNano?: PbLong | number;
  attributes?: PbKeyValue[];
  events?: { timeUnixNano?: PbLong | number; name?: string; attributes?: PbKeyValue[] }[];
  status?: { code?: number; message?: string } | null;
}
interface PbRequest {
  resourceSpans?: {
    resource?: { attributes?: PbKeyValue[] } | null;
    scopeSpans?: { scope?: { name?: string; version?: string } | null; spans?: PbSpan[] }[];
  }[];
}

/** Decode an OTLP/protobuf ExportTraceServiceRequest. Undecodable bytes → BadInputError. */
export function decodeProtobufTraces(body: Uint8Array, limits: DecodeLimits): DecodedRequest {
  let msg: PbRequest;
  try {
    msg = ExportTraceServiceRequest.decode(body) as unknown as PbRequest;
  } catch (err) {
    throw new BadInputError(`body is not a valid OTLP ExportTraceServiceRequest protobuf: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const out = createCollector();
  (msg.resourceSpans ?? []).forEach((rs, i) => {
    let resource: AttrMap;
    let resourceDropped = 0;
    try {
      resource = toAttrMap(rs.resource?.attributes, limits.maxValueDepth);
      resourceDropped = checkAttributes(resource, limits, 'resource');
    } catch (err) {
      for (const ss of rs.scopeSpans ?? []) for (const _ of ss.spans ?? []) out.reject(`resourceSpans[${i}]`, err);
      return;
    }
    (rs.scopeSpans ?? []).forEach((ss, j) => {
      (ss.spans ?? []).forEach((span, k) => {
        try {
          const traceId = hex(span.traceId);
          const spanId = hex(span.spanId);
          const parentSpanId = hex(span.parentSpanId);
          checkIds(traceId, spanId, parentSpanId);
          const startNs = toBigInt(span.startTimeUnixNano);
          const endNs = toBigInt(span.endTimeUnixNano);
          checkTimes(startNs, endNs);
          const attributes = toAttrMap(span.attributes, limits.maxValueDepth);
          let dropped = resourceDropped + checkAttributes(attributes, limits, 'span');
          const events: DecodedEvent[] = (span.events ?? []).map((e) => {
            const ea = toAttrMap(e.attributes, limits.maxValueDepth);
            dropped += checkAttributes(ea, limits, 'event');
            return { timeNs: toBigInt(e.timeUnixNano), name: e.name ?? '', attributes: ea };
          });
          out.spans.push({
            traceId,
            spanId,
            parentSpanId,
            name: span.name ?? '',
            kind: span.kind ?? 0,
            startNs,
            endNs: endNs === 0n ? startNs : endNs,
            attributes,
            events,
            statusCode: span.status?.code ?? 0,
            statusMessage: span.status?.message ?? '',
            resource,
            scopeName: ss.scope?.name ?? '',
            scopeVersion: ss.scope?.version ?? '',
            ...(dropped > 0 ? { droppedAttributes: dropped } : {}),
          });
        } catch (err) {
          out.reject(`resourceSpans[${i}].scopeSpans[${j}].spans[${k}]`, err);
        }
      });
    });
  });
  return { spans: out.spans, rejected: out.rejected, reasons: out.reasons };
}

function hex(bytes: Uint8Array | undefined): string {
  if (!bytes || bytes.length === 0) return '';
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function toBigInt(v: PbLong | number | undefined): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'number') return BigInt(Math.trunc(v));
  // Two's-complement bits: fixed64 fields are unsigned; int64 attribute values are signed.
  return (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
}

function toAttrMap(kvs: PbKeyValue[] | undefined, depth: number): AttrMap {
  const map = newAttrMap();
  for (const kv of kvs ?? []) map[kv.key ?? ''] = toValue(kv.value, depth);
  return map;
}

function toValue(v: PbAnyValue | null | undefined, depth: number): AttrValue {
  if (!v) return null;
  if (depth <= 0) throw new Error('attribute value nested too deeply');
  switch (v.value) {
    case 'stringValue':
      return v.stringValue ?? '';
    case 'boolValue':
      return v.boolValue ?? false;
    case 'intValue': {
      const big = BigInt.asIntN(64, toBigInt(v.intValue));
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
    case 'doubleValue':
      return v.doubleValue ?? 0;
    case 'arrayValue':
      return (v.arrayValue?.values ?? []).map((x) => toValue(x, depth - 1));
    case 'kvlistValue':
      return toAttrMap(v.kvlistValue?.values, depth - 1);
    case 'bytesValue':
      return Buffer.from(v.bytesValue ?? new Uint8Array()).toString('base64');
    default:
      return null;
  }
}
