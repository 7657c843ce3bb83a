import { context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { Target } from './common.js';

/** An unchanged OTLP/HTTP exporter pointed at the collector, as a user of any SDK would configure it. */
export function exporterFor(t: Target, encoding: 'protobuf' | 'json' = 'protobuf'): SpanExporter {
  const options = { url: `${t.url}/v1/traces`, headers: { authorization: `Bearer ${t.key}` } };
  return encoding === 'json' ? new JsonExporter(options) : new ProtoExporter(options);
}

/** A global Node tracer provider (what instrumentations that use the global API record into). */
export function registerProvider(
  serviceName: string,
  processors: SpanProcessor[],
): { provider: NodeTracerProvider; shutdown: () => Promise<void> } {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: processors,
  });
  provider.register();
  return {
    provider,
    shutdown: async () => {
      await provider.forceFlush();
      await provider.shutdown();
    },
  };
}

export function simpleExport(t: Target, encoding: 'protobuf' | 'json' = 'protobuf'): SpanProcessor {
  return new SimpleSpanProcessor(exporterFor(t, encoding));
}

/** Runs `fn` inside a plain span, as a web framework's request span would wrap an agent call. */
export async function withRequestSpan<T>(name: string, fn: (traceId: string) => Promise<T>): Promise<T> {
  const tracer = trace.getTracer('http-server');
  const span = tracer.startSpan(name, { attributes: { 'http.request.method': 'POST', 'http.route': '/api/refund' } });
  try {
    return await context.with(trace.setSpan(context.active(), span), () => fn(span.spanContext().traceId));
  } finally {
    span.end();
  }
}

/** Remembers the trace ID of every root span that ends, in order: one per recorded run. */
export function rootTraceRecorder(): { processor: SpanProcessor; traceIds: string[] } {
  const traceIds: string[] = [];
  const processor: SpanProcessor = {
    onStart() {},
    onEnd(span) {
      if (!span.parentSpanContext && !traceIds.includes(span.spanContext().traceId)) {
        traceIds.push(span.spanContext().traceId);
      }
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
  return { processor, traceIds };
}
