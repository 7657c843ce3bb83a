import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { initCasefile, llmCall, retrieval, run, toolCall } from '@casefile/sdk';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { startCaptureServer } from '../fixtures/wire/capture-server.js';
import { findLeaks, PLANTED as P } from '../fixtures/wire/planted.js';
import { createApiClient } from '../lib/api-client.js';
import { type CollectorProcess, startCollectorProcess } from '../lib/collector-process.js';

/** Planted values in the places an agent really meets them: each in a context a person would write. */
const userInput = `Hi, I'm ${P.email}, phone ${P.phone}. Card ${P.card} was charged twice; refund to IBAN ${P.iban}. SSN ${P.ssn}.`;
const document = [
  'Runbook: billing database access.',
  `DATABASE_URL=${P.postgresUrl}`,
  `aws_access_key_id = ${P.awsAccessKeyId}`,
  `aws_secret_access_key = ${P.awsSecretAccessKey}`,
  P.privateKey,
].join('\n');
const toolArgs = {
  to: P.email,
  headers: { Authorization: `Bearer ${P.bearerToken}` },
  github_token: P.githubToken,
  note: `charge via ${P.stripeKey}, session ${P.jwt}`,
  client_ip: P.ipv4,
};
const toolOutput = {
  ok: true,
  openai_key_seen: `OPENAI_API_KEY=${P.openaiKey}`,
  customer: { email: P.email, phone: P.phone },
};

/**
 * The proof behind "no secret or personal datum leaves the agent process": an instrumented agent
 * handles planted secrets and PII everywhere, and the bytes the OTLP exporter puts on the wire are
 * searched for every planted value in plain, base64 (every alignment, both alphabets), URL-encoded
 * and JSON-escaped form.
 */
describe('redaction on the wire', () => {
  let collector: CollectorProcess | undefined;
  afterAll(async () => {
    await collector?.stop();
  });

  it('the Casefile SDK exports none of the planted values, from any span, event or instrumentation', async () => {
    const capture = await startCaptureServer();
    const casefile = initCasefile({
      endpoint: capture.url,
      apiKey: 'cf_ingest_wire_test_key_0123456789',
      agent: { name: 'wire-agent', version: '1.0.0' },
    });
    let thrown: unknown;
    let result: unknown;
    try {
      result = await run('billing-help', { input: userInput, promptVersion: 'p1', policyVersion: 'pol1' }, async () => {
        await retrieval({ dataSource: 'runbooks', query: `db access for ${P.email}` }, async () => [
          { id: 'rb-1', score: 0.9, content: document },
        ]);
        await llmCall(
          { provider: 'openai', model: 'gpt-4o-2024-08-06', inputMessages: [{ role: 'user', content: userInput }] },
          async () => ({ text: `Contact ${P.email} or call ${P.phone}`, usage: { inputTokens: 10, outputTokens: 5 } }),
        );
        // A third-party instrumentation setting its own attributes and events on a span of its own.
        await trace.getTracer('some-http-client').startActiveSpan('POST /charges', async (span) => {
          span.setAttribute('http.request.header.authorization', `Bearer ${P.bearerToken}`);
          span.setAttribute(
            'url.full',
            `https://svc:${P.postgresPassword}@api.example.com/charges?card=${encodeURIComponent(P.card)}`,
          );
          span.setAttribute('db.statement', `ALTER USER billing_svc WITH PASSWORD '${P.postgresPassword}'`);
          span.addEvent('retry', { 'http.request.body': JSON.stringify({ card: P.card, iban: P.iban }) });
          span.end();
        });
        const out = await toolCall(
          { name: 'send_receipt', arguments: toolArgs, risk: 'external' },
          async () => toolOutput,
        );
        try {
          await toolCall({ name: 'sync_crm', arguments: { id: 'c-1' }, risk: 'write' }, async () => {
            throw new Error(`CRM rejected token ${P.githubToken} for ${P.email}`);
          });
        } catch (err) {
          thrown = err;
        }
        return out;
      });
    } finally {
      await casefile.shutdown();
      await capture.close();
    }

    // The agent itself saw its own values, unchanged: redaction only touches what is exported.
    expect(result).toEqual(toolOutput);
    expect((thrown as Error).message).toContain(P.githubToken);

    const bodies = capture.requests.map((r, i) => ({ where: `request ${i}`, text: r.body.toString('utf8') }));
    const raw = capture.requests.map((r, i) => ({ where: `raw request ${i}`, text: r.raw.toString('latin1') }));
    expect(bodies.length).toBeGreaterThan(0);
    expect(findLeaks([...bodies, ...raw])).toEqual([]);

    const all = bodies.map((b) => b.text).join('\n');
    for (const name of [
      'billing-help',
      'retrieval runbooks',
      'chat gpt-4o-2024-08-06',
      'POST /charges',
      'send_receipt',
      'sync_crm',
    ]) {
      expect(all).toContain(name);
    }
    expect(all).toContain('casefile.redaction.count');
    expect(all).toMatch(/pii-email/);
    // One customer, one token: the same address in the input, the tool arguments and the output.
    const tokens = new Set(all.match(/\[email:[0-9a-f]{8}\]/g));
    expect(tokens.size).toBe(1);
  });

  it('the collector redacts what another SDK sends: nothing planted reaches the API or the database file', async () => {
    collector = await startCollectorProcess({ CASEFILE_DETECT_DELAY_MS: '100' });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'foreign-agent', 'deployment.owner': P.email }),
      spanProcessors: [
        new SimpleSpanProcessor(
          new OTLPTraceExporter({
            url: `${collector.url}/v1/traces`,
            headers: { authorization: `Bearer ${collector.ingestKey}` },
          }),
        ),
      ],
    });
    const tracer = provider.getTracer('foreign');
    const root = tracer.startSpan('invoke_agent foreign', {
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'input.value': userInput },
    });
    const ctx = trace.setSpan(context.active(), root);
    const tool = tracer.startSpan(
      'execute_tool send_receipt',
      {
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'send_receipt',
          'gen_ai.tool.call.arguments': JSON.stringify(toolArgs),
          'gen_ai.tool.call.result': JSON.stringify(toolOutput),
          'retrieval.documents.0.document.content': document,
        },
      },
      ctx,
    );
    tool.recordException(new Error(`upstream said ${P.openaiKey} is invalid for ${P.email}`));
    tool.setStatus({ code: SpanStatusCode.ERROR, message: `failed for card ${P.card}` });
    tool.end();
    root.end();
    const traceId = root.spanContext().traceId;
    await provider.forceFlush();
    await provider.shutdown();

    const api = createApiClient(collector.url, collector.adminToken);
    await api.waitForRuns((p) => p.runs.some((r) => r.traceId === traceId));
    const detail = await api.run(traceId);
    expect(detail.steps).toHaveLength(2);
    expect(findLeaks([{ where: 'API run detail', text: JSON.stringify(detail) }])).toEqual([]);
    expect(detail.steps.find((s) => s.kind === 'tool')?.redactionCount).toBeGreaterThan(5);

    const dataDir = collector.dataDir;
    await collector.stop({ keepData: true });
    const files = await readdir(dataDir);
    const haystacks = [];
    for (const f of files) {
      if (f.endsWith('.json')) continue; // initial-credentials.json holds the (random) keys, not trace data
      haystacks.push({ where: f, text: (await readFile(join(dataDir, f))).toString('latin1') });
    }
    collector = undefined;
    await rm(dataDir, { recursive: true, force: true });
    expect(haystacks.length).toBeGreaterThan(0);
    expect(findLeaks(haystacks)).toEqual([]);
  });
});
