import { readFileSync } from 'node:fs';
import { ExportResultCode } from '@opentelemetry/core';
import { InMemorySpanExporter, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { ATTR } from './attributes.js';
import { createLogOnceHandler } from './errors.js';
import { type CasefileHandle, initCasefile } from './init.js';
import { run } from './run.js';
import { toolCall } from './tool.js';
import { SDK_VERSION } from './version.js';

const agent = { name: 'support-agent', version: '3.1.0' };
let handle: CasefileHandle | undefined;

afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
});

async function oneRun() {
  return run('refund', { input: 'Please refund maria.gonzalez@example.com' }, () =>
    toolCall({ name: 'refund', arguments: { amount: 20 }, risk: 'irreversible' }, async () => 'ok'),
  );
}

describe('initCasefile', () => {
  it('exports spans with the agent resource through an injected exporter', async () => {
    const exporter = new InMemorySpanExporter();
    handle = initCasefile({ agent, exporter, serviceName: 'support', env: {} });
    await oneRun();
    await handle.forceFlush();
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name).sort()).toEqual(['execute_tool refund', 'invoke_agent support-agent']);
    const resource = spans[0]!.resource.attributes;
    expect(resource[ATTR.SERVICE_NAME]).toBe('support');
    expect(resource[ATTR.AGENT_NAME]).toBe('support-agent');
    expect(resource[ATTR.AGENT_VERSION]).toBe('3.1.0');
    expect(resource[ATTR.SDK_VERSION]).toBe(SDK_VERSION);
    expect(resource['telemetry.sdk.language']).toBe('nodejs');
    expect(resource['process.command_args']).toBeUndefined();
  });

  it('stamps casefile.step.seq in start order, so steps that share a millisecond keep their order', async () => {
    const exporter = new InMemorySpanExporter();
    handle = initCasefile({ agent, exporter, env: {} });
    await run('refund', {}, async () => {
      await toolCall({ name: 'check', arguments: {} }, async () => 'allow');
      await toolCall({ name: 'refund', arguments: { amount: 20 } }, async () => 'ok');
    });
    await handle.forceFlush();
    const seq = (name: string) =>
      Number(exporter.getFinishedSpans().find((s) => s.name === name)!.attributes[ATTR.STEP_SEQ]);
    expect(seq('invoke_agent support-agent')).toBeGreaterThan(0);
    expect(seq('execute_tool check')).toBeGreaterThan(seq('invoke_agent support-agent'));
    expect(seq('execute_tool refund')).toBeGreaterThan(seq('execute_tool check'));
  });

  it('redacts before anything downstream sees the span, extra processors included', async () => {
    const exporter = new InMemorySpanExporter();
    const seenByExtra: ReadableSpan[] = [];
    handle = initCasefile({
      agent,
      apiKey: 'cf_ingest_test_key',
      exporter,
      spanProcessors: [
        { onStart() {}, onEnd: (s) => seenByExtra.push(s), forceFlush: async () => {}, shutdown: async () => {} },
      ],
      env: {},
    });
    await oneRun();
    await handle.forceFlush();
    const root = (list: ReadableSpan[]) => list.find((s) => s.name.startsWith('invoke_agent'))!;
    for (const spans of [exporter.getFinishedSpans(), seenByExtra]) {
      const input = String(root(spans).attributes[ATTR.RUN_INPUT]);
      expect(input).toContain('Please refund');
      expect(input).not.toContain('maria.gonzalez@example.com');
    }
  });

  it('never throws into the agent when the exporter fails, and reports to the handler', async () => {
    const errors: Error[] = [];
    const failing: SpanExporter = {
      export: (_spans, done) => done({ code: ExportResultCode.FAILED, error: new Error('collector said 503') }),
      shutdown: async () => {},
    };
    handle = initCasefile({ agent, exporter: failing, onError: (e) => errors.push(e), env: {} });
    await expect(oneRun()).resolves.toBe('ok');
    await expect(handle.forceFlush()).resolves.toBeUndefined();
    await expect(handle.shutdown()).resolves.toBeUndefined();
    expect(errors.map((e) => e.message)).toContain('collector said 503');
  });

  it('survives an exporter that throws and a collector that is not there', async () => {
    const errors: Error[] = [];
    const throwing: SpanExporter = {
      export: () => {
        throw new Error('exporter bug');
      },
      shutdown: async () => {},
    };
    handle = initCasefile({ agent, exporter: throwing, onError: (e) => errors.push(e), env: {} });
    await expect(oneRun()).resolves.toBe('ok');
    await handle.forceFlush();
    await handle.shutdown();
    expect(errors.length).toBeGreaterThan(0);

    const unreachable: Error[] = [];
    handle = initCasefile({
      agent,
      endpoint: 'http://127.0.0.1:9',
      apiKey: 'cf_key',
      exportTimeoutMs: 1000,
      onError: (e) => unreachable.push(e),
      env: {},
    });
    await expect(oneRun()).resolves.toBe('ok');
    await handle.forceFlush();
    expect(unreachable.length).toBeGreaterThan(0);
  });

  it('throws one configuration error naming the bad variable, before starting anything', () => {
    expect(() => initCasefile({ agent, apiKey: 'k', env: { CASEFILE_ENDPOINT: 'collector:4318' } })).toThrow(
      /CASEFILE_ENDPOINT/,
    );
    expect(() => initCasefile({ agent, env: {} })).toThrow(/CASEFILE_API_KEY/);
  });

  it('refuses a second start until shutdown, then starts again', async () => {
    handle = initCasefile({ agent, exporter: new InMemorySpanExporter(), env: {} });
    expect(() => initCasefile({ agent, exporter: new InMemorySpanExporter(), env: {} })).toThrow(/already started/);
    await handle.shutdown();
    const exporter = new InMemorySpanExporter();
    handle = initCasefile({ agent, exporter, env: {} });
    await oneRun();
    await handle.forceFlush();
    expect(exporter.getFinishedSpans()).toHaveLength(2);
  });
});

describe('default error handler', () => {
  it('logs the first failure only', () => {
    const lines: string[] = [];
    const handler = createLogOnceHandler((l) => lines.push(l));
    handler(new Error('ECONNREFUSED'));
    handler(new Error('ECONNREFUSED again'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('ECONNREFUSED');
  });
});

it('SDK_VERSION matches package.json', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  expect(SDK_VERSION).toBe(pkg.version);
});
