import type { Context } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';

type HrTime = [number, number];

/**
 * Sends some runs as if they had happened earlier, so a first demo leaves days of history behind.
 * `setOffset` before a run starts moves every span of that run (its trace) back by that many
 * milliseconds; the processor notes the offset of each trace when its root starts, and the exporter
 * shifts start, end and event times of its spans just before they are sent. Durations stay real.
 */
export function createBackdating(inner: SpanExporter): {
  processor: SpanProcessor;
  exporter: SpanExporter;
  setOffset(ms: number): void;
} {
  let current = 0;
  const offsets = new Map<string, number>();
  const processor: SpanProcessor = {
    onStart(span: Span, _ctx: Context) {
      const { traceId } = span.spanContext();
      if (current > 0 && !offsets.has(traceId)) offsets.set(traceId, current);
    },
    onEnd() {},
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  const exporter: SpanExporter = {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      inner.export(
        spans.map((s) => {
          const ms = offsets.get(s.spanContext().traceId);
          return ms ? shifted(s, ms) : s;
        }),
        done,
      );
    },
    shutdown: () => inner.shutdown(),
    forceFlush: () => inner.forceFlush?.() ?? Promise.resolve(),
  };
  return {
    processor,
    exporter,
    setOffset(ms) {
      current = Math.max(0, Math.round(ms));
    },
  };
}

function back(t: HrTime, ms: number): HrTime {
  const totalNs = BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]) - BigInt(ms) * 1_000_000n;
  return [Number(totalNs / 1_000_000_000n), Number(totalNs % 1_000_000_000n)];
}

/** The span with its times moved back; everything else is read through from the original. */
function shifted(span: ReadableSpan, ms: number): ReadableSpan {
  return Object.create(span, {
    startTime: { value: back(span.startTime as HrTime, ms) },
    endTime: { value: back(span.endTime as HrTime, ms) },
    events: { value: span.events.map((e) => ({ ...e, time: back(e.time as HrTime, ms) })) },
  }) as ReadableSpan;
}
