/**
 * The receiver's intermediate form: what both the protobuf and the JSON decoder produce, already
 * validated (IDs are lower-case hex of the right length, times are bigint ns). Attribute maps are
 * null-prototype objects because their keys are attacker-chosen (`__proto__` must stay a plain key).
 */
export type AttrValue = string | number | boolean | bigint | null | AttrValue[] | AttrMap;
export type AttrMap = { [key: string]: AttrValue };

export interface DecodedEvent {
  timeNs: bigint;
  name: string;
  attributes: AttrMap;
}

export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: AttrMap;
  events: DecodedEvent[];
  statusCode: number;
  statusMessage: string;
  resource: AttrMap;
  scopeName: string;
  scopeVersion: string;
  /** Attributes the decoder dropped over its count limit (span, events and resource together). */
  droppedAttributes?: number;
}

export interface DecodedRequest {
  spans: DecodedSpan[];
  /** Spans that failed validation, with the first few reasons (for partial success / 400). */
  rejected: number;
  reasons: string[];
}

export interface DecodeLimits {
  /** Largest single attribute value (string or bytes), in bytes. */
  maxAttributeValueBytes: number;
  /** Most attributes kept on one span, one event or one resource (the rest are dropped and noted). */
  maxAttributesPerSpan: number;
  /** Deepest nesting of array/kvlist values. */
  maxValueDepth: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxAttributeValueBytes: 1024 * 1024,
  maxAttributesPerSpan: 1024,
  maxValueDepth: 16,
};

export function newAttrMap(): AttrMap {
  return Object.create(null) as AttrMap;
}
