import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCasefile } from '@casefile/sdk';
import { createRedactor } from '@casefile/sdk/redact';
import { deriveRedactionKey } from '@casefile/sdk/redaction-key';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CapturedRequest, type CaptureServer, startCaptureServer } from './fixtures/wire/capture-server.js';
import { allStrings, spansOfJsonRequest, type WireSpan } from './fixtures/wire/otlp-json.js';
import { findLeaks, PLANTED as P, sensitiveStrings } from './fixtures/wire/planted.js';
import {
  type AgentObservations,
  ENCODED_ATTACHMENT,
  ENCODED_URL,
  RUNBOOK,
  runPlantedAgent,
  UNTERMINATED_KEY,
  USER_INPUT,
} from './fixtures/wire/planted-agent.js';
import { createApiClient } from './lib/api-client.js';
import { type CollectorProcess, startCollectorProcess } from './lib/collector-process.js';

const API_KEY = 'test-key-wire-3f9c2a71d04e';

/** Everything a request puts on the wire, and the same text unescaped, as named haystacks. */
function haystacksOf(requests: CapturedRequest[]) {
  return requests.flatMap((r, i) => {
    const body = r.body.toString('utf8');
    let strings: string[] = [];
    try {
      strings = allStrings(JSON.parse(body));
    } catch {
      // Not JSON: the raw bytes are still scanned.
    }
    return [
      { where: `request ${i} headers`, text: r.rawHeaders.join('\n') },
      { where: `request ${i} raw bytes`, text: r.raw.toString('latin1') },
      { where: `request ${i} body`, text: body },
      { where: `request ${i} decoded strings`, text: strings.join('\n') },
    ];
  });
}

describe('SDK redaction on the wire (real OTLP/HTTP exporter)', () => {
  let capture: CaptureServer;
  let seen: AgentObservations;
  let spans: WireSpan[];

  beforeAll(async () => {
    capture = await startCaptureServer();
    const casefile = initCasefile({
      endpoint: capture.url,
      apiKey: API_KEY,
      agent: { name: 'wire-agent', version: '1.0.0' },
      exportIntervalMs: 50,
      onError: (e) => {
        throw new Error(`export failed: ${e.message}`, { cause: e });
      },
    });
    try {
      seen = await runPlantedAgent();
    } finally {
      await casefile.shutdown();
    }
    spans = capture.requests.flatMap((r) => spansOfJsonRequest(r.body.toString('utf8')));
  });

  afterAll(async () => {
    await capture?.close();
  });

  it('posts OTLP/JSON to <endpoint>/v1/traces and every span arrives', () => {
    expect(capture.requests.length).toBeGreaterThan(0);
    for (const r of capture.requests) {
      expect(r.method).toBe('POST');
      expect(r.path).toBe('/v1/traces');
      expect(r.contentType).toContain('application/json');
    }
    // refund-request: agent, retrieval, chat, 2 tool calls, 2 third-party spans; follow-up: agent.
    expect(spans).toHaveLength(8);
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(8);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set(seen.traceIds));
    const names = spans.map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'invoke_agent wire-agent',
        'retrieval support-kb',
        'chat gpt-4o-2024-08-06',
        'execute_tool lookup_customer',
        'execute_tool charge_card',
        'SELECT billing.customers',
      ]),
    );
    expect(spans.filter((s) => s.scope === 'some-other-lib')).toHaveLength(2);
  });

  it('carries no planted value in any form: plain, base64, URL-encoded or JSON-escaped', () => {
    expect(sensitiveStrings().length).toBeGreaterThan(16);
    const leaks = findLeaks(haystacksOf(capture.requests));
    expect(leaks).toEqual([]);
  });

  it('counts and names the redactions on every span that held planted data', () => {
    for (const s of spans) {
      expect(s.attributes['casefile.redaction.count'], s.name).toBeGreaterThan(0);
      expect(s.attributes['casefile.redaction.version'], s.name).toBeTypeOf('string');
    }
    const rules = new Set(spans.flatMap((s) => (s.attributes['casefile.redaction.rules'] as string[]) ?? []));
    for (const rule of [
      'aws-access-key-id',
      'github-token',
      'stripe-key',
      'openai-api-key',
      'jwt',
      'private-key-block',
      'url-credentials',
      'pii-email',
      'pii-phone-international',
      'pii-card',
      'pii-iban',
      'pii-ssn',
      'pii-ipv4',
    ]) {
      expect([...rules], rule).toContain(rule);
    }
  });

  it('keeps readable structure: what was redacted is a pseudonym token, the rest is intact', () => {
    const tool = spans.find((s) => s.name === 'execute_tool lookup_customer');
    const args = JSON.parse(String(tool?.attributes['gen_ai.tool.call.arguments'])) as Record<string, unknown>;
    expect(args.email).toMatch(/^\[email:[0-9a-f]{8}@gmail\.com\]$/);
    expect(args.note).toMatch(/^escalate with token \[github_token:[0-9a-f]{8}\]$/);
    const failed = spans.find((s) => s.name === 'execute_tool charge_card');
    const exception = failed?.events.find((e) => e.name === 'exception');
    expect(String(exception?.attributes['exception.message'])).toContain('charge failed: card [card:');
    expect(String(exception?.attributes['exception.stacktrace'])).toContain('at charge (/srv/billing.js:12:7)');
  });

  it('gives one datum the same token everywhere, keyed by the derived project key', () => {
    const text = capture.requests.map((r) => r.body.toString('utf8')).join('\n');
    const emailTokens = new Set(text.match(/\[email:[0-9a-f]{8}@[a-z0-9.-]+\]/g));
    const expected = createRedactor({ key: deriveRedactionKey(API_KEY) }).redactString(P.email).text;
    expect([...emailTokens]).toEqual([expected]);
    // The same address in the first run's input and the second run's input: two traces, one token.
    const inputs = spans.map((s) => s.attributes['casefile.run.input']).filter((v) => typeof v === 'string');
    expect(inputs).toHaveLength(2);
    for (const input of inputs) expect(input).toContain(expected);
    const cardTokens = new Set(text.match(/\[card:[0-9a-f]{8}·\d{4} [a-z]+\]/g));
    expect(cardTokens.size).toBe(1);
  });

  it("leaves the agent's own values and errors untouched", () => {
    expect(seen.result).toBe(seen.resultObject);
    expect(seen.result).toEqual({ answer: seen.reply.text, refundTo: P.iban, contact: P.email });
    expect(seen.reply.text).toContain(`Bearer ${P.bearerToken}`);
    expect(seen.docs[0]?.content).toContain(P.privateKey);
    expect(seen.docs[1]?.content).toContain(P.card);
    expect(seen.lookup).toEqual({
      customer: { email: P.email, phone: P.phone, iban: P.iban, last_ip: P.ipv4 },
      session_jwt: P.jwt,
      db: P.postgresUrl,
    });
    const toolError = seen.toolError as Error;
    expect(toolError).toBeInstanceOf(Error);
    expect(toolError.message).toBe(`charge failed: card ${P.card} declined by ${P.postgresUrl}`);
    expect(toolError.stack).toContain(`stripe=${P.stripeKey}`);
    expect(seen.runRejection).toBe(seen.thrownError);
    expect(seen.thrownError.message).toBe(`cannot reach ${P.postgresUrl} as ${P.email}`);
  });
});

describe("collector's second pass (plain OpenTelemetry SDK, no Casefile SDK)", () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'casefile-wire-'));
  let collector: CollectorProcess | undefined;

  afterAll(async () => {
    await collector?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores and serves no planted value, in the API or in the database files', async () => {
    // The data dir is ours, so the files can be read after the process has exited.
    collector = await startCollectorProcess({ CASEFILE_DATA_DIR: dataDir });
    const canary = `wire-canary-${Date.now().toString(36)}`;
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'plain-agent', 'deployment.note': `owner ${P.email}` }),
      spanProcessors: [
        new SimpleSpanProcessor(
          new ProtoExporter({
            url: `${collector.url}/v1/traces`,
            headers: { authorization: `Bearer ${collector.ingestKey}` },
          }),
        ),
      ],
    });
    const tracer = provider.getTracer('plain');
    const root = tracer.startSpan('invoke_agent plain-agent', {
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'plain-agent',
        'casefile.run.input': `${canary} ${USER_INPUT}`,
      },
    });
    const traceId = root.spanContext().traceId;
    const tool = tracer.startSpan(
      `GET https://svc:${P.postgresPassword}@billing.internal.example/`,
      {
        attributes: {
          // First, so that a scan running on past its own value would hide everything below it.
          'message.excerpt': `pasted: ${UNTERMINATED_KEY}`,
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'lookup_customer',
          'gen_ai.tool.call.arguments': JSON.stringify({
            pasted: UNTERMINATED_KEY,
            note: `token ${P.githubToken}`,
            stripe: P.stripeKey,
            key: P.openaiKey,
            session: P.jwt,
            attachment: ENCODED_ATTACHMENT,
            callback: ENCODED_URL,
          }),
          'gen_ai.tool.call.result': JSON.stringify({ session_jwt: P.jwt, db: P.postgresUrl }),
          'http.request.header.authorization': [`Bearer ${P.bearerToken}`],
          'db.statement': `ALTER USER billing_svc WITH PASSWORD '${P.postgresPassword}'`,
          'retrieval.content': RUNBOOK,
        },
      },
      trace.setSpan(context.active(), root),
    );
    tool.addEvent('retry', { 'http.response.body': `{"token":"${P.githubToken}"}` });
    tool.addEvent(`upstream said: key ${P.stripeKey} revoked`);
    tool.recordException(new Error(`card ${P.card} declined; ${P.awsAccessKeyId}`));
    tool.setStatus({ code: SpanStatusCode.ERROR, message: `401 for ${P.jwt}` });
    tool.end();
    root.end();
    await provider.forceFlush();
    await provider.shutdown();

    const api = createApiClient(collector.url, collector.adminToken);
    await api.waitForRuns((p) => p.runs.some((r) => r.traceId === traceId));
    const detail = await api.run(traceId);
    expect(detail.steps).toHaveLength(2);
    // The collector counts what it redacted itself: this SDK sent no casefile.redaction.* attributes.
    expect(detail.steps.find((s) => s.toolName === 'lookup_customer')?.redactionCount).toBeGreaterThan(5);
    const served = JSON.stringify([detail, await api.runs({ limit: '50' })]);
    expect(served).toContain(canary);
    expect(
      findLeaks([
        { where: 'API', text: served },
        { where: 'API strings', text: allStrings(JSON.parse(served)).join('\n') },
      ]),
    ).toEqual([]);
    expect(findLeaks([{ where: 'collector log', text: collector.output() }])).toEqual([]);

    await collector.stop();
    collector = undefined;
    const files = readdirSync(dataDir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(files.length).toBeGreaterThan(0);
    const stored = files.map((f) => {
      const path = join(f.parentPath, f.name);
      return { where: path, text: readFileSync(path).toString('latin1') };
    });
    // The canary proves the scan reads the stored text (not compressed beyond recognition).
    expect(stored.some((s) => s.text.includes(canary))).toBe(true);
    expect(findLeaks(stored)).toEqual([]);
  });
});
