import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMERS, INJECTION_TARGET } from './demo-data.js';
import { type DemoRunSent, describeSentRun, planDemo, type RunDemoResult, runDemo } from './run-demo.js';

interface CapturedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  status: number;
  attributes: Record<string, unknown>;
}

/** A stand-in collector: accepts OTLP/HTTP JSON and keeps every span and Authorization header. */
function startCapture() {
  const spans: CapturedSpan[] = [];
  const auth: string[] = [];
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      auth.push(String(req.headers.authorization));
      const body = Buffer.concat(chunks).toString('utf8');
      bodies.push(body);
      for (const rs of JSON.parse(body).resourceSpans ?? []) {
        for (const ss of rs.scopeSpans ?? []) {
          for (const s of ss.spans ?? []) {
            const attributes: Record<string, unknown> = {};
            for (const a of s.attributes ?? []) attributes[a.key] = anyValue(a.value);
            spans.push({
              traceId: s.traceId,
              spanId: s.spanId,
              parentSpanId: s.parentSpanId ?? '',
              name: s.name,
              status: s.status?.code ?? 0,
              attributes,
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  return { server, spans, auth, bodies };
}

function anyValue(v: Record<string, unknown>): unknown {
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v) return ((v.arrayValue as { values?: Record<string, unknown>[] }).values ?? []).map(anyValue);
  return undefined;
}

const capture = startCapture();
let server: Server;
let result: RunDemoResult;
const sent: DemoRunSent[] = [];

beforeAll(async () => {
  server = capture.server;
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  result = await runDemo({
    endpoint: `http://127.0.0.1:${port}`,
    apiKey: 'cf_demo_test_key_0001',
    runs: 8,
    latencyScale: 0.01,
    onRun: (r) => sent.push(r),
  });
});

afterAll(() => new Promise<void>((done) => server.close(() => done())));

const inTrace = (traceId: string) => capture.spans.filter((s) => s.traceId === traceId);
const one = (spans: CapturedSpan[], pred: (s: CapturedSpan) => boolean) => {
  const hits = spans.filter(pred);
  expect(hits).toHaveLength(1);
  return hits[0] as CapturedSpan;
};

describe('runDemo', () => {
  it('sends every planned run as one trace with the ingest key, logging each', () => {
    expect(result.traceIds).toHaveLength(12);
    expect(new Set(result.traceIds).size).toBe(12);
    for (const id of result.traceIds) {
      const root = one(inTrace(id), (s) => s.parentSpanId === '');
      expect(root.name).toBe('invoke_agent acme-support-agent');
    }
    expect(new Set(capture.auth)).toEqual(new Set(['Bearer cf_demo_test_key_0001']));
    expect(sent.map((r) => r.traceId)).toEqual(result.traceIds);
    expect(sent.map((r) => `${r.index}/${r.of}`)).toEqual(result.traceIds.map((_, i) => `${i + 1}/12`));
    expect(sent.filter((r) => r.promptVersion === 'support-v13')).toHaveLength(1);
    const failed = sent.find((r) => !r.ok) as DemoRunSent;
    expect(describeSentRun(failed)).toMatch(
      new RegExp(`^\\[ ?\\d+/12\\] ${failed.scenario} +support-v1\\d  trace ${failed.traceId}  error \\(.+\\)$`),
    );
  });

  it('records the prompt injection: poisoned document, then customer data mailed outside with no approval', () => {
    const spans = inTrace(result.incidents.promptInjection);
    const retrieval = one(spans, (s) => s.attributes['casefile.step.kind'] === 'retrieval');
    expect(retrieval.attributes['casefile.retrieval.document_ids']).toContain('kb-7731');
    expect(retrieval.attributes['casefile.content.trust']).toBe('untrusted');
    const mail = one(spans, (s) => s.attributes['gen_ai.tool.name'] === 'send_email');
    expect(mail.attributes['casefile.tool.risk']).toBe('external');
    expect(mail.attributes['casefile.approval.id']).toBeUndefined();
    expect(mail.status).not.toBe(2);
    expect(result.runs.find((r) => r.scenario === 'prompt-injection')?.ok).toBe(true);
    const args = String(mail.attributes['gen_ai.tool.call.arguments']);
    // The relay credential travels by reference: the ID is exported, never the credential.
    expect(args).toContain(`"relay":{"$secret":"smtp-relay"}`);
    expect(args).toContain('Customer list for compliance review');
  });

  it('never exports a customer contact, the outside address or the relay credential in clear', () => {
    const everything = capture.bodies.join('\n');
    const leaked = [...CUSTOMERS.flatMap((c) => [c.email, c.phone]), INJECTION_TARGET, 'demo-relay-'].filter((s) =>
      everything.includes(s),
    );
    expect(leaked).toEqual([]);
  });

  it('records an approval bound to other arguments than the refund that ran under it', () => {
    const spans = inTrace(result.incidents.approvalMismatch);
    const ap = one(spans, (s) => s.attributes['casefile.step.kind'] === 'approval');
    const refund = one(spans, (s) => s.attributes['gen_ai.tool.name'] === 'issue_refund');
    expect(ap.attributes['casefile.approval.decision']).toBe('approved');
    expect(refund.attributes['casefile.approval.id']).toBe(ap.attributes['casefile.approval.id']);
    expect(refund.attributes['casefile.approval.action_hash']).toBeUndefined();
    expect(ap.attributes['casefile.approval.action_hash']).toMatch(/^[0-9a-f]{64}$/);
    expect(ap.attributes['casefile.approval.action_hash']).not.toBe(refund.attributes['casefile.action.hash']);
    expect(String(refund.attributes['gen_ai.tool.call.arguments'])).toContain('"amount":"2000.00"');
  });

  it('binds approvals correctly in everyday refunds that need one', () => {
    const everyday = result.runs.filter((r) => r.scenario === 'refund').flatMap((r) => inTrace(r.traceId));
    for (const ap of everyday.filter((s) => s.attributes['casefile.step.kind'] === 'approval')) {
      const tool = one(
        everyday,
        (s) => s.attributes['casefile.approval.id'] === ap.attributes['casefile.approval.id'] && s !== ap,
      );
      expect(tool.attributes['casefile.action.hash']).toBe(ap.attributes['casefile.approval.action_hash']);
    }
  });

  it('records a failed tool inside a run that recovers, and a model failure that fails the run', () => {
    const toolRun = inTrace(result.incidents.toolError);
    const lookup = one(toolRun, (s) => s.attributes['gen_ai.tool.name'] === 'lookup_order');
    expect(lookup.status).toBe(2);
    expect(lookup.attributes['error.type']).toBe('OrderServiceError');
    expect(one(toolRun, (s) => s.parentSpanId === '').status).not.toBe(2);

    const llmRun = inTrace(result.incidents.llmError);
    const failed = llmRun.filter((s) => s.attributes['casefile.step.kind'] === 'llm' && s.status === 2);
    expect(failed.map((s) => s.attributes['error.type'])).toEqual(['RateLimitError']);
    expect(one(llmRun, (s) => s.parentSpanId === '').status).toBe(2);
    expect(result.runs.find((r) => r.scenario === 'llm-error')?.ok).toBe(false);
  });
});

describe('planDemo', () => {
  it('spreads the four incidents among the normal runs', () => {
    const plan = planDemo(20).map((p) => p.scenario);
    expect(plan).toHaveLength(24);
    const incidents = ['tool-error', 'prompt-injection', 'llm-error', 'approval-mismatch'];
    const positions = incidents.map((s) => plan.indexOf(s as never));
    expect(positions.every((p) => p > 0 && p < 23)).toBe(true);
    expect(planDemo(0).map((p) => p.scenario)).toEqual(incidents);
  });
});
