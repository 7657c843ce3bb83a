/** Builders for OTLP/JSON requests in tests. */
export interface JsonSpanInput {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  start?: bigint;
  end?: bigint;
  attributes?: Record<string, string | number | boolean | string[]>;
  status?: number;
  events?: { name: string; attributes?: Record<string, string> }[];
}

let counter = 0;
export function hexId(bytes: number, seed = ++counter): string {
  return (seed.toString(16).padStart(4, '0') + 'ab'.repeat(bytes)).slice(0, bytes * 2);
}

export function jsonValue(v: string | number | boolean | string[]): Record<string, unknown> {
  if (Array.isArray(v)) return { arrayValue: { values: v.map((x) => ({ stringValue: x })) } };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
}

export function jsonAttrs(attrs: Record<string, string | number | boolean | string[]> = {}) {
  return Object.entries(attrs).map(([key, v]) => ({ key, value: jsonValue(v) }));
}

export function jsonRequest(spans: JsonSpanInput[], resource: Record<string, string> = { 'service.name': 'svc' }) {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceSpans: [
      {
        resource: { attributes: jsonAttrs(resource) },
        scopeSpans: [
          {
            scope: { name: 'test', version: '1' },
            spans: spans.map((s) => ({
              traceId: s.traceId ?? hexId(16),
              spanId: s.spanId ?? hexId(8),
              parentSpanId: s.parentSpanId ?? '',
              name: s.name ?? 'span',
              kind: 1,
              startTimeUnixNano: String(s.start ?? now),
              endTimeUnixNano: String(s.end ?? (s.start ?? now) + 1_000_000n),
              attributes: jsonAttrs(s.attributes),
              events: (s.events ?? []).map((e) => ({
                timeUnixNano: String(now),
                name: e.name,
                attributes: jsonAttrs(e.attributes),
              })),
              status: { code: s.status ?? 0 },
            })),
          },
        ],
      },
    ],
  };
}
