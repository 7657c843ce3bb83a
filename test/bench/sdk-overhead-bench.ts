import { initCasefile, llmCall, retrieval, run, toolCall } from '@casefile/sdk';
import { context, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { fmt, median, repeat, table } from './stats.js';

/**
 * The SDK's per-span cost with redaction on, against the plain OpenTelemetry SDK recording the same
 * spans with the same attributes into the same exporter (which serialises every span, as an OTLP
 * exporter would). Ratios, not absolute numbers, are what this machine can tell.
 */
const RUNS = 400;
const SPANS_PER_RUN = 6;

class SerializingExporter implements SpanExporter {
  bytes = 0;
  export(spans: ReadableSpan[], done: (r: { code: ExportResultCode }) => void): void {
    for (const s of spans) this.bytes += JSON.stringify({ n: s.name, a: s.attributes, e: s.events }).length;
    done({ code: ExportResultCode.SUCCESS });
  }
  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}
}

function payload(i: number) {
  const secret = i % 5 === 0;
  return {
    input: `Customer ${secret ? 'jane.doe@example.com' : 'C-1001'} asks about order A-${1000 + i}; the parcel did not arrive.`,
    doc: 'Refunds are issued to the original payment method within 5-7 business days. '.repeat(8),
    args: {
      order_id: `A-${1000 + i}`,
      amount: '24.90',
      note: `Goodwill refund after late delivery. ${'Customer called twice about the delay. '.repeat(12)}`,
      ...(secret ? { api_key: 'sk_live_51Habc0Pq8rT2vWx9yZa4BcDe', phone: '+44 7700 900123' } : {}),
    },
    result: { ok: true, refund_id: `re_${i}`, status: 'issued' },
  };
}

async function plainOtel(): Promise<number> {
  const exporter = new SerializingExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 100_000, maxExportBatchSize: 512 })],
  });
  const tracer = provider.getTracer('plain');
  const started = performance.now();
  for (let i = 0; i < RUNS; i++) {
    const p = payload(i);
    const root = tracer.startSpan('invoke_agent bench', {
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'casefile.run.input': p.input },
    });
    const ctx = trace.setSpan(context.active(), root);
    const child = (name: string, attributes: Record<string, string | number>) =>
      tracer.startSpan(name, { attributes }, ctx).end();
    child('retrieval kb', {
      'gen_ai.retrieval.documents': JSON.stringify([{ id: 'kb-1', score: 0.9 }]),
      'casefile.retrieval.content': JSON.stringify([{ id: 'kb-1', content: p.doc }]),
    });
    child('chat m', {
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: p.input }] }]),
      'gen_ai.usage.input_tokens': 100,
    });
    child('execute_tool lookup', {
      'gen_ai.tool.call.arguments': JSON.stringify({ order_id: p.args.order_id }),
      'gen_ai.tool.call.result': JSON.stringify(p.result),
    });
    child('execute_tool refund', {
      'gen_ai.tool.call.arguments': JSON.stringify(p.args),
      'gen_ai.tool.call.result': JSON.stringify(p.result),
    });
    child('chat m', {
      'gen_ai.output.messages': JSON.stringify([
        { role: 'assistant', parts: [{ type: 'text', content: 'Refund issued.' }] },
      ]),
      'gen_ai.usage.output_tokens': 20,
    });
    root.end();
  }
  await provider.forceFlush();
  const us = ((performance.now() - started) * 1000) / (RUNS * SPANS_PER_RUN);
  await provider.shutdown();
  return us;
}

async function casefileSdk(redaction: boolean): Promise<number> {
  const exporter = new SerializingExporter();
  const handle = initCasefile({
    agent: { name: 'bench', version: '1' },
    exporter,
    apiKey: 'cf_ingest_bench_key_0123456789',
    redaction: { enabled: redaction },
  });
  const started = performance.now();
  for (let i = 0; i < RUNS; i++) {
    const p = payload(i);
    await run('bench', { input: p.input, promptVersion: 'v1', policyVersion: 'p1' }, async () => {
      await retrieval({ dataSource: 'kb', query: 'refund' }, async () => [{ id: 'kb-1', score: 0.9, content: p.doc }]);
      await llmCall({ provider: 'x', model: 'm', inputMessages: [{ role: 'user', content: p.input }] }, async () => ({
        text: 'ok',
        usage: { inputTokens: 100, outputTokens: 2 },
      }));
      await toolCall({ name: 'lookup', arguments: { order_id: p.args.order_id }, risk: 'read' }, async () => p.result);
      await toolCall({ name: 'refund', arguments: p.args, risk: 'irreversible' }, async () => p.result);
      await llmCall({ provider: 'x', model: 'm', inputMessages: [] }, async () => ({
        text: 'Refund issued.',
        usage: { inputTokens: 1, outputTokens: 20 },
      }));
    });
  }
  await handle.forceFlush();
  const us = ((performance.now() - started) * 1000) / (RUNS * SPANS_PER_RUN);
  await handle.shutdown();
  return us;
}

export async function runSdkOverheadBench(log: (line: string) => void): Promise<Record<string, number>> {
  log(`sdk overhead: ${RUNS} runs × ${SPANS_PER_RUN} spans, median of 5 after a warm-up, µs per span`);
  await plainOtel();
  await casefileSdk(true);
  const plain = median(await repeat(5, () => plainOtel()));
  const redacted = median(await repeat(5, () => casefileSdk(true)));
  const unredacted = median(await repeat(5, () => casefileSdk(false)));
  log(
    table([
      ['recording', 'µs/span (median)', 'ratio to plain OpenTelemetry'],
      ['plain OpenTelemetry SDK (same attributes)', fmt(plain, 1), '1.00'],
      ['Casefile SDK, redaction off', fmt(unredacted, 1), fmt(unredacted / plain, 2)],
      ['Casefile SDK, redaction on', fmt(redacted, 1), fmt(redacted / plain, 2)],
    ]),
  );
  return { plain, redacted, unredacted };
}
