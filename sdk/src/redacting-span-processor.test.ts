import { SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { RedactingSpanProcessor } from './redacting-span-processor.js';

const fakeGithub = `ghp_${'Zq8Xw2Lm4Rt6Yu1Io3Pa5Sd7Fg9Hj0Kl2Mn4B'.slice(0, 36)}`;

function setup(next?: SpanProcessor) {
  const exporter = new InMemorySpanExporter();
  const inner = next ?? new SimpleSpanProcessor(exporter);
  const provider = new BasicTracerProvider({
    spanProcessors: [new RedactingSpanProcessor(inner, { key: 'span-test-key' })],
  });
  return { exporter, provider, tracer: provider.getTracer('other-instrumentation') };
}

describe('RedactingSpanProcessor', () => {
  let provider: BasicTracerProvider | undefined;
  afterEach(async () => provider?.shutdown());

  it('redacts name, attributes, events, exceptions and status before export', async () => {
    const s = setup();
    provider = s.provider;
    const span = s.tracer.startSpan('POST /users/bob@example.com');
    span.setAttributes({
      'gen_ai.tool.call.arguments': JSON.stringify({ to: 'alice@example.org', body: 'hi' }),
      'http.request.header.authorization': 'Bearer abc',
      'gen_ai.usage.input_tokens': 120,
      'db.statement': `token ${fakeGithub}`,
    });
    span.addEvent('log', { message: 'card 4111 1111 1111 1111 declined' });
    span.recordException(new Error(`failed with ${fakeGithub}`));
    span.setStatus({ code: SpanStatusCode.ERROR, message: `call +1 415 555 0132` });
    span.end();
    await s.provider.forceFlush();

    const [out] = s.exporter.getFinishedSpans();
    const all = JSON.stringify({ n: out!.name, a: out!.attributes, e: out!.events, s: out!.status });
    for (const raw of ['bob@example.com', 'alice@example.org', 'Bearer abc', fakeGithub, '4111', '415 555']) {
      expect(all).not.toContain(raw);
    }
    expect(out!.name).toMatch(/^POST \/users\/\[email:[0-9a-f]{8}@example\.com\]$/);
    expect(JSON.parse(out!.attributes['gen_ai.tool.call.arguments'] as string).body).toBe('hi');
    expect(out!.attributes['gen_ai.usage.input_tokens']).toBe(120);
    expect(out!.attributes['casefile.redaction.count']).toBe(8); // the stack trace repeats the exception message
    expect(out!.attributes['casefile.redaction.rules']).toEqual([
      'github-token',
      'pii-card',
      'pii-email',
      'pii-phone-international',
      'sensitive-field',
    ]);
    expect(out!.attributes['casefile.redaction.version']).toBe('1');
    expect(out!.events.find((e) => e.name === 'exception')!.attributes!['exception.message']).toMatch(
      /^failed with \[github_token:[0-9a-f]{8}\]$/,
    );
    expect(out!.spanContext().traceId).toBe(span.spanContext().traceId);
  });

  it('stamps a zero count on clean spans', async () => {
    const s = setup();
    provider = s.provider;
    s.tracer.startSpan('clean').end();
    await s.provider.forceFlush();
    expect(s.exporter.getFinishedSpans()[0]!.attributes['casefile.redaction.count']).toBe(0);
  });

  it('never throws into the application when the downstream processor fails', async () => {
    const seen: ReadableSpan[] = [];
    const failing: SpanProcessor = {
      onStart: () => {
        throw new Error('start');
      },
      onEnd: (span) => {
        seen.push(span);
        throw new Error('end');
      },
      forceFlush: () => Promise.reject(new Error('flush')),
      shutdown: () => Promise.resolve(),
    };
    const s = setup(failing);
    provider = s.provider;
    expect(() => s.tracer.startSpan('x', { attributes: { a: 'mail bob@example.com' } }).end()).not.toThrow();
    await expect(s.provider.forceFlush()).resolves.toBeUndefined();
    expect(seen[0]!.attributes.a).toMatch(/^mail \[email:/);
  });
});
