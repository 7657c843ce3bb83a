import type { AttrMap, AttrValue, DecodedRequest, DecodedSpan, DecodeLimits } from './decoded.js';

/** Thrown for one span; the decoders count it as rejected and keep going with the others. */
export class SpanRejected extends Error {
  override name = 'SpanRejected';
}

const MAX_REASONS = 5;

export function createCollector(): DecodedRequest & { reject(where: string, err: unknown): void } {
  const out = {
    spans: [] as DecodedSpan[],
    rejected: 0,
    reasons: [] as string[],
    reject(where: string, err: unknown) {
      out.rejected += 1;
      if (out.reasons.length < MAX_REASONS)
        out.reasons.push(`${where}: ${err instanceof Error ? err.message : String(err)}`);
    },
  };
  return out;
}

const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

export function checkIds(traceId: string, spanId: string, parentSpanId: string): void {
  if (traceId.length !== 32 || !/^[0-9a-f]{32}$/.test(traceId)) {
    throw new SpanRejected('traceId must be 16 bytes (32 hex characters)');
  }
  if (traceId === ZERO_TRACE) throw new SpanRejected('traceId must not be all zeros');
  if (spanId.length !== 16 || !/^[0-9a-f]{16}$/.test(spanId)) {
    throw new SpanRejected('spanId must be 8 bytes (16 hex characters)');
  }
  if (spanId === ZERO_SPAN) throw new SpanRejected('spanId must not be all zeros');
  if (parentSpanId !== '' && !/^[0-9a-f]{16}$/.test(parentSpanId)) {
    throw new SpanRejected('parentSpanId must be empty or 8 bytes (16 hex characters)');
  }
}

const MAX_NS = (1n << 64n) - 1n;

export function checkTimes(startNs: bigint, endNs: bigint): void {
  if (startNs <= 0n) throw new SpanRejected('startTimeUnixNano must be set');
  if (startNs > MAX_NS || endNs > MAX_NS) throw new SpanRejected('time does not fit in 64 bits');
  if (endNs !== 0n && endNs < startNs) throw new SpanRejected('endTimeUnixNano is before startTimeUnixNano');
}

// A key with a numeric segment (`retrieval.documents.17.document.id`): one entry of a flattened list.
const NUMBERED_KEY = /\.\d+(\.|$)/;

/**
 * Size checks that apply to every attribute map (span, event, resource), and the count limit. A value over
 * the size limit rejects the span; a map over the count limit keeps its plain keys and then its numbered
 * list entries, in order, up to the limit (as OTel SDKs drop attributes over their limits) and answers how
 * many it dropped, which normalisation notes on the step.
 */
export function checkAttributes(attrs: AttrMap, limits: DecodeLimits, what: string): number {
  let count = 0;
  for (const key in attrs) {
    count += 1;
    if (key.length > 1024) throw new SpanRejected(`${what} attribute key longer than 1024 characters`);
    const size = valueSize(attrs[key] as AttrValue);
    if (size > limits.maxAttributeValueBytes) {
      throw new SpanRejected(
        `${what} attribute "${key.slice(0, 64)}" is ${size} bytes, over the limit of ${limits.maxAttributeValueBytes}`,
      );
    }
  }
  if (count <= limits.maxAttributesPerSpan) return 0;
  let room = limits.maxAttributesPerSpan;
  const numbered: string[] = [];
  for (const key in attrs) {
    if (NUMBERED_KEY.test(key)) numbered.push(key);
    else if (room > 0) room -= 1;
    else delete attrs[key];
  }
  for (const key of numbered.slice(room)) delete attrs[key];
  return count - limits.maxAttributesPerSpan;
}

function valueSize(v: AttrValue): number {
  if (typeof v === 'string') return v.length;
  if (v === null || typeof v !== 'object') return 8;
  let n = 0;
  if (Array.isArray(v)) for (const x of v) n += valueSize(x);
  else for (const k in v) n += k.length + valueSize(v[k] as AttrValue);
  return n;
}
