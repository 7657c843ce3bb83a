import { performance } from 'node:perf_hooks';
import { initCasefile } from '@casefile/sdk';
import { context, propagation, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  type RunData,
  recordWithCasefile,
  recordWithPlainOtel,
  runData,
  SPANS_PER_RUN,
} from './sdk-overhead-workload.js';
import { fmt, median, table } from './stats.js';

export type SdkOverheadVariant = 'plain-otel' | 'casefile' | 'casefile-no-redaction';

export interface SdkOverheadRow {
  variant: SdkOverheadVariant;
  /** Median over repetitions of (wall time to record and export the workload) / spans. */
  usPerSpan: number;
  /** Each repetition's µs per span. */
  samples: number[];
  /** Spans the exporter received in the last repetition (a check that none was dropped). */
  exportedSpans: number;
  /** usPerSpan / plain-otel's usPerSpan. */
  ratio: number;
}

export interface SdkOverheadOptions {
  runs?: number;
  reps?: number;
}

/** Serialises every batch as an OTLP/HTTP JSON exporter would, then drops it. */
function createSerialisingExporter(): SpanExporter & { spans: number; bytes: number } {
  const exporter = {
    spans: 0,
    bytes: 0,
    export(spans: ReadableSpan[], done: (r: { code: ExportResultCode }) => void) {
      const body = JSON.stringify(
        spans.map((s) => ({
          traceId: s.spanContext().traceId,
          spanId: s.spanContext().spanId,
          name: s.name,
          start: s.startTime,
          end: s.endTime,
          attributes: s.attributes,
          events: s.events,
          status: s.status,
        })),
      );
      exporter.spans += spans.length;
      exporter.bytes += body.length;
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: async () => undefined,
    forceFlush: async () => undefined,
  };
  return exporter;
}

// Both variants flush every SLICE runs: the SDK's batch processor has the default 2,048-span queue, and
// a full queue drops spans, which would count as free work. The plain processor gets the same settings.
const SLICE = Math.floor(2048 / SPANS_PER_RUN) - 1;
const QUEUE = { maxQueueSize: 2048, maxExportBatchSize: 512, scheduledDelayMillis: 1000 };

async function timePlain(data: RunData[]): Promise<{ ms: number; exported: number }> {
  const exporter = createSerialisingExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, QUEUE)] });
  provider.register();
  const tracer = trace.getTracer('bench-agent');
  try {
    const t0 = performance.now();
    for (let i = 0; i < data.length; i++) {
      await recordWithPlainOtel(tracer, data[i] as RunData);
      if ((i + 1) % SLICE === 0) await provider.forceFlush();
    }
    await provider.forceFlush();
    return { ms: performance.now() - t0, exported: exporter.spans };
  } finally {
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  }
}

async function timeCasefile(data: RunData[], redaction: boolean): Promise<{ ms: number; exported: number }> {
  const exporter = createSerialisingExporter();
  const casefile = initCasefile({
    agent: { name: 'bench-agent', version: '1.0.0' },
    exporter,
    redaction: { enabled: redaction, key: 'bench-redaction-key-0001' },
    onError: () => undefined,
  });
  try {
    const t0 = performance.now();
    for (let i = 0; i < data.length; i++) {
      await recordWithCasefile(data[i] as RunData);
      if ((i + 1) % SLICE === 0) await casefile.forceFlush();
    }
    await casefile.forceFlush();
    return { ms: performance.now() - t0, exported: exporter.spans };
  } finally {
    await casefile.shutdown();
  }
}

/**
 * Cost of recording with the Casefile SDK against the plain OpenTelemetry SDK on the same workload
 * (`runs` agent runs of 8 spans, ~1 KB tool arguments, secrets and PII in every fifth run). Each
 * variant is warmed up, then the variants take turns for `reps` repetitions; figures are medians.
 */
export async function runSdkOverheadBench(
  log: (line: string) => void,
  options: SdkOverheadOptions = {},
): Promise<SdkOverheadRow[]> {
  const runs = options.runs ?? 2000;
  const reps = options.reps ?? 5;
  const data = Array.from({ length: runs }, (_, i) => runData(i));
  const spans = runs * SPANS_PER_RUN;
  const variants: [SdkOverheadVariant, () => Promise<{ ms: number; exported: number }>][] = [
    ['plain-otel', () => timePlain(data)],
    ['casefile', () => timeCasefile(data, true)],
    ['casefile-no-redaction', () => timeCasefile(data, false)],
  ];
  const warm = data.slice(0, Math.min(300, runs));
  await timePlain(warm);
  await timeCasefile(warm, true);
  await timeCasefile(warm, false);

  const samples = new Map<SdkOverheadVariant, number[]>(variants.map(([v]) => [v, []]));
  const exported = new Map<SdkOverheadVariant, number>();
  for (let r = 0; r < reps; r++) {
    for (const [variant, fn] of variants) {
      const { ms, exported: n } = await fn();
      samples.get(variant)?.push((ms * 1000) / spans);
      exported.set(variant, n);
    }
  }
  const base = median(samples.get('plain-otel') ?? []);
  const rows: SdkOverheadRow[] = variants.map(([variant]) => {
    const s = samples.get(variant) ?? [];
    return {
      variant,
      usPerSpan: median(s),
      samples: s,
      exportedSpans: exported.get(variant) ?? 0,
      ratio: median(s) / base,
    };
  });
  log(`${runs} runs × ${SPANS_PER_RUN} spans = ${spans} spans per repetition; median of ${reps} after a warm-up`);
  log(
    table([
      ['variant', 'µs/span', 'min–max', 'exported', 'ratio to plain'],
      ...rows.map((r) => [
        r.variant,
        fmt(r.usPerSpan, 1),
        `${fmt(Math.min(...r.samples), 1)}–${fmt(Math.max(...r.samples), 1)}`,
        `${r.exportedSpans}/${spans}`,
        `${fmt(r.ratio, 2)}×`,
      ]),
    ]),
  );
  return rows;
}
