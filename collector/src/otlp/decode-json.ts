import { BadInputError } from '../errors/errors.js';
import type { AttrMap, AttrValue, DecodedEvent, DecodedRequest, DecodeLimits } from './decoded.js';
import { newAttrMap } from './decoded.js';
import { checkAttributes, checkIds, checkTimes, createCollector, SpanRejected } from './span-validator.js';

const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

/**
 * Decode an OTLP/JSON ExportTraceServiceRequest (protobuf JSON mapping: lowerCamelCase fields,
 * hex IDs, 64-bit integers as strings or numbers, unknown fields ignored).
 */
export function decodeJsonTraces(text: string, limits: DecodeLimits): DecodedRequest {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new BadInputError(`body is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (!isObject(doc)) throw new BadInputError('body must be a JSON object (ExportTraceServiceRequest)');
  const resourceSpans = optionalArray(doc.resourceSpans, 'resourceSpans');
  const out = createCollector();
  resourceSpans.forEach((rs, i) => {
    const where = `resourceSpans[${i}]`;
    if (!isObject(rs)) throw new BadInputError(`${where} must be an object`);
    const scopeSpans = optionalArray(rs.scopeSpans, `${where}.scopeSpans`);
    let resource: AttrMap;
    let resourceDropped = 0;
    try {
      const res = rs.resource;
      resource = attrMap(isObject(res) ? res.attributes : undefined, limits.maxValueDepth, `${where}.resource`);
      resourceDropped = checkAttributes(resource, limits, 'resource');
    } catch (err) {
      for (const ss of scopeSpans)
        for (const _ of isObject(ss) ? optionalArray(ss.spans, '') : []) out.reject(where, err);
      return;
    }
    scopeSpans.forEach((ss, j) => {
      const sw = `${where}.scopeSpans[${j}]`;
      if (!isObject(ss)) throw new BadInputError(`${sw} must be an object`);
      const scope = isObject(ss.scope) ? ss.scope : {};
      optionalArray(ss.spans, `${sw}.spans`).forEach((span, k) => {
        const pw = `${sw}.spans[${k}]`;
        try {
          if (!isObject(span)) throw new SpanRejected('span must be an object');
          const traceId = hexId(span.traceId, 'traceId');
          const spanId = hexId(span.spanId, 'spanId');
          const parentSpanId = hexId(span.parentSpanId, 'parentSpanId');
          checkIds(traceId, spanId, parentSpanId);
          const startNs = uint64(span.startTimeUnixNano, 'startTimeUnixNano');
          const endNs = uint64(span.endTimeUnixNano, 'endTimeUnixNano');
          checkTimes(startNs, endNs);
          const attributes = attrMap(span.attributes, limits.maxValueDepth, 'attributes');
          let dropped = resourceDropped + checkAttributes(attributes, limits, 'span');
          const events: DecodedEvent[] = optionalArray(span.events, 'events').map((e, n) => {
            if (!isObject(e)) throw new SpanRejected(`events[${n}] must be an object`);
            const ea = attrMap(e.attributes, limits.maxValueDepth, `events[${n}].attributes`);
            dropped += checkAttributes(ea, limits, 'event');
            return { timeNs: uint64(e.timeUnixNano, `events[${n}].timeUnixNano`), name: str(e.name), attributes: ea };
          });
          const status = isObject(span.status) ? span.status : {};
          out.spans.push({
            traceId,
            spanId,
            parentSpanId,
            name: str(span.name),
            kind: enumValue(span.kind, SPAN_KINDS, 'kind', 5),
            startNs,
            endNs: endNs === 0n ? startNs : endNs,
            attributes,
            events,
            statusCode: enumValue(status.code, STATUS_CODES, 'status.code', 2),
            statusMessage: str(status.message),
            resource,
            scopeName: str(scope.name),
            scopeVersion: str(scope.version),
            ...(dropped > 0 ? { droppedAttributes: dropped } : {}),
          });
        } catch (err) {
          if (err instanceof SpanRejected || err instanceof Error) out.reject(pw, err);
          else throw err;
        }
      });
    });
  });
  return { spans: out.spans, rejected: out.rejected, reasons: out.reasons };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalArray(v: unknown, where: string): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new BadInputError(`${where} must be an array`);
  return v;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function hexId(v: unknown, field: string): string {
  if (v === undefined || v === null || v === '') return '';
  if (typeof v !== 'string') throw new SpanRejected(`${field} must be a hex string`);
  return v.toLowerCase();
}

function uint64(v: unknown, field: string): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return BigInt(Math.trunc(v));
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return BigInt(v);
  throw new SpanRejected(`${field} must be an unsigned 64-bit integer (decimal string or number)`);
}

function enumValue(v: unknown, names: Record<string, number>, field: string, max: number): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max) return v;
  if (typeof v === 'string' && v in names) return names[v] as number;
  throw new SpanRejected(`${field} must be an integer enum value from 0 to ${max}`);
}

function attrMap(kvs: unknown, depth: number, where: string): AttrMap {
  const map = newAttrMap();
  for (const kv of optionalArray(kvs, where)) {
    if (!isObject(kv) || typeof kv.key !== 'string') throw new SpanRejected(`${where}: every entry needs a string key`);
    map[kv.key] = anyValue(kv.value, depth, where);
  }
  return map;
}

function anyValue(v: unknown, depth: number, where: string): AttrValue {
  if (v === undefined || v === null) return null;
  if (!isObject(v)) throw new SpanRejected(`${where}: attribute value must be an AnyValue object`);
  if (depth <= 0) throw new SpanRejected(`${where}: attribute value nested too deeply`);
  if ('stringValue' in v) return str(v.stringValue);
  if ('boolValue' in v) return v.boolValue === true;
  if ('intValue' in v) {
    const raw = v.intValue;
    if (typeof raw === 'number' && Number.isInteger(raw)) return raw;
    if (typeof raw === 'string' && /^-?\d{1,20}$/.test(raw)) {
      const big = BigInt(raw);
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
    throw new SpanRejected(`${where}: intValue must be an integer`);
  }
  if ('doubleValue' in v) {
    const d = v.doubleValue;
    if (typeof d === 'number') return d;
    if (d === 'NaN' || d === 'Infinity' || d === '-Infinity') return Number(d);
    throw new SpanRejected(`${where}: doubleValue must be a number`);
  }
  if ('arrayValue' in v) {
    const av = v.arrayValue;
    return optionalArray(isObject(av) ? av.values : undefined, where).map((x) => anyValue(x, depth - 1, where));
  }
  if ('kvlistValue' in v) {
    const kv = v.kvlistValue;
    return attrMap(isObject(kv) ? kv.values : undefined, depth - 1, where);
  }
  if ('bytesValue' in v) return str(v.bytesValue);
  return null;
}
