import { context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../lib/api-client.js';
import { launchBrowser, signIn } from '../lib/browser.js';
import { type CollectorProcess, startCollectorProcess } from '../lib/collector-process.js';
import { chromiumMissing, skipTitle } from '../lib/requirements.js';

/**
 * A run recorded with the plain OpenTelemetry JS SDK — no Casefile SDK — using only GenAI semantic
 * convention attributes, sent over both OTLP/HTTP encodings, is accepted, normalised and shown.
 */
describe('plain OpenTelemetry SDK with GenAI attributes', () => {
  let collector: CollectorProcess;
  beforeAll(async () => {
    collector = await startCollectorProcess();
  });
  afterAll(async () => {
    await collector?.stop();
  });

  async function recordRun(exporter: SpanExporter): Promise<string> {
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'plain-otel-agent' }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('plain');
    const root = tracer.startSpan('invoke_agent weather-bot', {
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'weather-bot',
        'gen_ai.agent.version': '3.1',
      },
    });
    const traceId = root.spanContext().traceId;
    const ctx = trace.setSpan(context.active(), root);
    const chat = tracer.startSpan(
      'chat gpt-4o-mini',
      {
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.usage.input_tokens': 321,
          'gen_ai.usage.output_tokens': 45,
          'gen_ai.input.messages': JSON.stringify([
            { role: 'user', parts: [{ type: 'text', content: 'Weather in Oslo?' }] },
          ]),
        },
      },
      ctx,
    );
    chat.end();
    // A real tool call starts at least a millisecond later; OTel JS stamps starts in whole milliseconds.
    await new Promise((r) => setTimeout(r, 3));
    const tool = tracer.startSpan(
      'execute_tool get_weather',
      {
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'get_weather',
          'gen_ai.tool.call.arguments': '{"city":"Oslo"}',
          'gen_ai.tool.call.result': '{"temp_c":3}',
        },
      },
      ctx,
    );
    tool.end();
    root.end();
    await provider.forceFlush();
    await provider.shutdown();
    return traceId;
  }

  it.each([
    [
      'protobuf',
      (url: string, key: string) =>
        new ProtoExporter({ url: `${url}/v1/traces`, headers: { authorization: `Bearer ${key}` } }),
    ],
    [
      'JSON',
      (url: string, key: string) =>
        new JsonExporter({ url: `${url}/v1/traces`, headers: { authorization: `Bearer ${key}` } }),
    ],
  ])('accepts a run sent as OTLP/%s and shows its GenAI fields', async (_enc, makeExporter) => {
    const traceId = await recordRun(makeExporter(collector.url, collector.ingestKey));
    const api = createApiClient(collector.url, collector.adminToken);
    await api.waitForRuns((p) => p.runs.some((r) => r.traceId === traceId));
    const run = await api.run(traceId);
    expect(run.run).toMatchObject({
      agentName: 'weather-bot',
      agentVersion: '3.1',
      inputTokens: 321,
      outputTokens: 45,
    });
    expect(run.steps.map((s) => s.kind)).toEqual(['agent', 'llm', 'tool']);
    const tool = run.steps.find((s) => s.kind === 'tool');
    expect(tool).toMatchObject({
      toolName: 'get_weather',
      toolArguments: '{"city":"Oslo"}',
      toolResult: '{"temp_c":3}',
    });
    expect(run.steps.find((s) => s.kind === 'llm')?.requestModel).toBe('gpt-4o-mini');
  });

  it.skipIf(chromiumMissing)(
    skipTitle("shows a plain OpenTelemetry run's tool step in the browser", chromiumMissing),
    async () => {
      const traceId = await recordRun(
        new ProtoExporter({
          url: `${collector.url}/v1/traces`,
          headers: { authorization: `Bearer ${collector.ingestKey}` },
        }),
      );
      const api = createApiClient(collector.url, collector.adminToken);
      await api.waitForRuns((p) => p.runs.some((r) => r.traceId === traceId));
      const browser = await launchBrowser();
      try {
        const tab = await browser.newPage();
        await signIn(tab, collector.url, collector.adminToken);
        await tab.goto(`${collector.url}/runs/${traceId}`);
        await tab.getByTestId('step-row').nth(2).click();
        const detail = await tab.getByTestId('step-detail').innerText();
        expect(detail).toContain('get_weather');
        expect(detail).toContain('Oslo');
      } finally {
        await browser.close();
      }
    },
  );
});
