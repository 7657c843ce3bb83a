import { randomBytes } from 'node:crypto';
import { ExportTraceServiceRequest } from '@casefile/collector/otlp-proto';

/**
 * A realistic agent workload for ingest benchmarks: runs of 10 spans (agent root, 3 LLM calls,
 * a retrieval, 4 tool calls, an approval) with GenAI and Casefile attributes of ~700 bytes per span.
 */
type KV = { key: string; value: { stringValue?: string; intValue?: number } };
const s = (key: string, v: string): KV => ({ key, value: { stringValue: v } });
const i = (key: string, v: number): KV => ({ key, value: { intValue: v } });

export const SPANS_PER_RUN = 10;

function runSpans(startNs: bigint, n: number) {
  const traceId = randomBytes(16);
  const rootId = randomBytes(8);
  const spans: Record<string, unknown>[] = [];
  const span = (name: string, offset: number, attrs: KV[], parent?: Buffer) => {
    spans.push({
      traceId,
      spanId: parent === undefined ? rootId : randomBytes(8),
      parentSpanId: parent,
      name,
      kind: 1,
      startTimeUnixNano: String(startNs + BigInt(offset) * 1_000_000n),
      endTimeUnixNano: String(startNs + BigInt(offset + 40) * 1_000_000n),
      attributes: attrs,
      status: { code: 1 },
    });
  };
  span('invoke_agent support-agent', 0, [
    s('gen_ai.operation.name', 'invoke_agent'),
    s('casefile.step.kind', 'agent'),
    s('gen_ai.agent.name', 'support-agent'),
    s('gen_ai.agent.version', '1.4.0'),
    s(
      'casefile.run.input',
      `Customer ${n} asks where order ORD-${100000 + n} is and wants a refund for the late delivery.`,
    ),
    s('casefile.prompt.version', n % 10 === 0 ? 'support-v13' : 'support-v12'),
    s('casefile.policy.version', 'pol-7'),
  ]);
  for (let k = 0; k < 3; k++) {
    span(
      `chat claude-sonnet-4-20250514`,
      10 + k * 50,
      [
        s('gen_ai.operation.name', 'chat'),
        s('casefile.step.kind', 'llm'),
        s('gen_ai.provider.name', 'anthropic'),
        s('gen_ai.request.model', 'claude-sonnet-4-20250514'),
        i('gen_ai.usage.input_tokens', 800 + ((n * 7 + k) % 400)),
        i('gen_ai.usage.output_tokens', 60 + ((n * 3 + k) % 90)),
        s(
          'gen_ai.output.messages',
          JSON.stringify([
            {
              role: 'assistant',
              parts: [
                {
                  type: 'text',
                  content: `I will look up order ORD-${100000 + n} and check the refund policy for late deliveries (step ${k}).`,
                },
              ],
            },
          ]),
        ),
      ],
      rootId,
    );
  }
  span(
    'retrieval kb',
    200,
    [
      s('gen_ai.operation.name', 'retrieval'),
      s('gen_ai.data_source.id', 'kb'),
      s('gen_ai.retrieval.query.text', 'refund policy late delivery'),
      s(
        'gen_ai.retrieval.documents',
        JSON.stringify([
          { id: `kb-${n % 50}`, score: 0.91 },
          { id: 'kb-12', score: 0.77 },
        ]),
      ),
      s('casefile.content.trust', 'untrusted'),
    ],
    rootId,
  );
  for (const [k, tool] of ['lookup_order', 'check_policy', 'issue_refund', 'send_email'].entries()) {
    span(
      `execute_tool ${tool}`,
      260 + k * 45,
      [
        s('gen_ai.operation.name', 'execute_tool'),
        s('gen_ai.tool.name', tool),
        s('gen_ai.tool.call.id', `call_${n}_${k}`),
        s(
          'gen_ai.tool.call.arguments',
          JSON.stringify({ order_id: `ORD-${100000 + n}`, amount: 25.5, note: 'late delivery goodwill refund' }),
        ),
        s('gen_ai.tool.call.result', JSON.stringify({ ok: true, status: 'processed', reference: `R-${n}-${k}` })),
        s('casefile.tool.risk', k === 3 ? 'external' : k === 2 ? 'irreversible' : 'read'),
        s('casefile.action.hash', randomBytes(32).toString('hex')),
      ],
      rootId,
    );
  }
  span(
    'approval apr',
    240,
    [
      s('casefile.step.kind', 'approval'),
      s('casefile.approval.id', `apr-${n}`),
      s('casefile.approval.decision', 'approved'),
    ],
    rootId,
  );
  return spans;
}

/** `requests` protobuf-encoded OTLP requests of `runsPerRequest` runs each, all with fresh IDs. */
export function buildRequests(requests: number, runsPerRequest: number): Uint8Array[] {
  const base = BigInt(Date.now()) * 1_000_000n;
  const out: Uint8Array[] = [];
  let n = 0;
  for (let r = 0; r < requests; r++) {
    const spans: Record<string, unknown>[] = [];
    for (let k = 0; k < runsPerRequest; k++) spans.push(...runSpans(base + BigInt(n) * 1_000_000_000n, n++));
    const msg = ExportTraceServiceRequest.fromObject({
      resourceSpans: [
        {
          resource: { attributes: [s('service.name', 'support-agent'), s('deployment.environment', 'bench')] },
          scopeSpans: [{ scope: { name: 'casefile-bench' }, spans }],
        },
      ],
    });
    out.push(ExportTraceServiceRequest.encode(msg).finish());
  }
  return out;
}

/** POST every request with `concurrency` in flight; resolves to the wall time in ms. */
/**
 * Sends every body, `concurrency` at a time, each until it is answered 200 (a 429/503 is sent again);
 * resolves to the wall time in ms. `latencies`, when given, receives each request's time to its 200 in
 * ms (from its first attempt).
 */
export async function sendAll(
  url: string,
  key: string,
  bodies: Uint8Array[],
  concurrency: number,
  latencies?: number[],
): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < bodies.length) {
      const body = bodies[next++] as Uint8Array;
      const sent = performance.now();
      for (let attempt = 1; ; attempt++) {
        // A kept-alive connection the server closed while idle fails once; resending is safe
        // (ingest is idempotent), as an OTLP exporter's retry would.
        const res = await fetch(`${url}/v1/traces`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/x-protobuf', authorization: `Bearer ${key}` },
        }).catch((error: Error) => {
          if (attempt >= 3) throw error;
          return undefined;
        });
        if (!res) continue;
        await res.arrayBuffer();
        if (res.status === 200) {
          latencies?.push(performance.now() - sent);
          break;
        }
        if (res.status !== 429 && res.status !== 503) throw new Error(`ingest answered ${res.status}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - started;
}
